// File: http/test/test_util.h
//
// Helpers for the http tests: a temporary directory, a raw TCP client that
// sends exact bytes (to test what no well-behaved client sends), and a
// one-connection raw TCP server that answers with exact bytes.
#pragma once

#include "common/testing/temp_dir.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

namespace mpcc::http::testing {

using ::mpcc::testing::TempDir;

inline int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  return fd;
}

inline void send_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;  // the peer may close early (e.g. after answering 413)
    off += static_cast<std::size_t>(n);
  }
}

struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
};

// Reads one HTTP/1.1 response framed by Content-Length (what our server sends).
inline RawResponse read_response(int fd) {
  std::string buf;
  char chunk[4096];
  std::size_t head_end = std::string::npos;
  std::size_t need = std::string::npos;
  for (;;) {
    if (head_end == std::string::npos) {
      head_end = buf.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::string head = buf.substr(0, head_end);
        std::string lower = head;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::size_t cl = lower.find("content-length:");
        std::size_t len = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 15));
        need = head_end + 4 + len;
      }
    }
    if (need != std::string::npos && buf.size() >= need) break;
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  RawResponse r;
  if (head_end == std::string::npos) return r;
  r.head = buf.substr(0, head_end);
  if (r.head.rfind("HTTP/1.1 ", 0) == 0) r.status = std::stoi(r.head.substr(9, 3));
  r.body = buf.substr(head_end + 4, need - head_end - 4);
  return r;
}

// Sends `request` verbatim on a new connection and reads the first response.
inline RawResponse raw_exchange(int port, const std::string& request) {
  int fd = connect_loopback(port);
  send_all(fd, request);
  RawResponse r = read_response(fd);
  ::close(fd);
  return r;
}

// A server for one connection: reads the request head, answers `reply`
// verbatim and closes. port() is known once constructed.
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply) : reply_(std::move(reply)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_, 1) != 0) {
      throw std::runtime_error("bind/listen failed");
    }
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      std::string got;
      char c[1024];
      while (got.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(fd, c, sizeof(c), 0);
        if (n <= 0) break;
        got.append(c, static_cast<std::size_t>(n));
      }
      send_all(fd, reply_);
      ::shutdown(fd, SHUT_WR);
      while (::recv(fd, c, sizeof(c), 0) > 0) {
      }
      ::close(fd);
    });
  }
  ~OneShotServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  OneShotServer(const OneShotServer&) = delete;
  OneShotServer& operator=(const OneShotServer&) = delete;
  int port() const { return port_; }

 private:
  std::string reply_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace mpcc::http::testing
