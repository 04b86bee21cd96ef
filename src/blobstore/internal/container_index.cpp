// File: blobstore/internal/container_index.cpp
#include "blobstore/internal/container_index.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "blobstore/internal/posix_file.h"

namespace mpcc::blobstore::internal {

namespace {

constexpr const char* kLockFile = ".lock";

// The inode of the change log now; 0 when it is missing or unreadable.
ino_t inode_of(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// The first name of `sorted` that is >= prefix and, when a marker is given,
// > marker.
std::vector<std::string>::const_iterator first_after(const std::vector<std::string>& sorted,
                                                     const std::string& prefix,
                                                     const std::string& marker) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix);
  if (!marker.empty() && marker >= prefix) {
    it = std::upper_bound(it, sorted.end(), marker);
  }
  return it;
}

NamePage page_of(const std::vector<std::string>& sorted, const std::string& prefix,
                 const std::string& marker, std::size_t limit) {
  NamePage out;
  for (auto it = first_after(sorted, prefix, marker); it != sorted.end() && it->starts_with(prefix);
       ++it) {
    if (out.names.size() == limit) {
      out.more = true;
      break;
    }
    out.names.push_back(*it);
  }
  return out;
}

std::size_t count_of(const std::vector<std::string>& sorted, const std::string& prefix) {
  auto first = std::lower_bound(sorted.begin(), sorted.end(), prefix);
  auto last = std::partition_point(first, sorted.end(),
                                   [&](const std::string& n) { return n.starts_with(prefix); });
  return static_cast<std::size_t>(last - first);
}

}  // namespace

ContainerIndex::ContainerIndex(std::filesystem::path dir) : dir_(std::move(dir)) {}

ino_t ContainerIndex::current_log() {
  const ino_t on_disk = inode_of(dir_ / ChangeLog::kFileName);
  {
    std::shared_lock lock(mutex_);
    if (log_ && on_disk != 0 && log_->inode() == on_disk) return on_disk;
  }
  // Missing (a container made before the index, or removed) or replaced:
  // open it again, creating it when the container exists.
  StatusOr<ChangeLog> fresh = ChangeLog::open(dir_);
  std::unique_lock lock(mutex_);
  if (!fresh.ok()) {
    // A missing container is the scan's to report; anything else means no
    // index for now (every call scans), which is worth one line in the log.
    if (!warned_ && fresh.status().code() != StatusCode::kNotFound) {
      warned_ = true;
      spdlog::warn("directory store: no listing index for {} (every listing scans): {}",
                   dir_.string(), fresh.status().message());
    }
    log_.reset();
    built_ = false;
    return 0;
  }
  // Another file: nothing names_ says can be trusted (once the old file was
  // closed, even its inode number may come back).
  log_ = std::move(fresh).value();
  built_ = false;
  return log_->inode();
}

bool ContainerIndex::watches(const std::string& name) const {
  return std::any_of(watched_.begin(), watched_.end(),
                     [&](const std::string& w) { return name.starts_with(w); });
}

bool ContainerIndex::index_current() const {
  return built_ && log_ && built_inode_ == log_->inode() && generation_ == log_->generation();
}

Status ContainerIndex::catch_up(const DirectoryReader& directory, ino_t inode,
                                const std::string& prefix) {
  std::uint64_t generation = 0;
  std::optional<std::vector<std::string>> changed;
  std::vector<std::string> watched;
  {
    std::shared_lock lock(mutex_);
    if (!log_ || log_->inode() != inode) return unavailable("change log replaced");
    const bool covered = watches(prefix);
    if (covered && index_current()) return ok_status();
    generation = log_->generation();
    if (covered && built_ && built_inode_ == inode) {
      changed = log_->changed_between(generation_, generation);
    }
    watched = watched_;
  }
  if (changed) {
    // Look each changed name up now (no writer is part-way), then apply.
    std::vector<std::pair<std::string, bool>> found;
    found.reserve(changed->size());
    for (std::string& name : *changed) {
      MPCC_ASSIGN_OR_RETURN(bool exists, directory.exists(name));
      found.emplace_back(std::move(name), exists);
    }
    std::unique_lock lock(mutex_);
    for (auto& [name, exists] : found) {
      if (!watches(name)) continue;
      auto it = std::lower_bound(names_.begin(), names_.end(), name);
      const bool listed = it != names_.end() && *it == name;
      if (exists && !listed) names_.insert(it, std::move(name));
      if (!exists && listed) names_.erase(it);
    }
    generation_ = generation;
    return ok_status();
  }
  // A rescan, for the prefixes watched so far and this one.
  if (std::none_of(watched.begin(), watched.end(), [&](const std::string& w) { return prefix.starts_with(w); })) {
    std::erase_if(watched, [&](const std::string& w) { return w.starts_with(prefix); });
    watched.push_back(prefix);
  }
  MPCC_ASSIGN_OR_RETURN(std::vector<std::string> names, directory.scan());
  std::erase_if(names, [&](const std::string& n) {
    return std::none_of(watched.begin(), watched.end(), [&](const std::string& w) { return n.starts_with(w); });
  });
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  names.shrink_to_fit();
  std::unique_lock lock(mutex_);
  names_ = std::move(names);
  watched_ = std::move(watched);
  generation_ = generation;
  built_inode_ = inode;
  built_ = true;
  return ok_status();
}

template <typename Read>
StatusOr<std::invoke_result_t<Read, const std::vector<std::string>&>> ContainerIndex::read_current(
    const DirectoryReader& directory, const std::string& prefix, Read read) {
  // Fast path: the index is as current as the change log on disk says.
  if (const ino_t on_disk = inode_of(dir_ / ChangeLog::kFileName); on_disk != 0) {
    std::shared_lock lock(mutex_);
    if (log_ && log_->inode() == on_disk && watches(prefix) && index_current()) return read(names_);
  }
  std::lock_guard one_at_a_time(rescan_mutex_);
  const ino_t inode = current_log();
  Status caught_up = unavailable("no change log");
  if (inode != 0) {
    // Catch up while no writer (of any process) is between its bump and
    // its rename or unlink.
    MPCC_ASSIGN_OR_RETURN(FileLock still, FileLock::acquire_shared(dir_ / kLockFile));
    caught_up = catch_up(directory, inode, prefix);
    if (!caught_up.ok() && caught_up.code() != StatusCode::kUnavailable) return caught_up;
  }
  if (!caught_up.ok()) {  // no usable log: answer from a scan
    MPCC_ASSIGN_OR_RETURN(std::vector<std::string> names, directory.scan());
    std::sort(names.begin(), names.end());
    return read(names);
  }
  std::shared_lock lock(mutex_);
  return read(names_);
}

StatusOr<NamePage> ContainerIndex::page(const std::string& prefix, const std::string& marker,
                                        std::size_t limit, const DirectoryReader& directory) {
  return read_current(directory, prefix, [&](const std::vector<std::string>& names) {
    return page_of(names, prefix, marker, std::max<std::size_t>(limit, 1));
  });
}

StatusOr<std::size_t> ContainerIndex::count(const std::string& prefix,
                                            const DirectoryReader& directory) {
  return read_current(directory, prefix,
                      [&](const std::vector<std::string>& names) { return count_of(names, prefix); });
}

WriteTicket ContainerIndex::begin_write(const std::string& name) {
  const ino_t inode = current_log();
  if (inode == 0) return {};
  std::shared_lock lock(mutex_);
  if (!log_ || log_->inode() != inode) return {};
  WriteTicket ticket;
  ticket.valid = true;
  ticket.inode = inode;
  ticket.before = log_->record(name);
  return ticket;
}

void ContainerIndex::end_write(const WriteTicket& ticket, const std::string& name, bool present) {
  if (!ticket.valid) return;
  std::unique_lock lock(mutex_);
  if (!built_ || built_inode_ != ticket.inode || generation_ != ticket.before) return;
  generation_ = ticket.before + 1;
  if (!watches(name)) return;
  auto it = std::lower_bound(names_.begin(), names_.end(), name);
  const bool listed = it != names_.end() && *it == name;
  if (present && !listed) names_.insert(it, name);
  if (!present && listed) names_.erase(it);
}

}  // namespace mpcc::blobstore::internal
