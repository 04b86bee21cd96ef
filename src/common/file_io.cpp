#include "common/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace mpcc {

namespace fs = std::filesystem;

StatusOr<Bytes> read_file(const fs::path& path, std::size_t max_size) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return not_found(fmt::format("{}: no such file", path.string()));
  if (fs::is_directory(path, ec)) return invalid_argument(fmt::format("{}: is a directory", path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in) return unavailable(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  Bytes out;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_size) {
      return invalid_argument(fmt::format("{}: larger than {} bytes", path.string(), max_size));
    }
    out.insert(out.end(), buf, buf + n);
  }
  if (in.bad()) return unavailable(fmt::format("{}: read error", path.string()));
  return out;
}

StatusOr<std::string> read_text_file(const fs::path& path, std::size_t max_size) {
  MPCC_ASSIGN_OR_RETURN(Bytes b, read_file(path, max_size));
  return std::string(b.begin(), b.end());
}

Status write_file_atomic(const fs::path& path, ByteSpan data, fs::perms perms) {
  fs::path tmp = path;
  tmp += fmt::format(".tmp.{}", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  static_cast<mode_t>(perms));
  if (fd < 0) return unavailable(fmt::format("{}: cannot create: {}", tmp.string(), std::strerror(errno)));
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return unavailable(fmt::format("{}: write failed: {}", tmp.string(), std::strerror(err)));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return unavailable(fmt::format("{}: fsync/close failed", tmp.string()));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return unavailable(fmt::format("{}: rename failed: {}", path.string(), std::strerror(err)));
  }
  return ok_status();
}

}  // namespace mpcc
