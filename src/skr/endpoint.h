// File: skr/endpoint.h
//
// The upstream endpoints a caller names in a request (`maa_endpoint`,
// `akv_endpoint`): a bare authority "host[:port]", as the Microsoft sidecar
// takes them (spec 2.2: a host name without scheme), always reached over
// https. Anything else (a scheme, user information, a path, a query or
// fragment, whitespace, an invalid host or port) is refused, so a request
// cannot steer the sidecar to another URL on an allowed host.
//
// EndpointAllowlist is the sidecar's SSRF guard: when configured (`mpcc serve
// skr --allow-endpoint host:port`), only those endpoints may be named. Hosts
// compare case-insensitively and without name resolution ("localhost" is not
// "127.0.0.1"); a missing port is 443.
//
//   MPCC_ASSIGN_OR_RETURN(Endpoint maa, parse_endpoint(text, "maa_endpoint"));
//   if (!allowlist.allows(maa)) ...
//   std::string url = maa.https_url("/attest/SevSnpVm?api-version=2020-10-01");
//
// Thread-safety: plain values; an EndpointAllowlist is immutable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mpcc::skr {

inline constexpr int kHttpsPort = 443;

struct Endpoint {
  std::string host;  // lower case; an IPv6 address without its brackets
  int port = kHttpsPort;

  // "host:port" ("[v6]:port"), the port always written.
  std::string authority() const;
  // "https://" + authority() + path_and_query (which starts with '/').
  std::string https_url(std::string_view path_and_query) const;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Parses "host[:port]": a DNS name or IPv4 address (letters, digits, '-',
// '_', dot-separated, no empty label) or a bracketed IPv6 address, and an
// optional port 1..65535. kInvalidArgument "<field>: ..." otherwise.
StatusOr<Endpoint> parse_endpoint(std::string_view text, std::string_view field);

class EndpointAllowlist {
 public:
  EndpointAllowlist() = default;  // empty: every well-formed endpoint is allowed
  // kInvalidArgument naming the entry that does not parse.
  static StatusOr<EndpointAllowlist> create(const std::vector<std::string>& entries);

  bool empty() const { return entries_.empty(); }
  bool allows(const Endpoint& endpoint) const;
  const std::vector<Endpoint>& entries() const { return entries_; }

 private:
  std::vector<Endpoint> entries_;
};

}  // namespace mpcc::skr
