#include "platform/sim/unix_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace mpcc::platform::sim {

namespace fs = std::filesystem;

namespace {

StatusOr<sockaddr_un> make_address(const fs::path& path) {
  sockaddr_un addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  const std::string p = path.string();
  if (p.empty() || p.size() >= sizeof(addr.sun_path)) {
    return invalid_argument(fmt::format("socket path '{}' is empty or longer than {} bytes", p,
                                        sizeof(addr.sun_path) - 1));
  }
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  return addr;
}

Status io_error(const char* what, int err) {
  std::string message = fmt::format("{}: {}", what, std::strerror(err));
  if (err == EAGAIN || err == EWOULDBLOCK) {
    return Status(StatusCode::kDeadlineExceeded, fmt::format("{}: timed out", what));
  }
  return unavailable(std::move(message));
}

// Returns bytes read before EOF (< n on EOF), or an error.
StatusOr<std::size_t> read_fully(int fd, uint8_t* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t r = ::recv(fd, out + done, n - done, 0);
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR) continue;
      return io_error("read from PSP channel", errno);
    }
    done += static_cast<std::size_t>(r);
  }
  return done;
}

}  // namespace

void Socket::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

StatusOr<Socket> listen_unix(const fs::path& path, int backlog) {
  MPCC_ASSIGN_OR_RETURN(sockaddr_un addr, make_address(path));
  Socket s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return io_error("socket", errno);
  if (::bind(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno == EADDRINUSE) return already_exists(path.string() + " already exists");
    return io_error(("bind " + path.string()).c_str(), errno);
  }
  // Between bind and chmod the socket has the umask's mode: callers keep
  // their sockets in private (0700) directories, so nobody else can reach it.
  if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return io_error(("chmod " + path.string()).c_str(), err);
  }
  if (::listen(s.fd(), backlog) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return io_error(("listen " + path.string()).c_str(), err);
  }
  return s;
}

StatusOr<Socket> connect_unix(const fs::path& path) {
  MPCC_ASSIGN_OR_RETURN(sockaddr_un addr, make_address(path));
  Socket s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return io_error("socket", errno);
  int rc;
  do {
    rc = ::connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    return unavailable(fmt::format("cannot connect to simulated PSP channel {}: {}",
                                   path.string(), std::strerror(errno)));
  }
  return s;
}

Status set_timeouts(const Socket& s, std::chrono::milliseconds timeout) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  if (::setsockopt(s.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
      ::setsockopt(s.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
    return io_error("setsockopt", errno);
  }
  return ok_status();
}

Status write_frame(const Socket& s, ByteSpan payload, std::size_t max_size) {
  if (payload.size() > max_size || payload.size() > 0xFFFFFFFFu) {
    return invalid_argument(
        fmt::format("frame of {} bytes exceeds the limit of {}", payload.size(), max_size));
  }
  const auto n = static_cast<uint32_t>(payload.size());
  Bytes buf(kFrameHeaderSize + payload.size());
  buf[0] = static_cast<uint8_t>(n >> 24);
  buf[1] = static_cast<uint8_t>(n >> 16);
  buf[2] = static_cast<uint8_t>(n >> 8);
  buf[3] = static_cast<uint8_t>(n);
  std::copy(payload.begin(), payload.end(), buf.begin() + kFrameHeaderSize);
  std::size_t done = 0;
  while (done < buf.size()) {
    ssize_t w = ::send(s.fd(), buf.data() + done, buf.size() - done, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return io_error("write to PSP channel", errno);
    }
    done += static_cast<std::size_t>(w);
  }
  return ok_status();
}

StatusOr<Bytes> read_frame(const Socket& s, std::size_t max_size) {
  uint8_t header[kFrameHeaderSize];
  MPCC_ASSIGN_OR_RETURN(std::size_t got, read_fully(s.fd(), header, sizeof(header)));
  if (got == 0) return Status(StatusCode::kCancelled, "PSP channel closed by the peer");
  if (got < sizeof(header)) return data_loss("PSP channel closed inside a frame header");
  const uint32_t n = (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16) |
                     (uint32_t{header[2]} << 8) | uint32_t{header[3]};
  if (n == 0) return invalid_argument("empty frame");
  if (n > max_size) {
    return Status(StatusCode::kResourceExhausted,
                  fmt::format("frame of {} bytes exceeds the limit of {}", n, max_size));
  }
  Bytes body(n);
  MPCC_ASSIGN_OR_RETURN(got, read_fully(s.fd(), body.data(), n));
  if (got < n) {
    return data_loss(fmt::format("PSP channel closed inside a frame ({} of {} bytes)", got, n));
  }
  return body;
}

}  // namespace mpcc::platform::sim
