// File: http/internal/target.h
//
// The request target and Host header as the server hands them to handlers:
// percent-decoding of the path and of query names/values, and the
// "scheme://host" a client addressed (Request::scheme_host).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace mpcc::http::internal {

// Percent-decodes `s` (RFC 3986 2.1); a '%' not followed by two hex digits is
// kept as is. `plus_is_space`: '+' becomes ' ' (query strings, as browsers
// form-encode them), else '+' stays.
std::string percent_decode(std::string_view s, bool plus_is_space);

// Adds the name=value pairs of a query string ("a=1&b=&c", no '?') to `out`,
// names and values percent-decoded; a pair without '=' has the value "".
void parse_query(std::string_view query, std::multimap<std::string, std::string>& out);

// A Host header we are willing to echo into URLs: host name or IP literal
// with an optional port, nothing else.
bool plausible_host(std::string_view host);

// "127.0.0.1:8443", "[::1]:8443" for an address and port we listen on
// (0.0.0.0 and :: become the loopback address).
std::string host_for_url(const std::string& host, int port);

}  // namespace mpcc::http::internal
