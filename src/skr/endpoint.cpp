#include "skr/endpoint.h"

#include <algorithm>
#include <charconv>

namespace mpcc::skr {

namespace {

bool label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// Dot-separated labels of label_char, none empty.
bool valid_dns_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (label_char(c)) {
      ++label;
    } else {
      return false;
    }
  }
  return label > 0;
}

}  // namespace

std::string Endpoint::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Endpoint::https_url(std::string_view path_and_query) const {
  return "https://" + authority() + std::string(path_and_query);
}

StatusOr<Endpoint> parse_endpoint(std::string_view text, std::string_view field) {
  auto bad = [&](std::string_view why) {
    return invalid_argument(std::string(field) + ": '" + std::string(text) + "' " +
                            std::string(why) + " (expected host[:port], without scheme or path)");
  };
  if (text.empty()) return bad("is empty");
  if (text.find("://") != std::string_view::npos) return bad("has a scheme");
  if (text.find('@') != std::string_view::npos) return bad("has user information");
  if (text.find_first_of("/?#") != std::string_view::npos) {
    return bad("has a path, query or fragment");
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return bad("contains a space, control or non-ASCII character");
  }

  Endpoint e;
  const std::string t = lower(text);
  std::string_view rest = t;
  std::string_view port_text;
  bool has_port = false;
  if (rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("has an unterminated IPv6 literal");
    e.host = std::string(rest.substr(1, close - 1));
    if (e.host.empty() || !std::all_of(e.host.begin(), e.host.end(), ipv6_char) ||
        e.host.find(':') == std::string::npos) {
      return bad("has an invalid IPv6 literal");
    }
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("has characters after the IPv6 literal");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    const std::size_t colon = rest.find(':');
    e.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      has_port = true;
    }
    if (!valid_dns_host(e.host)) return bad("has an invalid host name");
  }
  if (has_port) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
        p < 1 || p > 65535) {
      return bad("has an invalid port");
    }
    e.port = p;
  }
  return e;
}

StatusOr<EndpointAllowlist> EndpointAllowlist::create(const std::vector<std::string>& entries) {
  EndpointAllowlist list;
  for (const std::string& entry : entries) {
    MPCC_ASSIGN_OR_RETURN(Endpoint e, parse_endpoint(entry, "allowed endpoint"));
    list.entries_.push_back(std::move(e));
  }
  return list;
}

bool EndpointAllowlist::allows(const Endpoint& endpoint) const {
  return empty() || std::find(entries_.begin(), entries_.end(), endpoint) != entries_.end();
}

}  // namespace mpcc::skr
