// File: blobstore/internal/change_log.cpp
#include "blobstore/internal/change_log.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace mpcc::blobstore::internal {

namespace {

constexpr off_t kRingOffset = 4096;
constexpr off_t kFileBytes = kRingOffset + static_cast<off_t>(ChangeLog::kSlots * ChangeLog::kSlotBytes);
constexpr std::uint16_t kUnknown = 0xFFFF;  // the slot's name did not fit

off_t slot_offset(std::uint64_t generation) {
  return kRingOffset + static_cast<off_t>((generation % ChangeLog::kSlots) * ChangeLog::kSlotBytes);
}

}  // namespace

StatusOr<ChangeLog> ChangeLog::open(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / kFileName;
  MPCC_ASSIGN_OR_RETURN(UniqueFd fd, open_fd(path, O_RDWR | O_CREAT));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_status("stat", path, errno);
  // Extending only ever adds zeros: two processes creating it at once agree.
  if (st.st_size < kFileBytes && ::ftruncate(fd.get(), kFileBytes) != 0) {
    return errno_status("ftruncate", path, errno);
  }
  void* p = ::mmap(nullptr, sizeof(std::uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) return errno_status("mmap", path, errno);
  return ChangeLog(std::move(fd), static_cast<std::uint64_t*>(p), st.st_ino);
}

ChangeLog::ChangeLog(UniqueFd fd, std::uint64_t* word, ino_t inode)
    : fd_(std::move(fd)), word_(word), inode_(inode) {}

ChangeLog::ChangeLog(ChangeLog&& other) noexcept
    : fd_(std::move(other.fd_)),
      word_(std::exchange(other.word_, nullptr)),
      inode_(other.inode_) {}

ChangeLog& ChangeLog::operator=(ChangeLog&& other) noexcept {
  if (this != &other) {
    unmap();
    fd_ = std::move(other.fd_);
    word_ = std::exchange(other.word_, nullptr);
    inode_ = other.inode_;
  }
  return *this;
}

ChangeLog::~ChangeLog() { unmap(); }

void ChangeLog::unmap() {
  if (word_ != nullptr) ::munmap(word_, sizeof(std::uint64_t));
  word_ = nullptr;
}

std::uint64_t ChangeLog::generation() const {
  return std::atomic_ref<std::uint64_t>(*word_).load(std::memory_order_acquire);
}

std::uint64_t ChangeLog::record(const std::string& name) {
  std::atomic_ref<std::uint64_t> counter(*word_);
  const std::uint64_t before = counter.load(std::memory_order_acquire);
  char slot[kSlotBytes] = {};
  const bool fits = name.size() + 2 <= kSlotBytes;
  const std::uint16_t length = fits ? static_cast<std::uint16_t>(name.size()) : kUnknown;
  std::memcpy(slot, &length, sizeof length);
  if (fits) std::memcpy(slot + 2, name.data(), name.size());
  // A failed write leaves an older name in the slot: mark it unknown
  // instead, or readers would miss this change.
  if (::pwrite(fd_.get(), slot, sizeof slot, slot_offset(before)) != static_cast<ssize_t>(sizeof slot)) {
    const std::uint16_t unknown = kUnknown;
    (void)!::pwrite(fd_.get(), &unknown, sizeof unknown, slot_offset(before));
  }
  counter.store(before + 1, std::memory_order_release);  // the caller holds the exclusive lock
  return before;
}

std::optional<std::vector<std::string>> ChangeLog::changed_between(std::uint64_t from,
                                                                   std::uint64_t to) const {
  if (to < from || to - from > kSlots) return std::nullopt;
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(to - from));
  for (std::uint64_t g = from; g < to; ++g) {
    char slot[kSlotBytes];
    if (::pread(fd_.get(), slot, sizeof slot, slot_offset(g)) != static_cast<ssize_t>(sizeof slot)) {
      return std::nullopt;
    }
    std::uint16_t length = 0;
    std::memcpy(&length, slot, sizeof length);
    // 0: a slot never written (a blob name is never empty).
    if (length == 0 || length == kUnknown || length + 2u > kSlotBytes) return std::nullopt;
    names.emplace_back(slot + 2, length);
  }
  return names;
}

}  // namespace mpcc::blobstore::internal
