// File: identity/token_issuer.h
//
// Issues managed-identity access tokens: RS256 JWTs signed with the issuer's
// persisted key (jose::IssuerKey), audience = the requested resource
// ("https://vault.azure.net"), subject/oid = the identity's object id, appid =
// its client id, one hour by default. The key vault trusts these through the
// issuer's JWKS (`jwks()`, served at /keys and named by the OpenID metadata).
//
// Thread-safety: immutable after construction.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "identity/identity_registry.h"
#include "jose/issuer_key.h"
#include "jose/jwt.h"

namespace mpcc::identity {

struct AccessToken {
  std::string token;  // secret: never log
  std::string resource;
  UnixSeconds not_before = 0;
  UnixSeconds expires_on = 0;
};

class TokenIssuer {
 public:
  TokenIssuer(jose::IssuerKey key, std::string issuer_url, std::shared_ptr<const Clock> clock,
              int64_t lifetime_seconds = 3600);

  // kInvalidArgument unless `resource` is an absolute http(s) URL.
  StatusOr<AccessToken> issue(const Identity& identity, const std::string& resource) const;

  const std::string& issuer() const { return issuer_; }
  nlohmann::json jwks() const;  // {"keys":[public JWK with x5c]}
  // {issuer, jwks_uri = <issuer>/keys, id_token_signing_alg_values_supported, ...}
  nlohmann::json openid_configuration() const;

 private:
  jose::IssuerKey key_;
  std::string issuer_;
  std::shared_ptr<const Clock> clock_;
  int64_t lifetime_;
  jose::JwtSigner signer_;
};

// The resource's audience form: "https://vault.azure.net/.default" and
// "https://vault.azure.net/" both name "https://vault.azure.net".
std::string normalize_resource(std::string resource);

}  // namespace mpcc::identity
