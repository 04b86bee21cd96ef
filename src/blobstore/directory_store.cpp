// File: blobstore/directory_store.cpp
//
// DirectoryStore: see directory_store.h for the guarantees and README.md for
// the layout. Writes go temp file -> (lock) check conditions -> rename ->
// (unlock) fsync directory; reads open the current file, whose content never
// changes once renamed into place.
#include "blobstore/directory_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "blobstore/blob_rules.h"
#include "blobstore/internal/blob_file.h"
#include "blobstore/internal/container_index.h"
#include "blobstore/internal/http_date.h"
#include "blobstore/internal/percent_encoding.h"
#include "blobstore/internal/posix_file.h"
#include "crypto/random.h"

namespace mpcc::blobstore {

namespace {

namespace fs = std::filesystem;
using internal::BlobFileKind;
using internal::FileLock;
using internal::UniqueFd;

constexpr const char* kLockFile = ".lock";
constexpr const char* kTempPrefix = ".tmp-";

std::string new_etag() { return fmt::format("0x{:016X}", crypto::random_u64()); }

// A temporary file in the container directory, removed unless renamed into
// place with commit().
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  Status write(const fs::path& dir, std::string_view head, std::string_view data, bool durable) {
    path_ = dir / fmt::format("{}{}-{:016x}", kTempPrefix, ::getpid(), crypto::random_u64());
    MPCC_ASSIGN_OR_RETURN(UniqueFd fd, internal::open_fd(path_, O_WRONLY | O_CREAT | O_EXCL));
    MPCC_RETURN_IF_ERROR(internal::write_all(fd.get(), head, path_));
    MPCC_RETURN_IF_ERROR(internal::write_all(fd.get(), data, path_));
    if (durable) MPCC_RETURN_IF_ERROR(internal::sync_fd(fd.get(), path_));
    if (::close(fd.release()) != 0) return internal::errno_status("close", path_, errno);
    return ok_status();
  }

  Status commit(const fs::path& target) {
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      return internal::errno_status("rename to", target, errno);
    }
    path_.clear();
    return ok_status();
  }

 private:
  fs::path path_;
};

// True unless `pid` is gone or a zombie (killed, not yet reaped by its
// parent: it writes nothing more). Unknown (no /proc) counts as running.
bool process_runs(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const std::size_t paren = line.rfind(')');  // after the command name, which may hold spaces
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

// Removes the temporary files in `dir` whose writer no longer runs: a put
// killed between writing its temporary file and the rename leaves one, and
// nothing else would ever remove it. The name carries the writer's pid
// (".tmp-<pid>-<16 hex>"); a file whose pid runs (or that names no pid) is
// left alone. Best effort: errors are logged, not returned.
void remove_dead_writers_temp_files(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(kTempPrefix)) continue;
    const std::string_view rest = std::string_view(name).substr(std::strlen(kTempPrefix));
    const std::size_t dash = rest.find('-');
    if (dash == std::string_view::npos || dash == 0) continue;
    pid_t pid = 0;
    const auto [end_of_pid, parse_ec] = std::from_chars(rest.data(), rest.data() + dash, pid);
    if (parse_ec != std::errc() || end_of_pid != rest.data() + dash || pid <= 0) continue;
    if (process_runs(pid)) continue;
    if (::unlink(it->path().c_str()) != 0 && errno != ENOENT) {
      spdlog::warn("directory store: cannot remove {}: {}", it->path().string(),
                   std::strerror(errno));
    }
  }
}

class DirectoryStore final : public BlobStore {
 public:
  DirectoryStore(fs::path root, bool durable) : root_(std::move(root)), durable_(durable) {}

  std::string kind() const override { return "directory"; }
  std::string describe() const override { return "directory " + root_.string(); }
  std::string account() const override { return "local"; }
  std::string blob_url(const std::string& container, const std::string& name) const override {
    return "file://" + internal::percent_encode(root_.string(), internal::KeepSet::kUrlPath) + "/" +
           container + "/" + internal::percent_encode(name, internal::KeepSet::kUrlPath);
  }

  Status create_container(const std::string& container) override {
    MPCC_RETURN_IF_ERROR(validate_container_name(container));
    const fs::path dir = root_ / container;
    if (::mkdir(dir.c_str(), 0700) != 0) {
      if (errno != EEXIST) return internal::errno_status("mkdir", dir, errno);
      std::error_code ec;
      if (!fs::is_directory(dir, ec)) {
        return failed_precondition(fmt::format("{} exists and is not a directory", dir.string()));
      }
      remove_dead_writers_temp_files(dir);
      return ok_status();
    }
    return durable_ ? internal::sync_directory(root_) : ok_status();
  }

  StatusOr<BlobProperties> put(const std::string& container, const std::string& name,
                               std::string_view data, const PutOptions& options) override {
    MPCC_RETURN_IF_ERROR(validate_put(container, name, options));
    const fs::path dir = root_ / container;
    MPCC_RETURN_IF_ERROR(require_container(container));

    BlobProperties p;
    p.name = name;
    p.etag = new_etag();
    p.size = data.size();
    p.content_type = effective_content_type(options.content_type);
    p.last_modified = internal::format_http_date(std::chrono::system_clock::now());
    p.metadata = options.metadata;
    TempFile temp;
    MPCC_RETURN_IF_ERROR(temp.write(dir, internal::encode_blob_head(p), data, durable_));
    {
      MPCC_ASSIGN_OR_RETURN(FileLock lock, lock_container(container));
      if (options.if_match || options.if_none_match_any) {
        MPCC_ASSIGN_OR_RETURN(std::optional<BlobProperties> current, current_head(dir, name));
        if (options.if_none_match_any && current) return blob_already_exists(container, name);
        if (options.if_match && (!current || !etag_matches(*options.if_match, current->etag))) {
          return condition_not_met(container, name, "If-Match");
        }
      }
      MPCC_RETURN_IF_ERROR(index(container).begin_write(name, directory_reader(container)));
      MPCC_RETURN_IF_ERROR(temp.commit(dir / internal::blob_file_name(name)));
      index(container).end_write(name, true);
    }
    if (durable_) MPCC_RETURN_IF_ERROR(internal::sync_directory(dir));
    return p;
  }

  StatusOr<Blob> get(const std::string& container, const std::string& name,
                     const GetOptions& options) override {
    MPCC_RETURN_IF_ERROR(validate_get(container, name, options));
    const fs::path path = root_ / container / internal::blob_file_name(name);
    MPCC_ASSIGN_OR_RETURN(UniqueFd fd, open_blob(container, name, options.if_match.has_value()));
    MPCC_ASSIGN_OR_RETURN(BlobProperties p, checked_head(fd.get(), path, name));
    if (options.if_match && !etag_matches(*options.if_match, p.etag)) {
      return condition_not_met(container, name, "If-Match");
    }
    Blob blob;
    if (options.if_none_match && etag_matches(*options.if_none_match, p.etag)) {
      blob.properties = std::move(p);
      blob.not_modified = true;
      return blob;
    }
    MPCC_ASSIGN_OR_RETURN(blob, internal::read_blob(fd.get(), path));
    return blob;
  }

  StatusOr<BlobProperties> properties(const std::string& container,
                                      const std::string& name) override {
    MPCC_RETURN_IF_ERROR(validate_container_name(container));
    MPCC_RETURN_IF_ERROR(validate_blob_name(name));
    MPCC_ASSIGN_OR_RETURN(UniqueFd fd, open_blob(container, name, false));
    return checked_head(fd.get(), root_ / container / internal::blob_file_name(name), name);
  }

  StatusOr<ListPage> list(const std::string& container, const ListOptions& options) override {
    MPCC_RETURN_IF_ERROR(validate_container_name(container));
    MPCC_ASSIGN_OR_RETURN(int max_results, effective_max_results(options.max_results));
    MPCC_RETURN_IF_ERROR(require_container(container));
    const fs::path dir = root_ / container;
    MPCC_ASSIGN_OR_RETURN(internal::NamePage names,
                          index(container).page(options.prefix, options.marker,
                                                static_cast<std::size_t>(max_results),
                                                directory_reader(container)));
    ListPage page;
    if (names.more && !names.names.empty()) page.next_marker = names.names.back();
    for (std::string& name : names.names) {
      if (options.names_only) {
        BlobProperties p;
        p.name = std::move(name);
        page.blobs.push_back(std::move(p));
        continue;
      }
      StatusOr<BlobProperties> head = listed_head(dir / internal::blob_file_name(name), &name);
      if (!head.ok()) return head.status();
      if (!head->name.empty()) page.blobs.push_back(std::move(head).value());
    }
    return page;
  }

  StatusOr<std::size_t> count(const std::string& container, const std::string& prefix) override {
    MPCC_RETURN_IF_ERROR(validate_container_name(container));
    MPCC_RETURN_IF_ERROR(require_container(container));
    return index(container).count(prefix, directory_reader(container));
  }

  Status remove(const std::string& container, const std::string& name,
                const std::optional<std::string>& if_match) override {
    MPCC_RETURN_IF_ERROR(validate_container_name(container));
    MPCC_RETURN_IF_ERROR(validate_blob_name(name));
    if (if_match) MPCC_RETURN_IF_ERROR(validate_etag_argument("If-Match", *if_match));
    MPCC_RETURN_IF_ERROR(require_container(container));
    const fs::path dir = root_ / container;
    const fs::path path = dir / internal::blob_file_name(name);
    {
      MPCC_ASSIGN_OR_RETURN(FileLock lock, lock_container(container));
      MPCC_ASSIGN_OR_RETURN(std::optional<BlobProperties> current, current_head(dir, name));
      if (!current && !if_match) return blob_not_found(container, name);
      if (if_match && (!current || !etag_matches(*if_match, current->etag))) {
        return condition_not_met(container, name, "If-Match");
      }
      MPCC_RETURN_IF_ERROR(index(container).begin_write(name, directory_reader(container)));
      if (::unlink(path.c_str()) != 0) return internal::errno_status("unlink", path, errno);
      index(container).end_write(name, false);
    }
    return durable_ ? internal::sync_directory(dir) : ok_status();
  }

 private:

  Status require_container(const std::string& container) const {
    std::error_code ec;
    if (!fs::is_directory(root_ / container, ec)) return container_not_found(container);
    return ok_status();
  }

  StatusOr<FileLock> lock_container(const std::string& container) const {
    StatusOr<FileLock> lock = FileLock::acquire(root_ / container / kLockFile);
    if (lock.status().code() == StatusCode::kNotFound) return container_not_found(container);
    return lock;
  }

  // The blob's file opened for reading; kNotFound naming the blob or its
  // container (a missing blob is a failed If-Match when one was given).
  StatusOr<UniqueFd> open_blob(const std::string& container, const std::string& name,
                               bool if_match) const {
    StatusOr<UniqueFd> fd = internal::open_fd(root_ / container / internal::blob_file_name(name),
                                              O_RDONLY | O_NOFOLLOW);
    if (fd.status().code() == StatusCode::kNotFound) {
      MPCC_RETURN_IF_ERROR(require_container(container));
      return if_match ? condition_not_met(container, name, "If-Match")
                      : blob_not_found(container, name);
    }
    return fd;
  }

  // The header of an open blob file, which must be the named blob's.
  static StatusOr<BlobProperties> checked_head(int fd, const fs::path& path,
                                               const std::string& name) {
    MPCC_ASSIGN_OR_RETURN(internal::BlobHead head, internal::read_blob_head(fd, path));
    if (head.properties.name != name) {
      return data_loss(fmt::format("blob file {} holds another blob", path.string()));
    }
    return std::move(head.properties);
  }

  // The header of a blob file met while listing, checked against the name
  // its file name stands for (when known). A file that vanished meanwhile
  // or is corrupt yields properties with an empty name (skipped; corrupt
  // files are logged); other I/O errors fail the listing.
  static StatusOr<BlobProperties> listed_head(const fs::path& path, const std::string* name) {
    StatusOr<UniqueFd> fd = internal::open_fd(path, O_RDONLY | O_NOFOLLOW);
    if (fd.status().code() == StatusCode::kNotFound) return BlobProperties{};
    if (!fd.ok()) return fd.status();
    StatusOr<internal::BlobHead> head = internal::read_blob_head(fd->get(), path);
    if (head.status().code() == StatusCode::kDataLoss ||
        (head.ok() && name != nullptr && head->properties.name != *name)) {
      spdlog::warn("directory store: skipping {}: {}", path.string(),
                   head.ok() ? "it holds another blob" : head.status().message());
      return BlobProperties{};
    }
    if (!head.ok()) return head.status();
    return std::move(head->properties);
  }

  // The current blob's properties, or nullopt when there is none.
  static StatusOr<std::optional<BlobProperties>> current_head(const fs::path& dir,
                                                              const std::string& name) {
    const fs::path path = dir / internal::blob_file_name(name);
    StatusOr<UniqueFd> fd = internal::open_fd(path, O_RDONLY | O_NOFOLLOW);
    if (fd.status().code() == StatusCode::kNotFound) return std::optional<BlobProperties>();
    if (!fd.ok()) return fd.status();
    MPCC_ASSIGN_OR_RETURN(BlobProperties p, checked_head(fd->get(), path, name));
    return std::optional<BlobProperties>(std::move(p));
  }

  // The container's index (made on first use; it lives as long as the store).
  internal::ContainerIndex& index(const std::string& container) {
    std::lock_guard lock(indexes_mutex_);
    std::unique_ptr<internal::ContainerIndex>& slot = indexes_[container];
    if (!slot) slot = std::make_unique<internal::ContainerIndex>(root_ / container, boot_id_);
    return *slot;
  }

  // How the index of `container` reads its directory.
  internal::DirectoryReader directory_reader(const std::string& container) const {
    internal::DirectoryReader reader;
    reader.scan = [this, container] { return scan_names(container); };
    reader.exists = [dir = root_ / container](const std::string& name) -> StatusOr<bool> {
      const fs::path path = dir / internal::blob_file_name(name);
      struct stat st {};
      if (::lstat(path.c_str(), &st) == 0) return S_ISREG(st.st_mode);
      if (errno == ENOENT) return false;
      return internal::errno_status("stat", path, errno);
    };
    return reader;
  }

  // Every blob name in the container, unsorted (what the index is built
  // from): named files by their file name, hashed ones by their header.
  StatusOr<std::vector<std::string>> scan_names(const std::string& container) const {
    const fs::path dir = root_ / container;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) {
      return container_not_found(container);
    }
    if (ec) return internal::errno_status("list", dir, ec.value());
    std::vector<std::string> out;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return internal::errno_status("list", dir, ec.value());
      std::error_code type_ec;
      if (!it->is_regular_file(type_ec) || it->is_symlink(type_ec)) continue;
      const std::string file = it->path().filename().string();
      internal::ClassifiedFile f = internal::classify_file_name(file);
      if (f.kind == BlobFileKind::kNotABlob) continue;
      if (f.kind == BlobFileKind::kNamed) {
        out.push_back(std::move(f.blob_name));
        continue;
      }
      StatusOr<BlobProperties> head = listed_head(it->path(), nullptr);
      if (!head.ok()) return head.status();
      if (head->name.empty() || internal::blob_file_name(head->name) != file) continue;
      out.push_back(std::move(head->name));
    }
    if (ec) return internal::errno_status("list", dir, ec.value());
    return out;
  }

  const fs::path root_;
  const bool durable_;
  const std::string boot_id_ = internal::current_boot_id();
  std::mutex indexes_mutex_;
  std::map<std::string, std::unique_ptr<internal::ContainerIndex>> indexes_;
};

}  // namespace

StatusOr<std::unique_ptr<BlobStore>> open_directory_store(const DirectoryStoreOptions& options) {
  if (options.root.empty()) return invalid_argument("directory store: root is empty");
  std::error_code ec;
  fs::path root = fs::absolute(options.root, ec).lexically_normal();
  if (ec) return internal::errno_status("resolve", options.root, ec.value());
  if (!root.has_filename() && root != root.root_path()) root = root.parent_path();
  if (!fs::exists(root, ec)) {
    fs::create_directories(root, ec);
    if (ec) return internal::errno_status("create", root, ec.value());
    fs::permissions(root, fs::perms::owner_all, ec);
    if (ec) return internal::errno_status("chmod", root, ec.value());
  }
  if (!fs::is_directory(root, ec)) {
    return failed_precondition(
        fmt::format("directory store: {} is not a directory", root.string()));
  }
  return std::unique_ptr<BlobStore>(std::make_unique<DirectoryStore>(root, options.durable));
}

}  // namespace mpcc::blobstore
