// File: http/internal/connection.cpp
//
// One connection's state machine: [TLS handshake] -> { wait for a request
// (keep-alive idle timeout) -> read its header and body (read timeout) ->
// route -> write the answer (write timeout) } until either side closes.
// Beast parses (request_parser, bounded header and body) and serialises
// (including the chunks of streamed answers); this file decides what to
// answer and when to close.
//
// Timeouts: one steady_timer per connection, driven by a watchdog coroutine.
// An operation sets `deadline_` before it starts and clears it after; the
// watchdog cancels the socket's pending operation once the deadline passes
// (cancel, not close, so the server can still answer e.g. 400 for a body that
// stopped arriving). The timer is only moved when a deadline is earlier than
// its current expiry, so a keep-alive request costs no timer system call.
#include "http/internal/connection.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "http/errors.h"
#include "http/internal/ascii.h"
#include "http/internal/target.h"

namespace mpcc::http::internal {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using beast::error_code;

// Request header (request line + fields) bound. The target alone is bounded
// by kMaxTargetBytes (414), as httplib did.
constexpr std::size_t kHeaderLimit = 64 * 1024;
constexpr std::size_t kMaxTargetBytes = 8192;
constexpr std::size_t kReadChunk = 16 * 1024;
// After an answer that ends the connection (Connection: close asked for or
// sent: 413, stop()...), the server waits for the client to close first,
// reading and dropping what it still sends, for this long / this much: so
// that closing does not reset the connection before the answer was read, and
// the TIME_WAIT stays on the client's side (a server that closes first keeps
// its port in TIME_WAIT, which made a restart on the same port fail).
constexpr auto kMaxLinger = std::chrono::seconds(5);
constexpr std::size_t kMaxLingerBytes = 1u << 20;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// RFC 9110 5.6.2 token characters: what a header name may contain.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// The handler's status, content type and headers onto `fields`. Framing is
// ours (Content-Length / Transfer-Encoding / Connection from a handler are
// dropped, as are names that are not tokens and values with CR/LF/NUL).
template <class Message>
void set_head(const Response& out, Message& m) {
  m.version(11);
  m.result(static_cast<unsigned>(out.status));
  std::string content_type = out.content_type;
  for (const auto& [name, value] : out.headers) {
    if (!is_token(name) || has_line_break(value)) continue;
    if (iequals(name, "Content-Type")) {
      content_type = value;
    } else if (!iequals(name, "Content-Length") && !iequals(name, "Transfer-Encoding") &&
               !iequals(name, "Connection")) {
      m.insert(name, value);
    }
  }
  if (!has_line_break(content_type)) m.set(bhttp::field::content_type, content_type);
}

template <class Message>
void set_keep_alive(Message& m, unsigned request_version, bool keep_alive) {
  m.keep_alive(keep_alive);
  // An HTTP/1.0 client keeps the connection only when told so.
  if (keep_alive && request_version < 11) m.set(bhttp::field::connection, "keep-alive");
}

// A request we refuse before routing: the answer, and the connection closes.
// `request_line_read`: the parser got past the request line.
std::optional<Response> header_refusal(const error_code& ec, bool request_line_read,
                                       std::size_t max_body_bytes) {
  if (ec == bhttp::error::body_limit) return body_too_large_response(max_body_bytes);
  if (ec == bhttp::error::header_limit) {
    if (!request_line_read) return http_error_response(414, "request URI too long");
    return http_error_response(431, "request header larger than " +
                                        std::to_string(kHeaderLimit) + " bytes");
  }
  // Other parse errors (bad request line, field, length, chunk...) are
  // Beast's http category; the end of the stream and socket errors are not
  // answered.
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return http_error_response(400, "malformed HTTP request");
  }
  return std::nullopt;
}

// Names httplib used for its own request bookkeeping (and handed to
// handlers as headers): a client sending them is not passed on, so no
// handler mistakes one for the server's word (like nginx, which drops header
// names with underscores by default).
bool is_pseudo_header(std::string_view name) {
  return iequals(name, "REMOTE_ADDR") || iequals(name, "REMOTE_PORT") ||
         iequals(name, "LOCAL_ADDR") || iequals(name, "LOCAL_PORT");
}

// Our Method for a Beast verb; nullopt for methods no route has (OPTIONS...).
std::optional<Method> route_method(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
    case bhttp::verb::head: return Method::kGet;
    case bhttp::verb::post: return Method::kPost;
    case bhttp::verb::put: return Method::kPut;
    case bhttp::verb::patch: return Method::kPatch;
    case bhttp::verb::delete_: return Method::kDelete;
    default: return std::nullopt;
  }
}

// Refusals after the header was read and before the body is: the answer,
// and the connection closes (the body is not read).
std::optional<Response> request_refusal(const bhttp::request_parser<bhttp::string_body>& parser) {
  const auto& req = parser.get();
  if (req.method() == bhttp::verb::unknown) {
    return http_error_response(400, "unsupported HTTP method");
  }
  std::string_view target = sv(req.target());
  if (target.size() > kMaxTargetBytes) return http_error_response(414, "request URI too long");
  if (target.empty() || target.front() != '/') {
    return http_error_response(400, "malformed HTTP request: the target must be a path");
  }
  if (parser.is_done()) return std::nullopt;  // no body
  std::string_view type = sv(req[bhttp::field::content_type]);
  if (type.size() >= 19 && iequals(type.substr(0, 19), "multipart/form-data")) {
    return http_error_response(415, "multipart/form-data bodies are not accepted");
  }
  std::string_view encoding = sv(req[bhttp::field::content_encoding]);
  if (!encoding.empty() && !iequals(encoding, "identity")) {
    return http_error_response(415, "unsupported content encoding");
  }
  return std::nullopt;
}

beast::ssl_stream<tcp::socket> make_stream(tcp::socket socket, asio::ssl::context* tls,
                                           beast::ssl_stream<tcp::socket>*) {
  return beast::ssl_stream<tcp::socket>(std::move(socket), *tls);
}
tcp::socket make_stream(tcp::socket socket, asio::ssl::context*, tcp::socket*) { return socket; }

void log_coroutine_end(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("http: a connection ended with an exception: {}", ex.what());
  } catch (...) {
    spdlog::error("http: a connection ended with a non-standard exception");
  }
}

template <class Stream>
class ConnectionImpl final : public Connection {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

  ConnectionImpl(ConnectionHub& hub, tcp::socket socket)
      : hub_(hub),
        stream_(make_stream(std::move(socket), hub.tls(), static_cast<Stream*>(nullptr))),
        timer_(stream_.get_executor(), Clock::time_point::max()) {
    const ServerOptions& o = hub.options();
    read_timeout_ = std::chrono::seconds(o.read_timeout_seconds);
    keep_alive_timeout_ = std::chrono::seconds(std::max(o.keep_alive_timeout_seconds, 1));
    error_code ec;
    tcp::socket& s = beast::get_lowest_layer(stream_);
    tcp::endpoint remote = s.remote_endpoint(ec);
    if (!ec) remote_addr_ = remote.address().to_string();
    tcp::endpoint local = s.local_endpoint(ec);
    if (!ec) local_host_ = host_for_url(local.address().to_string(), local.port());
    hub_.add(this);
  }
  ~ConnectionImpl() override { hub_.remove(this); }

  void begin() {
    auto self = std::static_pointer_cast<ConnectionImpl>(shared_from_this());
    asio::co_spawn(stream_.get_executor(), watchdog(self), log_coroutine_end);
    asio::co_spawn(stream_.get_executor(), run(self), log_coroutine_end);
  }

  void close_when_idle() override {
    auto self = std::static_pointer_cast<ConnectionImpl>(shared_from_this());
    asio::post(stream_.get_executor(), [self] {
      self->stopping_ = true;
      if (self->idle_) self->cancel_io();
    });
  }

 private:
  static asio::awaitable<void> run(std::shared_ptr<ConnectionImpl> self) {
    try {
      bool server_closes = co_await self->serve_requests();
      if (server_closes) co_await self->linger();
    } catch (const std::exception& e) {  // (handlers' exceptions never get here)
      spdlog::error("http: a connection failed: {}", e.what());
    }
    self->finish();  // also ends the watchdog, and with it the connection
  }

  // Cancels the watched operation once its deadline passed.
  static asio::awaitable<void> watchdog(std::shared_ptr<ConnectionImpl> self) {
    while (self->open_) {
      error_code ec;
      self->timer_.expires_at(self->deadline_);
      co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (self->open_ && self->deadline_ <= Clock::now()) {
        self->deadline_ = Clock::time_point::max();
        self->timed_out_ = true;
        self->cancel_io();
      }
    }
  }

  void set_deadline(Clock::duration d) {
    timed_out_ = false;
    deadline_ = Clock::now() + d;
    if (deadline_ < timer_.expiry()) timer_.expires_at(deadline_);  // wakes the watchdog
  }
  void clear_deadline() { deadline_ = Clock::time_point::max(); }

  void cancel_io() {
    error_code ec;
    beast::get_lowest_layer(stream_).cancel(ec);
  }

  void finish() {
    open_ = false;
    timer_.cancel();
    error_code ec;
    beast::get_lowest_layer(stream_).close(ec);
  }

  // Serves requests until one side ends the connection. True when the server
  // decided to close (the socket is then closed gracefully: linger()).
  asio::awaitable<bool> serve_requests() {
    error_code ec;
    const ServerOptions& o = hub_.options();
    // (A connection registered after stop() looked checks hub_.stopping()
    // itself before each wait.)
    if (hub_.stopping()) co_return false;
    if constexpr (kTls) {
      idle_ = true;
      set_deadline(read_timeout_);
      co_await stream_.async_handshake(asio::ssl::stream_base::server,
                                       asio::redirect_error(asio::use_awaitable, ec));
      idle_ = false;
      clear_deadline();
      if (ec) co_return false;
    }
    for (std::size_t served = 0;; ++served) {
      if (stopping_ || hub_.stopping()) co_return true;
      if (buffer_.size() == 0) {
        // Idle: no thread is held while the client thinks.
        idle_ = true;
        set_deadline(served == 0 ? read_timeout_ : keep_alive_timeout_);
        std::size_t n = co_await stream_.async_read_some(
            buffer_.prepare(kReadChunk), asio::redirect_error(asio::use_awaitable, ec));
        idle_ = false;
        clear_deadline();
        if (ec) co_return false;
        buffer_.commit(n);
      }

      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
      parser.body_limit(o.max_body_bytes);
      set_deadline(read_timeout_);
      co_await bhttp::async_read_header(stream_, buffer_, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      clear_deadline();
      if (ec) {
        std::optional<Response> refusal = header_refusal(ec, !parser.get().target().empty(), o.max_body_bytes);
        if (!refusal) co_return false;  // the client left, or sent half a header
        bool keep_alive = false;
        co_await send(std::move(*refusal), false, 11, keep_alive);
        co_return true;
      }
      const unsigned version = parser.get().version();
      if (std::optional<Response> refusal = request_refusal(parser)) {
        bool keep_alive = false;
        co_await send(std::move(*refusal), false, version, keep_alive);
        co_return true;
      }
      if (!parser.is_done()) {
        // Any method's body is read (a GET with a Content-Length too), so
        // that the answer is never lost to a reset over unread bytes.
        if (iequals(sv(parser.get()[bhttp::field::expect]), "100-continue")) {
          bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
          set_deadline(read_timeout_);
          co_await bhttp::async_write(stream_, go_on, asio::redirect_error(asio::use_awaitable, ec));
          clear_deadline();
          if (ec) co_return false;
        }
        set_deadline(read_timeout_);
        co_await bhttp::async_read(stream_, buffer_, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
        bool timed_out = timed_out_;
        clear_deadline();
        if (ec) {
          std::optional<Response> refusal;
          if (ec == bhttp::error::body_limit) {
            refusal = body_too_large_response(o.max_body_bytes);
          } else if (timed_out || header_refusal(ec, true, o.max_body_bytes)) {
            refusal = http_error_response(400, "cannot read the request body");
          }
          if (!refusal) co_return false;
          bool keep_alive = false;
          co_await send(std::move(*refusal), false, version, keep_alive);
          co_return true;
        }
      }

      bhttp::request<bhttp::string_body>& req = parser.get();
      const bool head = req.method() == bhttp::verb::head;
      const std::optional<Method> method = route_method(req.method());
      const std::string method_text(sv(req.method_string()));
      Request request = to_request(req, method);
      Response out;
      {
        HandlerScope in_handler(hub_.io_threads());  // it may block this thread
        out = hub_.router().dispatch(request, method, method_text, o.max_body_bytes);
      }
      if (out.status >= 500) {
        spdlog::warn("http: {} {} answered {}", method_text, request.path, out.status);
      }
      // Decided after the handler: a stop() meanwhile closes this connection.
      bool keep_alive = req.keep_alive() && served + 1 < o.keep_alive_max_requests &&
                        !stopping_ && !hub_.stopping();
      if (!co_await send(std::move(out), head, version, keep_alive)) co_return false;  // may clear keep_alive
      if (!keep_alive) co_return true;
    }
  }

  Request to_request(bhttp::request<bhttp::string_body>& req, std::optional<Method> method) const {
    Request r;
    r.method = method.value_or(Method::kGet);
    std::string_view target = sv(req.target());
    std::size_t q = target.find('?');
    r.path = percent_decode(target.substr(0, q), false);
    if (q != std::string_view::npos) parse_query(target.substr(q + 1), r.query);
    r.headers.reserve(static_cast<std::size_t>(std::distance(req.begin(), req.end())));
    for (const auto& field : req) {
      std::string_view name = sv(field.name_string());
      if (is_pseudo_header(name)) continue;
      r.headers.emplace_back(std::string(name), std::string(sv(field.value())));
    }
    r.body = std::move(req.body());
    r.remote_addr = remote_addr_;
    std::string_view host = sv(req[bhttp::field::host]);
    r.scheme_host = std::string(kTls ? "https://" : "http://") +
                    (plausible_host(host) ? std::string(host) : local_host_);
    return r;
  }

  // Writes `out` (a HEAD answer without its body). False when the client is
  // gone. Clears `keep_alive` when the answer must end the connection.
  asio::awaitable<bool> send(Response out, bool head, unsigned request_version, bool& keep_alive) {
    if (out.stream) {
      keep_alive = keep_alive && request_version >= 11;
      co_return co_await send_streamed(std::move(out), head, request_version, keep_alive);
    }
    bhttp::response<bhttp::string_body> res;
    try {
      set_head(out, res);
      res.body() = std::move(out.body);
      res.prepare_payload();  // Content-Length; throws for a body where none may be (204, 304)
    } catch (const std::exception& e) {
      spdlog::error("http: cannot send a {} answer: {}", out.status, e.what());
      res = {};
      Response fallback = internal_error_response();
      set_head(fallback, res);
      res.body() = std::move(fallback.body);
      res.prepare_payload();
    }
    set_keep_alive(res, request_version, keep_alive);
    error_code ec;
    set_deadline(read_timeout_);
    if (head) {
      bhttp::response_serializer<bhttp::string_body> serializer{res};
      co_await bhttp::async_write_header(stream_, serializer,
                                         asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await bhttp::async_write(stream_, res, asio::redirect_error(asio::use_awaitable, ec));
    }
    clear_deadline();
    co_return !ec;
  }

  // A streamed answer: the header, then the producer's chunks (chunked
  // encoding; for an HTTP/1.0 client the raw bytes, ended by closing).
  // The connection closes afterwards only for HTTP/1.0.
  asio::awaitable<bool> send_streamed(Response out, bool head, unsigned request_version,
                                      bool keep_alive) {
    const bool chunked = request_version >= 11;
    bhttp::response<bhttp::empty_body> res;
    set_head(out, res);
    if (chunked) res.chunked(true);
    set_keep_alive(res, request_version, keep_alive);
    error_code ec;
    set_deadline(read_timeout_);
    bhttp::response_serializer<bhttp::empty_body> serializer{res};
    co_await bhttp::async_write_header(stream_, serializer,
                                       asio::redirect_error(asio::use_awaitable, ec));
    clear_deadline();
    if (ec) co_return false;
    if (head) co_return true;
    // The producer runs on the producer pool; this coroutine (and its io
    // thread) waits for it without blocking, woken through `finished`.
    stream_broken_ = false;
    bool done = false;
    asio::steady_timer finished(stream_.get_executor(), Clock::time_point::max());
    auto self = std::static_pointer_cast<ConnectionImpl>(shared_from_this());
    asio::post(hub_.producers(),
               [self, producer = std::move(out.stream), chunked, &done, &finished] {
                 StreamWriter write = [&self, chunked](std::string_view chunk) {
                   return self->write_chunk(chunk, chunked);
                 };
                 try {
                   producer(write);
                 } catch (const std::exception& e) {
                   spdlog::error("http: a streamed response failed: {}", e.what());
                 } catch (...) {
                   spdlog::error("http: a streamed response failed (non-standard exception)");
                 }
                 asio::post(self->stream_.get_executor(), [&done, &finished] {
                   done = true;
                   finished.cancel();
                 });
               });
    while (!done) {
      co_await finished.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (stream_broken_) co_return false;
    if (!chunked) {
      body_ends_with_close_ = true;  // HTTP/1.0: closing ends the body
      co_return true;
    }
    set_deadline(read_timeout_);
    co_await asio::async_write(stream_, bhttp::make_chunk_last(),
                               asio::redirect_error(asio::use_awaitable, ec));
    clear_deadline();
    co_return !ec;
  }

  // Called by a producer (on the producer pool): writes one chunk through the
  // connection's strand and waits for it, or for the write timeout. False
  // once the client is gone (or stopped reading for read_timeout_seconds).
  bool write_chunk(std::string_view chunk, bool chunked) {
    if (chunk.empty()) return true;  // an empty chunk would end the body
    std::promise<bool> written;
    std::future<bool> result = written.get_future();
    asio::post(stream_.get_executor(), [this, chunk, chunked, &written] {
      if (stream_broken_) {
        written.set_value(false);
        return;
      }
      set_deadline(read_timeout_);
      auto on_written = [this, &written](error_code ec, std::size_t) {
        clear_deadline();
        if (ec) stream_broken_ = true;
        written.set_value(!ec);
      };
      asio::const_buffer bytes(chunk.data(), chunk.size());
      if (chunked) {
        asio::async_write(stream_, bhttp::make_chunk(bytes), on_written);
      } else {
        asio::async_write(stream_, bytes, on_written);
      }
    });
    return result.get();
  }

  // Drops what the client still sends until it closes (or kMaxLinger /
  // kMaxLingerBytes). Our side is shut for writing first only when closing is
  // what ends the body (a stream to an HTTP/1.0 client).
  asio::awaitable<void> linger() {
    error_code ec;
    tcp::socket& socket = beast::get_lowest_layer(stream_);
    if (body_ends_with_close_) socket.shutdown(tcp::socket::shutdown_send, ec);
    set_deadline(std::min<Clock::duration>(read_timeout_, kMaxLinger));
    std::array<char, 4096> sink;
    std::size_t drained = 0;
    while (!ec && drained < kMaxLingerBytes) {
      drained += co_await socket.async_read_some(asio::buffer(sink),
                                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    clear_deadline();
  }

  ConnectionHub& hub_;
  Stream stream_;
  asio::steady_timer timer_;
  Clock::duration read_timeout_{};
  Clock::duration keep_alive_timeout_{};
  Clock::time_point deadline_ = Clock::time_point::max();
  beast::flat_buffer buffer_;
  std::string remote_addr_;
  std::string local_host_;
  // All below are touched on the connection's strand only.
  bool open_ = true;
  bool idle_ = false;       // waiting for a request or the TLS handshake
  bool stopping_ = false;   // close_when_idle() was called
  bool timed_out_ = false;  // the watchdog cancelled the last operation
  bool stream_broken_ = false;
  bool body_ends_with_close_ = false;
};

template <class Stream>
void start_connection(ConnectionHub& hub, tcp::socket socket) {
  std::make_shared<ConnectionImpl<Stream>>(hub, std::move(socket))->begin();
}

}  // namespace

void ConnectionHub::serve(tcp::socket socket) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  if (tls_ != nullptr) {
    start_connection<beast::ssl_stream<tcp::socket>>(*this, std::move(socket));
  } else {
    start_connection<tcp::socket>(*this, std::move(socket));
  }
}

void ConnectionHub::stop() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (Connection* c : live_) {
      if (std::shared_ptr<Connection> p = c->weak_from_this().lock()) live.push_back(std::move(p));
    }
  }
  for (const auto& c : live) c->close_when_idle();
}

void ConnectionHub::add(Connection* c) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.insert(c);
}

void ConnectionHub::remove(Connection* c) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(c);
}

}  // namespace mpcc::http::internal
