// File: blobstore/internal/posix_file.h
//
// The few POSIX file operations the directory store needs, as Status-
// returning calls: descriptors that close themselves, whole writes, reads at
// an offset, fsync of files and directories, and an flock(2) held for a
// scope.
//
//   MPCC_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(dir / ".lock"));
//   ... // no other holder, in this or any other process, until `lock` goes
//
// Errors: ENOENT -> kNotFound, EACCES/EPERM -> kPermissionDenied,
// ENOSPC/EDQUOT -> kResourceExhausted, else kInternal; the message names the
// operation, the path and strerror.
//
// Thread-safety: each object is used by one thread; flock locks taken through
// separate FileLock objects exclude each other across threads and processes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mpcc::blobstore::internal {

Status errno_status(std::string_view operation, const std::filesystem::path& path, int err);

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release();

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC added.
StatusOr<UniqueFd> open_fd(const std::filesystem::path& path, int flags, mode_t mode = 0600);
Status write_all(int fd, std::string_view data, const std::filesystem::path& path);
// Up to n bytes at offset (fewer only at the end of the file).
StatusOr<std::string> read_at(int fd, std::uint64_t offset, std::size_t n,
                              const std::filesystem::path& path);
StatusOr<std::uint64_t> file_size(int fd, const std::filesystem::path& path);
Status sync_fd(int fd, const std::filesystem::path& path);
Status sync_directory(const std::filesystem::path& dir);

// An exclusive flock(2) on a lock file (created 0600 if missing), released
// when the object is destroyed.
class FileLock {
 public:
  static StatusOr<FileLock> acquire(const std::filesystem::path& lock_file);

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing it releases the lock
};

}  // namespace mpcc::blobstore::internal
