// File: blobstore/internal/posix_file.cpp
#include "blobstore/internal/posix_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace mpcc::blobstore::internal {

Status errno_status(std::string_view operation, const std::filesystem::path& path, int err) {
  std::string message =
      fmt::format("{} {}: {}", operation, path.string(), std::generic_category().message(err));
  switch (err) {
    case ENOENT:
      return not_found(std::move(message));
    case EACCES:
    case EPERM:
      return permission_denied(std::move(message));
    case ENOSPC:
    case EDQUOT:
      return Status(StatusCode::kResourceExhausted, std::move(message));
    default:
      return internal_error(std::move(message));
  }
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

int UniqueFd::release() { return std::exchange(fd_, -1); }

StatusOr<UniqueFd> open_fd(const std::filesystem::path& path, int flags, mode_t mode) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno_status("open", path, errno);
  return UniqueFd(fd);
}

Status write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

StatusOr<std::string> read_at(int fd, std::uint64_t offset, std::size_t n,
                              const std::filesystem::path& path) {
  std::string out(n, '\0');
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno_status("read", path, errno);
    }
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  out.resize(done);
  return out;
}

StatusOr<std::uint64_t> file_size(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_status("stat", path, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

Status sync_fd(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) return errno_status("fsync", path, errno);
  return ok_status();
}

Status sync_directory(const std::filesystem::path& dir) {
  MPCC_ASSIGN_OR_RETURN(UniqueFd fd, open_fd(dir, O_RDONLY | O_DIRECTORY));
  return sync_fd(fd.get(), dir);
}

StatusOr<FileLock> FileLock::acquire(const std::filesystem::path& lock_file) {
  MPCC_ASSIGN_OR_RETURN(UniqueFd fd, open_fd(lock_file, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return errno_status("flock", lock_file, errno);
  }
  return FileLock(std::move(fd));
}

}  // namespace mpcc::blobstore::internal
