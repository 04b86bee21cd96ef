// File: keyvault/issuer_keys.cpp
//
// OpenID discovery (metadata, then JWKS) with a per-issuer cache. The cache
// mutex guards the map and its entries; each entry's fetch mutex serialises
// the fetches of its issuer and is the only lock held during network I/O.
#include "keyvault/issuer_keys.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace mpcc::keyvault {

namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "issuer keys: ";
constexpr std::string_view kWellKnown = "/.well-known/openid-configuration";
constexpr std::size_t kMaxKeys = 100;
constexpr std::size_t kMaxQuotedBytes = 128;

std::string without_trailing_slash(std::string_view s) {
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

// For messages: no query string (it may carry secrets) and no fragment.
std::string for_message(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

// Untrusted text (a kid from a token, a name from a document) as a bounded,
// escaped JSON string literal.
std::string json_quoted(std::string_view text) {
  const bool cut = text.size() > kMaxQuotedBytes;
  const std::string shown(text.substr(0, kMaxQuotedBytes));
  return json(shown).dump(-1, ' ', false, json::error_handler_t::replace) + (cut ? "..." : "");
}

// "issuer keys: <issuer>: <what>"
std::string about(const std::string& issuer, std::string_view what) {
  return std::string(kPrefix) + issuer + ": " + std::string(what);
}

// GET `url` and parse its JSON body; transport errors, non-200 and non-JSON
// are kUnavailable.
StatusOr<json> get_json(const http::Client& client, const std::string& issuer,
                        const std::string& url, std::string_view what) {
  StatusOr<http::ClientResponse> response = client.get(url);
  if (!response.ok()) return unavailable(about(issuer, response.status().message()));
  if (response->status != 200) {
    return unavailable(about(issuer, "GET " + for_message(url) + " (" + std::string(what) +
                                         ") answered HTTP " + std::to_string(response->status)));
  }
  StatusOr<json> body = response->json();
  if (!body.ok()) {
    return unavailable(about(issuer, "GET " + for_message(url) + " (" + std::string(what) +
                                         "): " + body.status().message()));
  }
  return body;
}

}  // namespace

IssuerKeys::IssuerKeys(IssuerKeysOptions options)
    : options_(std::move(options)), client_(options_.client) {
  if (options_.cache_ttl_seconds < 0) throw std::logic_error("IssuerKeys: negative cache TTL");
  if (options_.min_refresh_seconds < 0) {
    throw std::logic_error("IssuerKeys: negative minimum refresh interval");
  }
  if (!options_.clock) options_.clock = system_clock();
}

StatusOr<std::string> IssuerKeys::normalise(const std::string& issuer) const {
  const std::string shown = json_quoted(for_message(issuer));
  if (issuer.find_first_of("?#") != std::string::npos) {
    return invalid_argument(std::string(kPrefix) + "issuer " + shown +
                            " has a query or fragment");
  }
  std::string norm = without_trailing_slash(issuer);
  StatusOr<http::Url> url = http::Url::parse(norm);
  if (!url.ok()) {
    return invalid_argument(std::string(kPrefix) + "issuer " + shown +
                            " is not an absolute URL: " + url.status().message());
  }
  if (url->scheme != "https" && !(url->scheme == "http" && options_.allow_http)) {
    return invalid_argument(std::string(kPrefix) + "issuer " + shown +
                            " is not an https URL (plain http is not allowed)");
  }
  return norm;
}

StatusOr<jose::JwkSet> IssuerKeys::fetch(const std::string& issuer) const {
  MPCC_ASSIGN_OR_RETURN(const http::Url issuer_url, http::Url::parse(issuer));

  // 1. The metadata.
  const std::string metadata_url = issuer + std::string(kWellKnown);
  MPCC_ASSIGN_OR_RETURN(const json metadata,
                        get_json(client_, issuer, metadata_url, "OpenID metadata"));
  if (!metadata.is_object()) {
    return failed_precondition(about(issuer, "the OpenID metadata is not a JSON object"));
  }
  if (metadata.contains("issuer")) {
    const json& named = metadata.at("issuer");
    if (!named.is_string()) {
      return failed_precondition(about(issuer, "the OpenID metadata's issuer is not a string"));
    }
    if (without_trailing_slash(named.get<std::string>()) != issuer) {
      return failed_precondition(
          about(issuer, "the OpenID metadata names another issuer, " +
                            json_quoted(named.get<std::string>())));
    }
  }
  const auto jwks_member = metadata.find("jwks_uri");
  if (jwks_member == metadata.end() || !jwks_member->is_string()) {
    return failed_precondition(about(issuer, "the OpenID metadata has no string jwks_uri"));
  }
  const std::string jwks_uri = jwks_member->get<std::string>();
  StatusOr<http::Url> parsed = http::Url::parse(jwks_uri);
  if (!parsed.ok()) {
    return failed_precondition(
        about(issuer, "jwks_uri " + json_quoted(for_message(jwks_uri)) + " is not an absolute URL"));
  }
  if (parsed->scheme != issuer_url.scheme) {
    return failed_precondition(about(issuer, "jwks_uri " + json_quoted(for_message(jwks_uri)) +
                                                 " does not use " + issuer_url.scheme +
                                                 " like the issuer"));
  }

  // 2. The key set.
  const std::string where = "the key set at " + for_message(jwks_uri);
  MPCC_ASSIGN_OR_RETURN(const json document, get_json(client_, issuer, jwks_uri, "JWKS"));
  if (document.is_object()) {
    const auto keys = document.find("keys");
    if (keys != document.end() && keys->is_array() && keys->size() > kMaxKeys) {
      return failed_precondition(about(issuer, where + " has " + std::to_string(keys->size()) +
                                                   " keys, more than " +
                                                   std::to_string(kMaxKeys)));
    }
  }
  StatusOr<jose::JwkSet> set = jose::JwkSet::from_json(document);
  if (!set.ok()) {
    return failed_precondition(about(issuer, where + " is malformed: " + set.status().message()));
  }
  std::vector<jose::Jwk> usable;
  const jose::JwkSet public_keys = set->public_only();
  for (const jose::Jwk& key : public_keys.keys()) {
    if (!key.kid().empty()) usable.push_back(key);
  }
  if (usable.empty()) {
    return failed_precondition(about(issuer, where + " has no usable key (asymmetric, with a kid)"));
  }
  return jose::JwkSet(std::move(usable));
}

StatusOr<jose::JwkSet> IssuerKeys::load(const std::string& issuer, Refresh why) {
  const int64_t ttl = options_.cache_ttl_seconds;
  auto fresh = [ttl](const Entry& e, UnixSeconds now) {
    return e.keys.has_value() && now >= e.fetched_at && now - e.fetched_at < ttl;
  };

  std::shared_ptr<std::mutex> fetch_mu;
  {
    std::lock_guard lock(mu_);
    Entry& e = cache_[issuer];
    if (why == Refresh::kIfStale && fresh(e, options_.clock->now())) return *e.keys;
    fetch_mu = e.fetch_mu;
  }

  std::lock_guard fetching(*fetch_mu);
  {
    // Another thread may have fetched while this one waited.
    std::lock_guard lock(mu_);
    Entry& e = cache_[issuer];
    const UnixSeconds now = options_.clock->now();
    const bool is_fresh = fresh(e, now);
    if (why == Refresh::kIfStale && is_fresh) return *e.keys;
    if (why == Refresh::kUnknownKid) {
      const bool throttled = e.kid_refresh_at.has_value() && now >= *e.kid_refresh_at &&
                             now - *e.kid_refresh_at < options_.min_refresh_seconds;
      if (throttled && is_fresh) return *e.keys;
      if (!throttled) e.kid_refresh_at = now;
    }
  }

  StatusOr<jose::JwkSet> fetched = fetch(issuer);
  if (!fetched.ok()) return fetched.status();
  std::lock_guard lock(mu_);
  Entry& e = cache_[issuer];
  e.keys = *fetched;
  e.fetched_at = options_.clock->now();
  return fetched;
}

StatusOr<jose::JwkSet> IssuerKeys::key_set(const std::string& issuer) {
  MPCC_ASSIGN_OR_RETURN(const std::string norm, normalise(issuer));
  return load(norm, Refresh::kIfStale);
}

StatusOr<jose::Jwk> IssuerKeys::find(const std::string& issuer,
                                     const std::optional<std::string>& kid) {
  MPCC_ASSIGN_OR_RETURN(const std::string norm, normalise(issuer));
  MPCC_ASSIGN_OR_RETURN(jose::JwkSet keys, load(norm, Refresh::kIfStale));
  if (!kid) {
    if (keys.keys().size() == 1) return keys.keys().front();
    return not_found(std::string(kPrefix) + norm + ": the token has no kid and the issuer has " +
                     std::to_string(keys.keys().size()) + " keys");
  }
  if (const jose::Jwk* key = keys.find(*kid)) return *key;
  MPCC_ASSIGN_OR_RETURN(keys, load(norm, Refresh::kUnknownKid));
  if (const jose::Jwk* key = keys.find(*kid)) return *key;
  return not_found(std::string(kPrefix) + norm + " has no key with kid " + json_quoted(*kid));
}

jose::JwtKeyResolver IssuerKeys::resolver(std::string issuer) {
  return [this, issuer = std::move(issuer)](const std::optional<std::string>& kid) {
    return find(issuer, kid);
  };
}

}  // namespace mpcc::keyvault
