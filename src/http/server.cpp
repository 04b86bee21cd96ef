// File: http/server.cpp
//
// Server over Boost.Beast + Boost.Asio (asio::ssl for TLS): one io_context
// run by `worker_threads` threads, an acceptor on its own strand, and one
// coroutine per connection (internal/connection.cpp) that reads requests,
// routes them (internal/router.cpp, shared with Server::handle) inline and
// writes the answers. This file: Request/Response helpers and the lifecycle
// (bind, TLS context, threads, stop).
#include "http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "http/internal/ascii.h"
#include "http/internal/connection.h"
#include "http/internal/io_threads.h"
#include "http/internal/router.h"
#include "http/internal/target.h"

namespace mpcc::http {

using internal::iequals;

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The TLS settings httplib's SSLServer had (TLS 1.2 minimum, as OpenSSL 3's
// default security level enforced there; no compression, no session
// resumption on renegotiation; the certificate chain file and its PKCS#8
// key, checked to match). Throws when the files do not load.
std::unique_ptr<asio::ssl::context> make_tls_context(const TlsFiles& files) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression |
                   asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                   asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    throw std::runtime_error("cannot set the TLS 1.2 minimum");
  }
  ctx->use_certificate_chain_file(files.cert_pem_path);
  ctx->use_private_key_file(files.key_pem_path, asio::ssl::context::pem);
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    throw std::runtime_error("the key does not match the certificate");
  }
  return ctx;
}

// Accepts until the acceptor is closed; each socket gets a strand of its own.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, asio::io_context& io,
                                  internal::ConnectionHub& hub) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket(asio::make_strand(io));
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (!acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors or memory: say so, and do not spin.
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    hub.serve(std::move(socket));
  }
}

}  // namespace

// ---- Request / Response ----------------------------------------------------

std::optional<std::string> Request::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

StatusOr<nlohmann::json> Request::json_body() const {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument(std::string("request body is not JSON: ") + e.what());
  }
}

Response Response::json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  // Answers may quote client input (error messages, echoed fields): invalid
  // UTF-8 becomes U+FFFD instead of a type_error (a 500, found by fuzzing).
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Response Response::streamed(int status, std::string content_type, StreamProducer producer) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.stream = std::move(producer);
  return r;
}

Response& Response::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

// ---- Server ----------------------------------------------------------------

struct Server::Impl {
  ServerOptions options;
  internal::Router router;
  std::mutex mu;  // start/stop
  bool started = false;
  bool stopped = false;
  std::atomic<int> port{0};
  // Declaration order is destruction order reversed: the io_context (and the
  // connections it may still hold) goes before what they refer to.
  std::unique_ptr<asio::ssl::context> tls_context;
  std::unique_ptr<asio::thread_pool> producers;
  std::unique_ptr<internal::ConnectionHub> hub;
  std::unique_ptr<asio::io_context> io;
  std::unique_ptr<internal::IoThreads> io_threads;
  std::unique_ptr<tcp::acceptor> acceptor;

  bool tls() const { return options.tls.has_value(); }

  // Opens, binds and listens; the error message for "cannot bind ...".
  std::optional<std::string> listen() {
    const ServerOptions& o = options;
    boost::system::error_code ec;
    tcp::endpoint endpoint;
    asio::ip::address address = asio::ip::make_address(o.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, static_cast<unsigned short>(o.port));
    } else {
      tcp::resolver resolver(*io);
      auto found = resolver.resolve(o.host, std::to_string(o.port), ec);
      if (ec) return ec.message();
      if (found.empty()) return std::string("no address");
      endpoint = found.begin()->endpoint();
    }
    acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(*io));
    // SO_REUSEADDR (a quick restart over TIME_WAIT), never SO_REUSEPORT: a
    // second server on the same port must fail, not share the traffic.
    if (acceptor->open(endpoint.protocol(), ec) ||
        acceptor->set_option(asio::socket_base::reuse_address(true), ec) ||
        acceptor->bind(endpoint, ec) ||
        acceptor->listen(asio::socket_base::max_listen_connections, ec)) {
      acceptor.reset();
      return ec.message();
    }
    port = acceptor->local_endpoint().port();
    return std::nullopt;
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Server::~Server() { stop(); }

void Server::route(Method method, std::string pattern, Handler handler) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started) throw std::logic_error("http: route() after start()");
  impl_->router.add(method, std::move(pattern), std::move(handler));
}

Status Server::start() {
  Impl& d = *impl_;
  std::lock_guard<std::mutex> lock(d.mu);
  if (d.started) return failed_precondition("http: server already started (a Server runs once)");
  const ServerOptions& o = d.options;
  if (o.port < 0 || o.port > 65535) {
    return invalid_argument("http: invalid port " + std::to_string(o.port));
  }
  if (o.max_body_bytes == 0 || o.worker_threads == 0 || o.read_timeout_seconds <= 0) {
    return invalid_argument("http: max_body_bytes, worker_threads and read_timeout_seconds must be positive");
  }
  if (o.tls) {
    for (const std::string& f : {o.tls->cert_pem_path, o.tls->key_pem_path}) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(f, ec)) {
        return failed_precondition("http: TLS file '" + f + "' does not exist");
      }
    }
    try {
      d.tls_context = make_tls_context(*o.tls);
    } catch (const std::exception& e) {
      return invalid_argument("http: cannot load TLS certificate '" + o.tls->cert_pem_path +
                              "' with key '" + o.tls->key_pem_path +
                              "' (PEM expected; the key must match the certificate): " + e.what());
    }
  }
  d.io = std::make_unique<asio::io_context>(static_cast<int>(o.worker_threads));
  if (std::optional<std::string> error = d.listen()) {
    d.io.reset();
    return unavailable("cannot bind " + o.host + ":" + std::to_string(o.port) + ": " + *error);
  }
  std::size_t core = o.io_threads;
  if (core == 0) core = std::max<std::size_t>(2, std::thread::hardware_concurrency());
  core = std::min(core, o.worker_threads);
  d.io_threads = std::make_unique<internal::IoThreads>(*d.io, core, o.worker_threads);
  d.producers = std::make_unique<asio::thread_pool>(o.worker_threads);
  d.hub = std::make_unique<internal::ConnectionHub>(d.options, d.router, d.tls_context.get(),
                                                    *d.io_threads, *d.producers);
  asio::co_spawn(d.acceptor->get_executor(), accept_loop(*d.acceptor, *d.io, *d.hub),
                 [](std::exception_ptr e) {
                   if (e) spdlog::error("http: the accept loop ended with an exception");
                 });
  d.io_threads->start();
  d.started = true;
  spdlog::info("http: listening on {}", base_url());
  return ok_status();
}

void Server::stop() {
  Impl& d = *impl_;
  std::lock_guard<std::mutex> lock(d.mu);
  if (!d.started || d.stopped) return;
  asio::post(d.acceptor->get_executor(), [acceptor = d.acceptor.get()] {
    boost::system::error_code ec;
    acceptor->close(ec);
  });
  d.hub->stop();
  d.io_threads->join();  // the io_context runs out of work once every connection ended
  d.producers->join();
  d.stopped = true;
}

Response Server::handle(const Request& request) const {
  const Impl& d = *impl_;
  return d.router.dispatch(request, request.method, internal::method_name(request.method),
                           d.options.max_body_bytes);
}

int Server::port() const { return impl_->port.load(); }

std::string Server::base_url() const {
  return std::string(impl_->tls() ? "https://" : "http://") +
         internal::host_for_url(impl_->options.host, impl_->port.load());
}

}  // namespace mpcc::http
