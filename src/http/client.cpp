// File: http/client.cpp
//
// Client over httplib::ClientImpl / httplib::SSLClient: one connection per
// request, server certificate verification always on for https (the
// configured CA file, else the system's roots), no redirects, the request
// target sent exactly as given (set_url_encode(false); Url::parse refuses
// bytes that would need encoding), and the response body collected through a
// content receiver that stops past max_response_bytes.
#include "http/client.h"

#include <httplib.h>

#include <charconv>
#include <memory>
#include <stdexcept>

#include "crypto/x509_extensions.h"

#include "http/internal/ascii.h"

namespace mpcc::http {

namespace {

using internal::iequals;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// Visible ASCII only: no space, control character or byte >= 0x80 (callers
// percent-encode; what they pass is what goes on the wire).
bool wire_safe(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

bool header_safe(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

int default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

std::chrono::microseconds to_us(int ms) {
  return std::chrono::microseconds(static_cast<int64_t>(ms < 0 ? 0 : ms) * 1000);
}

}  // namespace

// ---- Url -------------------------------------------------------------------

StatusOr<Url> Url::parse(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return invalid_argument("URL '" + std::string(url) + "': " + std::string(why));
  };
  if (!wire_safe(url)) return bad("contains a space, control or non-ASCII character");
  std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) return bad("no scheme");
  Url u;
  u.scheme = lower(url.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return bad("scheme is not http or https");
  std::string_view rest = url.substr(sep + 3);
  std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return bad("user information is not supported");

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    u.host = std::string(authority.substr(1, close - 1));
    for (char c : u.host) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
            c == ':' || c == '.')) {
        return bad("invalid IPv6 literal");
      }
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after the IPv6 literal");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
  } else {
    std::size_t colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("empty port");
    }
    for (char c : u.host) {
      if (!host_char(c)) return bad("invalid host");
    }
  }
  if (u.host.empty()) return bad("no host");
  u.port = default_port(u.scheme);
  if (!port_text.empty()) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || p < 1 || p > 65535) {
      return bad("invalid port");
    }
    u.port = p;
  }
  std::string_view path = tail.substr(0, tail.find('#'));  // the fragment stays local
  u.path_and_query = path.empty() || path.front() != '/' ? "/" + std::string(path) : std::string(path);
  return u;
}

std::string Url::origin() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string out = scheme + "://" + h;
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out;
}

// ---- ClientResponse --------------------------------------------------------

std::optional<std::string> ClientResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

StatusOr<nlohmann::json> ClientResponse::json() const {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument(std::string("response body is not JSON: ") + e.what());
  }
}

// ---- Client ----------------------------------------------------------------

Client::Client(ClientOptions options) : options_(std::move(options)) {}

StatusOr<ClientResponse> Client::get(const std::string& url, const Headers& headers) const {
  return request("GET", url, "", "", headers);
}

StatusOr<ClientResponse> Client::post_json(const std::string& url, const nlohmann::json& body,
                                           const Headers& headers) const {
  std::string text;
  try {
    text = body.dump();
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument(std::string("request body cannot be serialized: ") + e.what());
  }
  return request("POST", url, text, "application/json", headers);
}

StatusOr<ClientResponse> Client::request(std::string_view method, const std::string& url,
                                         const std::string& body, const std::string& content_type,
                                         const Headers& headers) const {
  MPCC_ASSIGN_OR_RETURN(Url u, Url::parse(url));
  if (!token(method)) return invalid_argument("invalid HTTP method '" + std::string(method) + "'");
  const std::string method_text(method);
  // For messages: never the query string (it may carry secrets).
  const std::string where =
      method_text + " " + u.origin() + u.path_and_query.substr(0, u.path_and_query.find('?'));

  httplib::Request req;
  req.method = method_text;
  req.path = u.path_and_query;
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    if (!token(name) || !header_safe(value)) {
      return invalid_argument(where + ": invalid header '" + name + "'");
    }
    if (iequals(name, "Content-Type")) has_content_type = true;
    req.headers.emplace(name, value);
  }
  if (!header_safe(content_type)) return invalid_argument(where + ": invalid content type");
  if (!has_content_type && !content_type.empty()) req.headers.emplace("Content-Type", content_type);
  req.body = body;

  const std::size_t limit = options_.max_response_bytes;
  bool too_large = false;
  std::string received;
  req.response_handler = [&](const httplib::Response& r) {
    std::string cl = r.get_header_value("Content-Length");
    std::size_t n = 0;
    auto [ptr, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), n);
    if (!cl.empty() && ec == std::errc() && ptr == cl.data() + cl.size() && n > limit) {
      too_large = true;
      return false;
    }
    return true;
  };
  req.content_receiver = [&](const char* data, std::size_t n, uint64_t, uint64_t) {
    if (n > limit - received.size()) {
      too_large = true;
      return false;
    }
    received.append(data, n);
    return true;
  };

  std::unique_ptr<httplib::ClientImpl> cli;
  httplib::SSLClient* ssl = nullptr;
  if (u.scheme == "https") {
    auto c = std::make_unique<httplib::SSLClient>(u.host, u.port);
    if (!c->is_valid()) return internal_error(where + ": cannot create a TLS context");
    if (!options_.ca_cert_path.empty()) c->set_ca_cert_path(options_.ca_cert_path);
    c->enable_server_certificate_verification(true);
    ssl = c.get();
    cli = std::move(c);
  } else {
    cli = std::make_unique<httplib::ClientImpl>(u.host, u.port);
  }
  cli->set_connection_timeout(to_us(options_.connect_timeout_ms));
  cli->set_read_timeout(to_us(options_.read_timeout_ms));
  cli->set_write_timeout(to_us(options_.read_timeout_ms));
  cli->set_keep_alive(false);
  cli->set_follow_location(false);
  cli->set_url_encode(false);
  cli->set_tcp_nodelay(true);

  httplib::Result result = cli->send(req);
  if (too_large) {
    return Status(StatusCode::kResourceExhausted,
                  where + ": response body larger than " + std::to_string(limit) + " bytes");
  }
  if (result.error() != httplib::Error::Success || !result) {
    std::string detail;
    switch (result.error()) {
      case httplib::Error::SSLServerVerification: {
        long v = ssl != nullptr ? ssl->get_openssl_verify_result() : 0;
        detail = v != 0 ? "certificate verify failed: " + crypto::x509_verify_result_text(v)
                        : "server certificate does not name host " + u.host;
        break;
      }
      case httplib::Error::SSLLoadingCerts:
        detail = "cannot load CA certificates from '" + options_.ca_cert_path + "'";
        break;
      case httplib::Error::SSLConnection:
        detail = "TLS handshake failed";
        break;
      case httplib::Error::Connection:
        detail = "cannot connect";
        break;
      case httplib::Error::ConnectionTimeout:
        detail = "connect timed out";
        break;
      case httplib::Error::Read:
        detail = "connection closed or timed out while reading the response";
        break;
      default:
        break;
    }
    std::string name = httplib::to_string(result.error());
    return unavailable(where + ": " + name + (detail.empty() ? "" : " (" + detail + ")"));
  }
  ClientResponse out;
  out.status = result->status;
  out.body = std::move(received);
  for (const auto& [k, v] : result->headers) out.headers.emplace_back(k, v);
  return out;
}

std::string encode_query_value(std::string_view value) {
  return httplib::detail::encode_query_param(std::string(value));
}

}  // namespace mpcc::http
