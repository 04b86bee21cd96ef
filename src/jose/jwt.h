// File: jose/jwt.h
//
// JSON Web Token (RFC 7519) as a JWS (jws.h) whose payload is a JSON object
// of claims: issuing (JwtSigner, jwt_sign) and verifying (JwtVerifier), the
// way MAA tokens are issued and Key Vault / the SKR sidecar check them
// (spec 8.3-8.5).
//
// JwtVerifier::verify runs one check after another and stops at the first
// failure, each with its own message starting "JWT:":
//   1. the JWS is well formed and its alg acceptable (jws_parse; messages
//      "JWT: JWS: ...");                       kInvalidArgument / kPermissionDenied
//   2. alg in the allowed list                  "JWT: alg X is not allowed"
//   3. a key for the header kid (a string)      "JWT: unknown kid 'x'"
//   4. that key may verify this alg: not oct, "use" absent or "sig", "key_ops"
//      absent or with "verify", its "alg" absent or equal, and the alg family
//      fits its type/curve                     "JWT: key 'x' ..." / "JWT: JWS: alg ..."
//   5. the signature                            "JWT: JWS: signature does not verify"
//   6. the payload is a JSON object             "JWT: payload is not ..."
//   7. exp (required unless configured off)     "JWT: missing exp" / "JWT: token expired ..."
//   8. nbf                                      "JWT: token not valid before ..."
//   9. iat not in the future                    "JWT: iat ... is in the future"
//  10. iss among the expected issuers           "JWT: missing iss" / "JWT: untrusted issuer 'x'"
//  11. the expected audience in aud             "JWT: missing aud" / "JWT: audience 'x' not in aud"
// Time checks allow `leeway_seconds` of clock skew in the token's favour.
// Refusals are kPermissionDenied; malformed input (bad JWS, non-numeric exp,
// aud of the wrong type) is kInvalidArgument.
//
// Thread-safety: JwtVerifier and JwtSigner are immutable after construction;
// verify()/sign() may be called concurrently if the resolver is thread-safe
// (the built-in ones are).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "jose/jwk.h"
#include "jose/jws.h"

namespace mpcc::jose {

struct VerifiedJwt {
  nlohmann::json header;
  nlohmann::json claims;
  JwsAlg alg;
};

// Finds the verification key for a token from its header "kid" (nullopt when
// the header has none). Returns kNotFound when it has no such key; any other
// error is passed on by the verifier with a "JWT: " prefix.
using JwtKeyResolver = std::function<StatusOr<Jwk>(const std::optional<std::string>& kid)>;

// Looks the kid up in `keys`. A token without kid is accepted only when the
// set holds exactly one key.
JwtKeyResolver key_set_resolver(JwkSet keys);
// Always `key`, unless the token names a kid and `key` has a different one.
JwtKeyResolver single_key_resolver(Jwk key);

struct JwtVerifierOptions {
  std::vector<JwsAlg> allowed_algs;     // empty: every supported alg
  std::vector<std::string> issuers;     // empty: iss is not checked
  std::optional<std::string> audience;  // nullopt: aud is not checked
  std::shared_ptr<const Clock> clock;   // null: the system clock
  int64_t leeway_seconds = 60;          // allowed clock skew, >= 0
  bool require_exp = true;
};

class JwtVerifier {
 public:
  // Throws std::logic_error if `resolver` is empty or leeway is negative.
  JwtVerifier(JwtKeyResolver resolver, JwtVerifierOptions options);

  // The verified header and claims, or the first failed check (see above).
  StatusOr<VerifiedJwt> verify(std::string_view token) const;

 private:
  Status check_times(const nlohmann::json& claims) const;
  Status check_issuer_and_audience(const nlohmann::json& claims) const;

  JwtKeyResolver resolver_;
  JwtVerifierOptions options_;
};

// Issues a JWT: header {"alg", "typ":"JWT"} plus `header_extras` (e.g. kid,
// jku, x5c; may override typ). Fails with kInvalidArgument if `claims` is not
// an object, otherwise as jws_sign.
StatusOr<std::string> jwt_sign(JwsAlg alg, const crypto::PrivateKey& key,
                               const nlohmann::json& claims,
                               const nlohmann::json& header_extras = nlohmann::json::object());

// A reusable issuer identity: alg, key, and the kid/jku put in every header.
class JwtSigner {
 public:
  JwtSigner(JwsAlg alg, crypto::PrivateKey key, std::string kid = {}, std::string jku = {});

  // As jwt_sign, with kid/jku (when non-empty) added to `header_extras`.
  StatusOr<std::string> sign(const nlohmann::json& claims,
                             const nlohmann::json& header_extras = nlohmann::json::object()) const;

  JwsAlg alg() const { return alg_; }
  const std::string& kid() const { return kid_; }

 private:
  JwsAlg alg_;
  crypto::PrivateKey key_;
  std::string kid_;
  std::string jku_;
};

}  // namespace mpcc::jose
