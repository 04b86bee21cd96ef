// File: platform/sim/unix_socket.h
//
// The transport of the simulated PSP channels: AF_UNIX stream sockets and
// length-prefixed frames (a 4-byte big-endian length, then that many bytes),
// with per-socket timeouts and size limits checked before any allocation.
// No SIGPIPE: writes use MSG_NOSIGNAL.
//
// Thread-safety: a Socket is owned by one thread at a time; the functions are
// reentrant.
#pragma once

#include <chrono>
#include <filesystem>

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc::platform::sim {

// An owned file descriptor (closed on destruction).
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() { reset(); }
  Socket(Socket&& o) noexcept : fd_(o.release()) {}
  Socket& operator=(Socket&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset();

 private:
  int fd_ = -1;
};

inline constexpr std::size_t kFrameHeaderSize = 4;

// Binds and listens on `path` (which must not exist) and sets its mode to
// 0600 (put it in a 0700 directory: the mode is set just after bind). kInvalidArgument if the path is too long for sockaddr_un,
// kAlreadyExists if it exists, kUnavailable for other errors.
StatusOr<Socket> listen_unix(const std::filesystem::path& path, int backlog = 64);

// Connects to `path`; kUnavailable (naming the path) when nobody listens.
StatusOr<Socket> connect_unix(const std::filesystem::path& path);

// Sets SO_RCVTIMEO and SO_SNDTIMEO.
Status set_timeouts(const Socket& s, std::chrono::milliseconds timeout);

// Writes one frame. kInvalidArgument if payload exceeds `max_size`;
// kUnavailable if the peer went away; kDeadlineExceeded on timeout.
Status write_frame(const Socket& s, ByteSpan payload, std::size_t max_size);

// Reads one frame. kCancelled when the peer closed before sending anything
// (a normal end of conversation); kDataLoss when it closed mid-frame;
// kResourceExhausted when the announced length exceeds `max_size` (nothing
// more is read); kInvalidArgument for a zero length; kDeadlineExceeded on
// timeout.
StatusOr<Bytes> read_frame(const Socket& s, std::size_t max_size);

}  // namespace mpcc::platform::sim
