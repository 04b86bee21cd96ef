// File: http/internal/connection.h
//
// The connections of one http::Server (Boost.Beast over Boost.Asio, TLS via
// asio::ssl): each accepted socket is served by one coroutine on its own
// strand, so a connection runs on at most one thread at a time and holds
// none while it waits for bytes. A request is read, routed (Router) and its
// handler run inline on the io thread that read it; the answer is written and
// the connection waits for the next request (keep-alive) without a thread.
// A streamed answer's producer runs on `producers` (see server.h).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "http/internal/io_threads.h"
#include "http/internal/router.h"
#include "http/server.h"

namespace mpcc::http::internal {

// One live connection, as ConnectionHub::stop() sees it.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  // Thread-safe: closes the connection now if it waits for a request (or a
  // TLS handshake), else after the answer it is reading or writing.
  virtual void close_when_idle() = 0;
};

// What the connections of one server share. Owned by the server; outlives
// every connection and the io_context they run on.
class ConnectionHub {
 public:
  // `tls`: null for plain HTTP. `io_threads` run the connections (handlers
  // are announced to it); `producers` runs streamed answers' producers.
  ConnectionHub(const ServerOptions& options, const Router& router,
                boost::asio::ssl::context* tls, IoThreads& io_threads,
                boost::asio::thread_pool& producers)
      : options_(options), router_(router), tls_(tls), io_threads_(io_threads),
        producers_(producers) {}

  // Serves an accepted socket (whose executor is a strand of its own) until
  // the connection ends. TCP_NODELAY is set here.
  void serve(boost::asio::ip::tcp::socket socket);
  // Every connection, now and later, closes once idle (Server::stop()).
  void stop();

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  boost::asio::ssl::context* tls() const { return tls_; }
  IoThreads& io_threads() { return io_threads_; }
  boost::asio::thread_pool& producers() { return producers_; }
  bool stopping() const { return stopping_.load(); }
  void add(Connection* c);
  void remove(Connection* c);

 private:
  const ServerOptions& options_;
  const Router& router_;
  boost::asio::ssl::context* tls_;
  IoThreads& io_threads_;
  boost::asio::thread_pool& producers_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::unordered_set<Connection*> live_;
};

}  // namespace mpcc::http::internal
