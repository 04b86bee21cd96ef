// File: keyvault/release.h
//
// The parts of a secure key release that are not bookkeeping:
//
// 1. The attestation-token layer (spec 8.5, 10.2). The token's issuer must
//    be an authority of the key's release policy *before* anything is
//    fetched (so a token cannot make the vault fetch from any URL it names);
//    then the issuer's keys are found by OpenID discovery (IssuerKeys) and
//    the JWT verified: RS256 only (no none, no HMAC, no alg confusion), kid
//    known to the issuer, signature, exp/nbf with leeway, iss. Last, the
//    wrapping key: the first RSA JWK in x-ms-runtime.keys marked for
//    encryption (key_ops contains "encrypt" or "wrapKey", or use/key_use
//    "enc"), 2048 bits or more.
// 2. The answer (spec 9.4, SDK interop A6): a compact JWS, RS256, header
//    {alg, kid, x5c, x5t#S256}, payload {request:{api-version, enc, kid,
//    nonce?}, response:{key:{key:{kid,kty,key_ops,n,e,key_hsm}, attributes,
//    release_policy}}}, key_hsm = base64url of the transfer blob
//    {"schema_version":"1.0","header":{"kid":<wrapping kid>,"alg":"dir",
//    "enc":<enc>},"ciphertext":<base64url>,"generator":"mpcc keyvault"}.
//
// Every refusal of (1) is kPermissionDenied "attestation token: ..." except
// an issuer whose keys cannot be fetched (kUnavailable, retryable).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/key_wrap.h"
#include "crypto/keys.h"
#include "jose/issuer_key.h"
#include "jose/jwk.h"
#include "keyvault/issuer_keys.h"
#include "keyvault/release_policy.h"

namespace mpcc::keyvault {

struct VerifiedAttestation {
  std::string issuer;
  nlohmann::json claims;
  jose::Jwk wrapping_key;           // as found in x-ms-runtime.keys
  crypto::PublicKey wrapping_public;
};

StatusOr<VerifiedAttestation> verify_attestation_token(std::string_view token,
                                                       const ReleasePolicy& policy,
                                                       IssuerKeys& issuer_keys,
                                                       std::shared_ptr<const Clock> clock,
                                                       int64_t leeway_seconds);

// The wrapping key of verified claims (the last step above, exposed for tests).
StatusOr<jose::Jwk> select_wrapping_key(const nlohmann::json& claims);

// The transfer blob (before base64url): see above.
nlohmann::json transfer_blob(const std::string& wrapping_kid, crypto::RsaAesWrapAlg enc,
                             ByteSpan ciphertext);

struct ReleasePayloadInput {
  std::string api_version;
  crypto::RsaAesWrapAlg enc = crypto::RsaAesWrapAlg::kCkmRsaAesKeyWrap;
  std::string requested_kid;  // the key id as requested (versionless when no version was given)
  std::optional<std::string> nonce;
  nlohmann::json key_bundle;  // the released version's KeyBundle (key_bundle.h)
  nlohmann::json transfer_blob;
};
nlohmann::json release_payload(const ReleasePayloadInput& in);

// Signs payloads with the vault's release-signing identity.
class ReleaseSigner {
 public:
  explicit ReleaseSigner(jose::IssuerKey key);
  StatusOr<std::string> sign(const nlohmann::json& payload) const;
  // The certificate consumers verify release values with (x5c[0]).
  const crypto::Certificate& certificate() const { return key_.certificate; }

 private:
  jose::IssuerKey key_;
  nlohmann::json header_;
};

}  // namespace mpcc::keyvault
