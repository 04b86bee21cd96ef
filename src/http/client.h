// File: http/client.h
//
// The one HTTP(S) client wrapper (cpp-httplib underneath): verifies the
// server certificate against a configured CA file (or the system roots), with
// connect/read timeouts and a bound on the response size. Plain http:// only
// when the URL says so.
//
//   http::Client c(http::ClientOptions{.ca_cert_path = ca});
//   MPCC_ASSIGN_OR_RETURN(http::ClientResponse r,
//       c.post_json("https://127.0.0.1:8443/attest/SevSnpVm?api-version=2022-08-01", body));
//
// Transport failures are kUnavailable ("GET https://...: connection refused");
// a response with any status is OK (the caller interprets it).
//
// Thread-safety: a Client may be used from several threads; each request
// opens its own connection.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace mpcc::http {

struct ClientOptions {
  std::string ca_cert_path;  // PEM file of trusted roots; empty: the system's
  int connect_timeout_ms = 5000;
  int read_timeout_ms = 30000;
  std::size_t max_response_bytes = 8u << 20;
};

struct ClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> header(std::string_view name) const;
  // kInvalidArgument when the body is not JSON.
  StatusOr<nlohmann::json> json() const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Splits "https://host:port/path?query" (kInvalidArgument when malformed or
// the scheme is not http/https).
struct Url {
  std::string scheme, host;
  int port = 0;
  std::string path_and_query;
  static StatusOr<Url> parse(std::string_view url);
  std::string origin() const;  // scheme://host[:port]
};

// Percent-encodes a query parameter value (RFC 3986 unreserved characters
// stay as they are).
std::string encode_query_value(std::string_view value);

class Client {
 public:
  explicit Client(ClientOptions options = {});
  StatusOr<ClientResponse> get(const std::string& url, const Headers& headers = {}) const;
  StatusOr<ClientResponse> post_json(const std::string& url, const nlohmann::json& body,
                                     const Headers& headers = {}) const;
  StatusOr<ClientResponse> request(std::string_view method, const std::string& url,
                                   const std::string& body, const std::string& content_type,
                                   const Headers& headers = {}) const;

 private:
  ClientOptions options_;
};

}  // namespace mpcc::http
