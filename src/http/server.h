// File: http/server.h
//
// An HTTP/1.1 server for mpcc's services: routes of (method, regex pattern)
// to small handler functions, TLS when given a certificate, TCP_NODELAY on
// (see ARCHITECTURE.md: without it keep-alive clients stall on Nagle vs
// delayed ACK), bounded request bodies, and an exception firewall: a handler
// that throws answers 500 with a JSON error and the exception is logged,
// never propagated. Underneath: Boost.Beast (parsing, serialising, chunked
// encoding) over Boost.Asio with asio::ssl (OpenSSL 3); event-driven, one
// coroutine per connection (src/http/README.md has the design and figures).
//
//   http::Server server({.host = "127.0.0.1", .port = 0, .tls = tls_files});
//   server.route(http::Method::kPost, R"(/attest/(SevSnpVm|SevSnpVM))",
//                [&](const http::Request& req) { return attest(req); });
//   MPCC_RETURN_IF_ERROR(server.start());   // binds, serves on background threads
//   int port = server.port();
//
// Threading: connections are served by a few io threads (io_threads, one
// per core by default); a handler runs inline on the io thread that read its
// request (no hand-off per request). Handlers may block (a key release, a
// long stream): while every io thread is inside a handler, a spare thread
// takes over serving the other connections, up to worker_threads threads in
// all, so up to worker_threads - 1 handlers may block at once without
// stalling anyone; beyond that, new requests wait. A connection waiting for
// its next request (keep-alive) holds no thread.
//
// Thread-safety: route() before start(); handlers run concurrently on the
// server's threads and must be thread-safe. handle(), port() and
// base_url() may be called from any thread; start() and stop() too (they
// serialise), but not stop() from inside a handler.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace mpcc::http {

enum class Method { kGet, kPost, kPut, kPatch, kDelete };

struct TlsFiles {
  std::string cert_pem_path;  // server certificate (leaf first, then chain)
  std::string key_pem_path;   // its private key (PKCS#8 PEM)
};

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  int port = 0;                    // 0: an ephemeral port, see Server::port()
  std::optional<TlsFiles> tls;     // plain HTTP when absent
  // Request bodies (whatever the framing, any method): 413 above this.
  std::size_t max_body_bytes = 1u << 20;
  // The most threads serving connections and running handlers at once (see
  // Threading above): up to worker_threads - 1 handlers may block without
  // stalling other connections. Also the size of the pool that runs the
  // producers of streamed answers. Idle keep-alive connections hold none.
  std::size_t worker_threads = 32;
  // Threads serving connections while no handler blocks; 0: one per CPU
  // core, at least 2; never more than worker_threads. (More threads on one
  // event loop cost more than they give: README.md.)
  std::size_t io_threads = 0;
  // A request's header, and then its body, must arrive within this; a
  // client that sends half a request is dropped (half a body: 400). Also the
  // write timeout: an answer (or one chunk of a stream) the client does not
  // take within it ends the connection (the producer's write() gets false).
  int read_timeout_seconds = 10;
  // Keep-alive: up to this many requests per connection, and the connection
  // is closed after this long without a new request.
  std::size_t keep_alive_max_requests = 10000;
  int keep_alive_timeout_seconds = 5;
};

// Header names are matched case-insensitively.
struct Request {
  Method method = Method::kGet;
  std::string path;                       // decoded path, no query
  std::vector<std::string> path_params;   // regex captures of the route, in order
  std::multimap<std::string, std::string> query;  // percent-decoded names and values
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_addr;
  std::string scheme_host;  // "https://127.0.0.1:8443" as the client addressed us (Host header)

  std::optional<std::string> header(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  // Parses the body as JSON; kInvalidArgument "request body is not JSON: ..." otherwise.
  StatusOr<nlohmann::json> json_body() const;
};

// Writes one piece of a streamed body; false when the client went away (stop
// producing then).
using StreamWriter = std::function<bool(std::string_view chunk)>;
// Produces a streamed body (chunked transfer encoding; for an HTTP/1.0
// client the raw bytes, ended by closing) after the handler returned, on a
// thread of the server's producer pool (not an io thread): it must own
// everything it uses. write() returns once the chunk was written, or false
// once the client is gone or did not read it within read_timeout_seconds.
// Exceptions are logged and end the stream (the chunked body is terminated).
using StreamProducer = std::function<void(const StreamWriter& write)>;

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  StreamProducer stream;  // when set, the body is streamed and `body` is ignored

  // Compact JSON; strings that are not valid UTF-8 (client input quoted in
  // a message) are written with U+FFFD for the invalid bytes.
  static Response json(int status, const nlohmann::json& body);
  static Response text(int status, std::string body, std::string content_type = "text/plain");
  // A streamed answer (e.g. server-sent events: "text/event-stream").
  static Response streamed(int status, std::string content_type, StreamProducer producer);
  Response& with_header(std::string name, std::string value);
};

using Handler = std::function<Response(const Request&)>;

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // `pattern` is an ECMAScript regex matched against the whole path.
  void route(Method method, std::string pattern, Handler handler);

  // Answers one request in process, without a socket (fuzzing, tests): the
  // first route whose method matches and whose pattern matches the whole
  // path runs with `request` (its path_params set from the captures);
  // otherwise 405 (with Allow) or 404, and 413 for a body over
  // max_body_bytes, all as JSON errors. A handler that throws, or answers a
  // status outside 100-599, gives the same 500 JSON answer as over HTTP.
  // A streamed Response is returned unstarted. May be called before, during
  // or after start(), concurrently with the server's own requests.
  Response handle(const Request& request) const;

  // Binds (kUnavailable "cannot bind host:port: ...") and starts serving on
  // background threads; returns once the socket accepts connections.
  Status start();
  // Stops accepting, finishes in-flight requests, joins. Idempotent.
  void stop();
  // The bound port (after start()).
  int port() const;
  // "https://127.0.0.1:PORT" or "http://...".
  std::string base_url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpcc::http
