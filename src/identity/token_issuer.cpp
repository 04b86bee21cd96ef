#include "identity/token_issuer.h"

#include <regex>

#include <fmt/format.h>

#include "crypto/random.h"

namespace mpcc::identity {

TokenIssuer::TokenIssuer(jose::IssuerKey key, std::string issuer_url,
                         std::shared_ptr<const Clock> clock, int64_t lifetime_seconds)
    : key_(std::move(key)),
      issuer_(std::move(issuer_url)),
      clock_(clock ? std::move(clock) : system_clock()),
      lifetime_(lifetime_seconds),
      signer_(jose::JwsAlg::kRs256, key_.key, key_.kid, issuer_ + "/keys") {}

std::string normalize_resource(std::string resource) {
  constexpr std::string_view kDefaultScope = "/.default";
  if (resource.size() > kDefaultScope.size() &&
      resource.compare(resource.size() - kDefaultScope.size(), kDefaultScope.size(), kDefaultScope) == 0) {
    resource.resize(resource.size() - kDefaultScope.size());
  }
  while (resource.size() > 1 && resource.back() == '/') resource.pop_back();
  return resource;
}

StatusOr<AccessToken> TokenIssuer::issue(const Identity& identity, const std::string& resource) const {
  static const std::regex kUrl(R"(^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[!-~]*)?$)");
  const std::string audience = normalize_resource(resource);
  if (!std::regex_match(audience, kUrl)) {
    return invalid_argument(fmt::format("identity: resource '{}' is not an absolute http(s) URL", resource));
  }
  const UnixSeconds now = clock_->now();
  AccessToken out;
  out.resource = audience;
  out.not_before = now;
  out.expires_on = now + lifetime_;
  nlohmann::json claims = {{"aud", audience},
                           {"iss", issuer_},
                           {"iat", now},
                           {"nbf", now},
                           {"exp", out.expires_on},
                           {"sub", identity.object_id},
                           {"oid", identity.object_id},
                           {"appid", identity.client_id},
                           {"name", identity.name},
                           {"idtyp", "app"},
                           {"jti", hex_encode(crypto::random_bytes(16))}};
  MPCC_ASSIGN_OR_RETURN(out.token, signer_.sign(claims));
  return out;
}

nlohmann::json TokenIssuer::jwks() const {
  return {{"keys", nlohmann::json::array({key_.public_jwk().to_json()})}};
}

nlohmann::json TokenIssuer::openid_configuration() const {
  return {{"issuer", issuer_},
          {"jwks_uri", issuer_ + "/keys"},
          {"token_endpoint", issuer_ + "/metadata/identity/oauth2/token"},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"response_types_supported", {"token"}},
          {"subject_types_supported", {"pairwise"}}};
}

}  // namespace mpcc::identity
