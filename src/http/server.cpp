// File: http/server.cpp
//
// Server over httplib::Server / httplib::SSLServer. Each route becomes one
// httplib handler; bodies are read through httplib's ContentReader with our
// own bound (httplib 0.11.4 applies set_payload_max_length only to bodies
// with a Content-Length, not to chunked ones). After the routes, catch-all
// handlers answer 404 / 405 as JSON; httplib's own error statuses (400 for a
// malformed request line, 413, 414, ...) get a JSON body from the error
// handler, and anything thrown becomes a 500 JSON answer.
#include "http/server.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

#include "http/errors.h"

#include "http/internal/ascii.h"

namespace mpcc::http {

namespace {

using internal::iequals;

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kPatch: return "PATCH";
    case Method::kDelete: return "DELETE";
  }
  throw std::logic_error("http: unknown Method");
}

// Headers httplib adds to every request for its own bookkeeping.
bool is_pseudo_header(std::string_view name) {
  return iequals(name, "REMOTE_ADDR") || iequals(name, "REMOTE_PORT") ||
         iequals(name, "LOCAL_ADDR") || iequals(name, "LOCAL_PORT");
}

// A Host header we are willing to echo into URLs: host name or IP literal
// with an optional port, nothing else.
bool plausible_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

std::string host_for_url(const std::string& host, int port) {
  std::string h = host;
  if (h == "0.0.0.0" || h.empty()) h = "127.0.0.1";
  if (h == "::") h = "::1";
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

void write_response(const Response& r, httplib::Response& res) {
  if (r.status < 100 || r.status > 599) {
    throw std::logic_error("http: handler returned status " + std::to_string(r.status));
  }
  res.headers.clear();
  res.body.clear();
  res.status = r.status;
  std::string content_type = r.content_type;
  for (const auto& [name, value] : r.headers) {
    if (iequals(name, "Content-Type")) {
      content_type = value;
    } else if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) {
      continue;  // httplib frames the body itself
    } else {
      res.set_header(name, value);  // httplib drops names/values with CR or LF
    }
  }
  if (!r.stream) {
    res.set_content(r.body, content_type);
    return;
  }
  res.set_chunked_content_provider(
      content_type, [producer = r.stream](std::size_t, httplib::DataSink& sink) {
        try {
          producer([&sink](std::string_view chunk) {
            return chunk.empty() || sink.write(chunk.data(), chunk.size());
          });
        } catch (const std::exception& e) {
          spdlog::error("http: a streamed response failed: {}", e.what());
        }
        sink.done();
        return true;
      });
}

void write_error(httplib::Response& res, int status, std::string message) {
  write_response(http_error_response(status, std::move(message)), res);
}

// The 500 answer of the exception firewall (nothing about the exception).
constexpr const char* kInternalErrorBody =
    R"({"error":{"code":"InternalError","message":"internal error"}})";

void write_internal_error(httplib::Response& res) {
  res.headers.clear();
  res.body.clear();
  res.status = 500;
  res.set_content(kInternalErrorBody, "application/json; charset=utf-8");
}

std::string exception_text(const std::exception_ptr& ep) {
  try {
    if (ep) std::rethrow_exception(ep);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "non-standard exception";
  }
  return "unknown";
}

// Message for statuses httplib produces before any handler runs.
std::string builtin_error_message(int status, std::size_t max_body) {
  switch (status) {
    case 400: return "malformed HTTP request";
    case 404: return "no such resource";
    case 413: return "request body larger than " + std::to_string(max_body) + " bytes";
    case 414: return "request URI too long";
    case 415: return "unsupported content encoding";
    case 416: return "invalid Range header";
    default: return "HTTP status " + std::to_string(status);
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
  struct Route {
    Method method;
    std::string pattern;
    std::regex regex;
    Handler handler;
  };

  ServerOptions options;
  std::vector<Route> routes;
  std::unique_ptr<httplib::Server> server;
  std::thread listener;
  std::mutex mu;  // start/stop
  bool started = false;
  bool stopped = false;
  std::atomic<int> port{0};
  std::atomic<bool> listen_returned{false};

  bool tls() const { return options.tls.has_value(); }

  // Methods of the routes whose pattern matches `path`.
  std::set<Method> methods_for(const std::string& path) const {
    std::set<Method> out;
    for (const Route& r : routes) {
      if (std::regex_match(path, r.regex)) out.insert(r.method);
    }
    return out;
  }

  // Reads the request body through `reader` up to options.max_body_bytes.
  // On failure writes the error answer (413 / 400 / 415) and returns nullopt.
  std::optional<std::string> read_body(const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) const {
    if (req.is_multipart_form_data()) {
      write_error(res, 415, "multipart/form-data bodies are not accepted");
      res.set_header("Connection", "close");  // the body was not read
      return std::nullopt;
    }
    // RFC 9112 6.3: a request with neither Content-Length nor
    // Transfer-Encoding has no body (curl -X POST, a browser's bodiless fetch).
    if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
      return std::string();
    }
    std::string body;
    bool too_large = false;
    const std::size_t limit = options.max_body_bytes;
    bool ok = reader([&](const char* data, std::size_t n) {
      if (n > limit - body.size()) {
        too_large = true;
        return false;
      }
      body.append(data, n);
      return true;
    });
    if (ok) return body;
    int status = (too_large || res.status == 413) ? 413 : 400;
    write_error(res, status,
                status == 413 ? builtin_error_message(413, limit) : "cannot read the request body");
    res.set_header("Connection", "close");
    return std::nullopt;
  }

  Request convert(const httplib::Request& req, Method method, std::string body) const {
    Request r;
    r.method = method;
    r.path = req.path;
    for (std::size_t i = 1; i < req.matches.size(); ++i) r.path_params.push_back(req.matches[i].str());
    for (const auto& [k, v] : req.params) r.query.emplace(k, v);
    for (const auto& [k, v] : req.headers) {
      if (!is_pseudo_header(k)) r.headers.emplace_back(k, v);
    }
    r.body = std::move(body);
    r.remote_addr = req.remote_addr;
    std::string host = req.get_header_value("Host");
    if (!plausible_host(host)) host = host_for_url(req.local_addr, req.local_port);
    r.scheme_host = std::string(tls() ? "https://" : "http://") + host;
    return r;
  }

  // Runs route `index` (or, for nullopt, the 404/405 answer) for one request.
  void serve(std::optional<std::size_t> index, const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader* reader) const {
    try {
      std::string body;
      if (reader != nullptr) {
        std::optional<std::string> b = read_body(req, res, *reader);
        if (!b) return;
        body = std::move(*b);
      }
      if (!index) {
        not_routed(req, res);
        return;
      }
      const Route& route = routes[*index];
      Response out = route.handler(convert(req, route.method, std::move(body)));
      write_response(out, res);
      if (out.status >= 500) {
        spdlog::warn("http: {} {} answered {}", req.method, req.path, out.status);
      }
    } catch (const std::exception& e) {
      spdlog::error("http: handler for {} {} threw: {}", req.method, req.path, e.what());
      write_internal_error(res);
    } catch (...) {
      spdlog::error("http: handler for {} {} threw a non-standard exception", req.method,
                    req.path);
      write_internal_error(res);
    }
  }

  void not_routed(const httplib::Request& req, httplib::Response& res) const {
    std::set<Method> allowed = methods_for(req.path);
    if (allowed.empty()) {
      write_error(res, 404, "no such resource: " + req.path);
      return;
    }
    std::string allow;
    for (Method m : allowed) {
      if (!allow.empty()) allow += ", ";
      allow += method_name(m);
    }
    write_error(res, 405, "method " + req.method + " is not allowed on " + req.path);
    res.set_header("Allow", allow);
  }

  void register_handlers() {
    httplib::Server& s = *server;
    for (std::size_t i = 0; i < routes.size(); ++i) {
      const std::string& p = routes[i].pattern;
      auto plain = [this, i](const httplib::Request& req, httplib::Response& res) {
        serve(i, req, res, nullptr);
      };
      auto with_body = [this, i](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
        serve(i, req, res, &reader);
      };
      switch (routes[i].method) {
        case Method::kGet: s.Get(p, plain); break;
        case Method::kPost: s.Post(p, with_body); break;
        case Method::kPut: s.Put(p, with_body); break;
        case Method::kPatch: s.Patch(p, with_body); break;
        case Method::kDelete: s.Delete(p, with_body); break;
      }
    }
    // Catch-alls, after every route (httplib tries patterns in order).
    const std::string any = ".*";
    auto plain = [this](const httplib::Request& req, httplib::Response& res) {
      serve(std::nullopt, req, res, nullptr);
    };
    auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) {
      serve(std::nullopt, req, res, &reader);
    };
    s.Get(any, plain);
    s.Options(any, plain);
    s.Post(any, with_body);
    s.Put(any, with_body);
    s.Patch(any, with_body);
    s.Delete(any, with_body);

    const std::size_t max_body = options.max_body_bytes;
    s.set_error_handler(httplib::Server::HandlerWithResponse(
        [max_body](const httplib::Request&, httplib::Response& res) {
      // Answers we wrote already carry a Content-Type; only httplib's own
      // errors (bad request line, oversize body, URI too long...) get here bare.
      if (res.has_header("Content-Type")) return httplib::Server::HandlerResponse::Unhandled;
      write_error(res, res.status, builtin_error_message(res.status, max_body));
      return httplib::Server::HandlerResponse::Handled;
    }));
    s.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
          spdlog::error("http: {} {} threw: {}", req.method, req.path, exception_text(ep));
          write_internal_error(res);
        });
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Server::~Server() { stop(); }

void Server::route(Method method, std::string pattern, Handler handler) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started) throw std::logic_error("http: route() after start()");
  if (!handler) throw std::logic_error("http: route() with an empty handler");
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw std::logic_error("http: invalid route pattern '" + pattern + "': " + e.what());
  }
  impl_->routes.push_back({method, std::move(pattern), std::move(re), std::move(handler)});
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
    auto ssl = std::make_unique<httplib::SSLServer>(o.tls->cert_pem_path.c_str(),
                                                    o.tls->key_pem_path.c_str());
    if (!ssl->is_valid()) {
      return invalid_argument("http: cannot load TLS certificate '" + o.tls->cert_pem_path +
                              "' with key '" + o.tls->key_pem_path +
                              "' (PEM expected; the key must match the certificate)");
    }
    d.server = std::move(ssl);
  } else {
    d.server = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *d.server;
  s.set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT, which would let a second server bind
  // the same port and silently share its traffic; SO_REUSEADDR only allows a
  // quick restart over TIME_WAIT.
  s.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  s.set_payload_max_length(o.max_body_bytes);
  s.set_read_timeout(o.read_timeout_seconds, 0);
  s.set_write_timeout(o.read_timeout_seconds, 0);
  // httplib closes a connection after 5 requests by default: with TLS, a
  // new handshake every 5 requests was most of a small request's cost.
  s.set_keep_alive_max_count(o.keep_alive_max_requests);
  s.set_keep_alive_timeout(o.keep_alive_timeout_seconds);
  const std::size_t threads = o.worker_threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  d.register_handlers();

  errno = 0;
  int port = o.port;
  bool bound = false;
  if (o.port == 0) {
    port = s.bind_to_any_port(o.host);
    bound = port > 0;
  } else {
    bound = s.bind_to_port(o.host, o.port);
  }
  if (!bound) {
    int err = errno;
    d.server.reset();
    return unavailable("cannot bind " + o.host + ":" + std::to_string(o.port) +
                       (err != 0 ? std::string(": ") + std::strerror(err) : std::string()));
  }
  d.port = port;
  d.started = true;

  httplib::Server* raw = d.server.get();
  std::atomic<bool>* returned = &d.listen_returned;
  d.listener = std::thread([raw, returned] {
    if (!raw->listen_after_bind()) spdlog::error("http: the accept loop ended with an error");
    returned->store(true);
  });
  // listen_after_bind() marks the server running before its first accept();
  // the socket already queues connections, so this waits for the thread only.
  while (!s.is_running() && !d.listen_returned.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!s.is_running()) {  // the accept loop failed at once
    d.listener.join();
    d.stopped = true;
    return unavailable("http: the server on " + o.host + ":" + std::to_string(port) +
                       " did not start listening");
  }
  spdlog::info("http: listening on {}", d.tls() ? "https://" + host_for_url(o.host, port)
                                                : "http://" + host_for_url(o.host, port));
  return ok_status();
}

void Server::stop() {
  Impl& d = *impl_;
  std::lock_guard<std::mutex> lock(d.mu);
  if (!d.started || d.stopped) return;
  d.server->stop();
  if (d.listener.joinable()) d.listener.join();
  d.stopped = true;
}

Response Server::handle(const Request& request) const {
  const Impl& d = *impl_;
  try {
    if (request.body.size() > d.options.max_body_bytes) {
      return http_error_response(413, builtin_error_message(413, d.options.max_body_bytes));
    }
    for (const Impl::Route& route : d.routes) {
      std::smatch match;
      if (route.method != request.method || !std::regex_match(request.path, match, route.regex)) {
        continue;
      }
      Request routed = request;
      routed.path_params.clear();
      for (std::size_t i = 1; i < match.size(); ++i) routed.path_params.push_back(match[i].str());
      Response out = route.handler(routed);
      if (out.status < 100 || out.status > 599) {
        throw std::logic_error("http: handler returned status " + std::to_string(out.status));
      }
      return out;
    }
    std::set<Method> allowed = d.methods_for(request.path);
    if (allowed.empty()) return http_error_response(404, "no such resource: " + request.path);
    std::string allow;
    for (Method m : allowed) {
      if (!allow.empty()) allow += ", ";
      allow += method_name(m);
    }
    return http_error_response(405, "method " + std::string(method_name(request.method)) +
                                        " is not allowed on " + request.path)
        .with_header("Allow", allow);
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", method_name(request.method), request.path,
                  e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-standard exception",
                  method_name(request.method), request.path);
  }
  return Response::text(500, kInternalErrorBody, "application/json; charset=utf-8");
}

int Server::port() const { return impl_->port.load(); }

std::string Server::base_url() const {
  return std::string(impl_->tls() ? "https://" : "http://") +
         host_for_url(impl_->options.host, impl_->port.load());
}

}  // namespace mpcc::http
