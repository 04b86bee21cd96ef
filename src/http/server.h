// File: http/server.h
//
// An HTTP/1.1 server (cpp-httplib underneath) for mpcc's services: routes of
// (method, regex pattern) to small handler functions, TLS when given a
// certificate, TCP_NODELAY on (see ARCHITECTURE.md: without it keep-alive
// clients stall on Nagle vs delayed ACK), bounded request bodies, and an
// exception firewall: a handler that throws answers 500 with a JSON error and
// the exception is logged, never propagated.
//
//   http::Server server({.host = "127.0.0.1", .port = 0, .tls = tls_files});
//   server.route(http::Method::kPost, R"(/attest/(SevSnpVm|SevSnpVM))",
//                [&](const http::Request& req) { return attest(req); });
//   MPCC_RETURN_IF_ERROR(server.start());   // binds, serves on background threads
//   int port = server.port();
//
// Thread-safety: route() before start(); handlers run concurrently on the
// server's worker threads and must be thread-safe.
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
  std::size_t max_body_bytes = 1u << 20;
  // Each worker serves one connection at a time, for as long as the client
  // keeps it open (up to keep_alive_max_requests requests, or until it has
  // been idle keep_alive_timeout_seconds): have more workers than clients
  // that keep connections open, or they queue.
  std::size_t worker_threads = 32;
  int read_timeout_seconds = 10;
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
// Produces a streamed body (chunked transfer encoding) on the worker thread
// after the handler returned: it must own everything it uses. Exceptions are
// logged and end the stream.
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
