// The server's connection handling (internal/connection.cpp): what a blocked
// handler, idle keep-alive clients, slow or silent clients and stop() do to
// other requests. Ordering is proven with latches and futures, never by
// measuring time (the bounds below only keep a broken build from hanging).
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "http/test/test_util.h"

namespace mpcc::http {
namespace {

using testing::connect_loopback;
using testing::raw_exchange;
using testing::RawResponse;
using testing::read_response;
using testing::send_all;

constexpr auto kSafety = std::chrono::seconds(30);  // a hang guard, not an assertion

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: h\r\n" + extra + "\r\n";
}

// Reads until `marker` arrived (or the peer closed / the socket timed out).
std::string read_until(int fd, const std::string& marker) {
  std::string got;
  char buf[4096];
  while (got.find(marker) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

// 0 when the server closed the connection, -1 when it stayed open until the
// socket's receive timeout (5 s), else the byte count.
ssize_t wait_for_close(int fd) {
  char c;
  return ::recv(fd, &c, 1, 0);
}

// A started server with GET /health answering 200 {}.
std::unique_ptr<Server> health_server(ServerOptions o) {
  auto s = std::make_unique<Server>(std::move(o));
  s->route(Method::kGet, "/health", [](const Request&) { return Response::json(200, {}); });
  if (!s->start().ok()) throw std::runtime_error("cannot start the server");
  return s;
}

// A keep-alive connection that has had one GET /health answered 200.
int connection_after_one_request(int port) {
  int fd = connect_loopback(port);
  send_all(fd, get("/health"));
  EXPECT_EQ(read_response(fd).status, 200);
  return fd;
}

TEST(Connections, ABlockedHandlerDoesNotStallOtherConnections) {
  ServerOptions o;
  o.worker_threads = 2;  // one for the blocked handler, one for everyone else
  Server s(o);
  std::latch entered(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> blocked_answered{false};
  s.route(Method::kGet, "/block", [&](const Request&) {
    entered.count_down();
    released.wait();
    return Response::json(200, {{"blocked", true}});
  });
  s.route(Method::kGet, "/health", [](const Request&) { return Response::json(200, {{"ok", true}}); });
  ASSERT_TRUE(s.start().ok());

  std::thread slow([&] {
    RawResponse r = raw_exchange(s.port(), get("/block", "Connection: close\r\n"));
    EXPECT_EQ(r.status, 200);
    blocked_answered = true;
  });
  entered.wait();  // the /block handler now holds its thread
  RawResponse health = raw_exchange(s.port(), get("/health", "Connection: close\r\n"));
  EXPECT_EQ(health.status, 200);
  EXPECT_FALSE(blocked_answered.load());  // answered while /block was still blocked
  release.set_value();
  slow.join();
  EXPECT_TRUE(blocked_answered.load());
}

TEST(Connections, BlockedHandlersBeyondTheIoThreadsStillLeaveOthersServed) {
  ServerOptions o;
  o.io_threads = 1;
  o.worker_threads = 4;  // up to three handlers may block, the fourth thread serves
  Server s(o);
  std::latch entered(3);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  s.route(Method::kGet, "/block", [&](const Request&) {
    entered.count_down();
    released.wait();
    return Response::json(200, {});
  });
  s.route(Method::kGet, "/health", [](const Request&) { return Response::json(200, {}); });
  ASSERT_TRUE(s.start().ok());
  std::vector<std::thread> blocked;
  for (int i = 0; i < 3; ++i) {
    blocked.emplace_back([&] {
      EXPECT_EQ(raw_exchange(s.port(), get("/block", "Connection: close\r\n")).status, 200);
    });
  }
  entered.wait();  // three handlers hold three threads
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(raw_exchange(s.port(), get("/health", "Connection: close\r\n")).status, 200);
  }
  release.set_value();
  for (std::thread& t : blocked) t.join();
  // And once they are released, the server goes on as before.
  EXPECT_EQ(raw_exchange(s.port(), get("/health", "Connection: close\r\n")).status, 200);
}

TEST(Connections, IdleKeepAliveConnectionsHoldNoThread) {
  ServerOptions o;
  o.worker_threads = 1;
  o.keep_alive_timeout_seconds = 60;  // idle clients stay connected throughout
  std::unique_ptr<Server> server = health_server(o);
  Server& s = *server;
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(connection_after_one_request(s.port()));  // kept open, idle
  }
  // With one thread and four idle keep-alive connections, a fifth client and
  // the idle ones themselves are still served (a thread-per-connection
  // server would make them wait for the keep-alive timeout: the socket's 5 s
  // receive timeout would give status 0).
  EXPECT_EQ(raw_exchange(s.port(), get("/health", "Connection: close\r\n")).status, 200);
  for (int fd : idle) {
    send_all(fd, get("/health"));
    EXPECT_EQ(read_response(fd).status, 200);
    ::close(fd);
  }
}

TEST(Connections, HalfARequestIsDroppedAfterTheReadTimeout) {
  ServerOptions o;
  o.read_timeout_seconds = 1;
  std::unique_ptr<Server> server = health_server(o);
  Server& s = *server;
  int fd = connect_loopback(s.port());
  send_all(fd, "GET /health HTTP/1.1\r\nHost: h\r\n");  // never finished
  EXPECT_EQ(wait_for_close(fd), 0);
  ::close(fd);
  // The server goes on.
  EXPECT_EQ(raw_exchange(s.port(), get("/health", "Connection: close\r\n")).status, 200);
}

TEST(Connections, IdleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout) {
  ServerOptions o;
  o.keep_alive_timeout_seconds = 1;
  std::unique_ptr<Server> server = health_server(o);
  Server& s = *server;
  int fd = connection_after_one_request(s.port());
  EXPECT_EQ(wait_for_close(fd), 0);
  ::close(fd);
}

TEST(Connections, KeepAliveMaxRequestsClosesAfterTheLastOne) {
  ServerOptions o;
  o.keep_alive_max_requests = 2;
  o.read_timeout_seconds = 1;  // how long the server waits for the client to close first
  std::unique_ptr<Server> server = health_server(o);
  Server& s = *server;
  int fd = connect_loopback(s.port());
  send_all(fd, get("/health"));
  RawResponse first = read_response(fd);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.head.find("Connection: close"), std::string::npos) << first.head;
  send_all(fd, get("/health"));
  RawResponse second = read_response(fd);
  EXPECT_EQ(second.status, 200);
  EXPECT_NE(second.head.find("Connection: close"), std::string::npos) << second.head;
  EXPECT_EQ(wait_for_close(fd), 0);
  ::close(fd);
}

class ConnectionWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.max_body_bytes = 1024;
    o.read_timeout_seconds = 1;
    server_ = std::make_unique<Server>(o);
    server_->route(Method::kGet, "/big", [](const Request&) {
      return Response::text(200, std::string(1 << 20, 'x'));
    });
    server_->route(Method::kGet, "/health", [](const Request&) { return Response::json(200, {}); });
    server_->route(Method::kPost, "/size", [](const Request& r) {
      return Response::json(200, {{"size", r.body.size()}});
    });
    server_->route(Method::kGet, "/injected", [](const Request&) {
      return Response::json(200, {})
          .with_header("X-Split", "a\r\nX-Injected: 1")
          .with_header("Bad Name", "v")
          .with_header("X-Fine", "yes");
    });
    server_->route(Method::kGet, "/stream", [](const Request&) {
      return Response::streamed(200, "text/plain", [](const StreamWriter& write) {
        write("one ");
        write("");
        write("two");
      });
    });
    server_->route(Method::kGet, "/forever", [this](const Request&) {
      return Response::streamed(200, "text/plain", [this](const StreamWriter& write) {
        const std::string chunk(64 * 1024, 'f');
        while (write(chunk)) {
        }
        gone_.set_value();  // write() said the client is gone
      });
    });
    ASSERT_TRUE(server_->start().ok());
  }
  int port() const { return server_->port(); }
  std::unique_ptr<Server> server_;
  std::promise<void> gone_;
};

TEST_F(ConnectionWireTest, AGetWithABodyHasItReadAndTheConnectionStaysUsable) {
  int fd = connect_loopback(port());
  send_all(fd, "GET /big HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
  RawResponse big = read_response(fd);
  EXPECT_EQ(big.status, 200);
  EXPECT_EQ(big.body.size(), 1u << 20);  // the whole long answer, no reset
  send_all(fd, get("/health"));
  EXPECT_EQ(read_response(fd).status, 200);  // "hello" was not taken for a request
  ::close(fd);
}

TEST_F(ConnectionWireTest, AGetWithABodyOverTheLimitIs413) {
  RawResponse r = raw_exchange(port(), "GET /health HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" +
                                           std::string(2000, 'g'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.head.find("Connection: close"), std::string::npos);
}

TEST(Connections, AfterConnectionCloseTheServerWaitsForTheClientToCloseFirst) {
  // The side that closes first keeps the port pair in TIME_WAIT: that must be
  // the client, or a restarted server could not bind its port again.
  std::unique_ptr<Server> server = health_server(ServerOptions{});  // waits up to 5 s
  int fd = connect_loopback(server->port());
  send_all(fd, get("/health", "Connection: close\r\n"));
  RawResponse r = read_response(fd);
  EXPECT_EQ(r.status, 200);
  char c;
  EXPECT_EQ(::recv(fd, &c, 1, MSG_DONTWAIT), -1);  // no FIN from the server yet
  EXPECT_EQ(errno, EAGAIN);
  ::close(fd);
}

TEST_F(ConnectionWireTest, ResponseHeadersWithLineBreaksOrBadNamesAreDropped) {
  RawResponse r = raw_exchange(port(), get("/injected", "Connection: close\r\n"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.head.find("X-Injected"), std::string::npos) << r.head;
  EXPECT_EQ(r.head.find("X-Split"), std::string::npos) << r.head;
  EXPECT_EQ(r.head.find("Bad Name"), std::string::npos) << r.head;
  EXPECT_NE(r.head.find("X-Fine: yes"), std::string::npos) << r.head;
}

TEST_F(ConnectionWireTest, StreamedAnswerIsChunkedAndTheConnectionStaysUsable) {
  int fd = connect_loopback(port());
  send_all(fd, get("/stream"));
  std::string got = read_until(fd, "0\r\n\r\n");
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos) << got;
  EXPECT_NE(got.find("4\r\none \r\n3\r\ntwo\r\n0\r\n\r\n"), std::string::npos) << got;
  send_all(fd, get("/health"));
  EXPECT_EQ(read_response(fd).status, 200);
  ::close(fd);
}

TEST_F(ConnectionWireTest, StreamedAnswerToHttp10IsEndedByClosing) {
  int fd = connect_loopback(port());
  send_all(fd, "GET /stream HTTP/1.0\r\n\r\n");
  std::string got = read_until(fd, "\x01");  // everything until the server closes
  ::close(fd);
  ASSERT_GE(got.size(), 7u);
  EXPECT_EQ(got.find("chunked"), std::string::npos) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  EXPECT_EQ(got.substr(got.size() - 7), "one two");
}

TEST_F(ConnectionWireTest, AProducerWhoseClientStopsReadingGetsFalse) {
  int fd = connect_loopback(port());
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  send_all(fd, get("/forever"));
  // Nothing is read: the socket buffers fill, the write timeout (1 s) fires.
  std::future<void> gone = gone_.get_future();
  EXPECT_EQ(gone.wait_for(kSafety), std::future_status::ready);
  ::close(fd);
  EXPECT_EQ(raw_exchange(port(), get("/health", "Connection: close\r\n")).status, 200);
}

TEST_F(ConnectionWireTest, Http10KeepAliveIsHonoured) {
  int fd = connect_loopback(port());
  send_all(fd, "GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  RawResponse first = read_response(fd);
  EXPECT_NE(first.head.find("Connection: keep-alive"), std::string::npos) << first.head;
  send_all(fd, "GET /health HTTP/1.0\r\n\r\n");
  RawResponse second = read_response(fd);
  EXPECT_EQ(second.status, 200);
  EXPECT_NE(second.head.find("Connection: close"), std::string::npos) << second.head;
  // 1.0 without keep-alive: no further request is served; the server closes
  // once its wait for the client to close first (the read timeout, 1 s) ends.
  send_all(fd, "GET /health HTTP/1.0\r\n\r\n");
  EXPECT_EQ(wait_for_close(fd), 0);
  ::close(fd);
}

TEST_F(ConnectionWireTest, ExpectContinueGets100ThenTheAnswer) {
  int fd = connect_loopback(port());
  send_all(fd, "POST /size HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n"
               "Connection: close\r\n\r\n");
  std::string interim = read_until(fd, "\r\n\r\n");
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << interim;
  send_all(fd, "abc");
  RawResponse r = read_response(fd);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["size"], 3);
  ::close(fd);
}

TEST_F(ConnectionWireTest, HeaderBeyondTheLimitIs431) {
  RawResponse r = raw_exchange(
      port(), get("/health", "X-Huge: " + std::string(70 * 1024, 'h') + "\r\nConnection: close\r\n"));
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "BadRequest");
}

TEST_F(ConnectionWireTest, CompressedBodiesAreRefused) {
  RawResponse r = raw_exchange(port(), "POST /size HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n"
                                       "Content-Length: 3\r\nConnection: close\r\n\r\nabc");
  EXPECT_EQ(r.status, 415);
}

TEST(ConnectionsStop, StopFinishesTheRequestInFlightAndClosesIdleConnections) {
  Server s(ServerOptions{});
  std::latch entered(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  s.route(Method::kGet, "/block", [&](const Request&) {
    entered.count_down();
    released.wait();
    return Response::json(200, {{"done", true}});
  });
  s.route(Method::kGet, "/health", [](const Request&) { return Response::json(200, {}); });
  ASSERT_TRUE(s.start().ok());
  int idle = connection_after_one_request(s.port());

  int busy = connect_loopback(s.port());
  send_all(busy, get("/block"));
  entered.wait();
  std::thread stopper([&] { s.stop(); });
  EXPECT_EQ(wait_for_close(idle), 0);  // the idle keep-alive connection is closed by stop()
  release.set_value();
  RawResponse r = read_response(busy);
  EXPECT_EQ(r.status, 200);  // the request in flight was answered
  EXPECT_NE(r.head.find("Connection: close"), std::string::npos) << r.head;
  ::close(busy);
  stopper.join();
  ::close(idle);
}

}  // namespace
}  // namespace mpcc::http
