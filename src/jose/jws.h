// File: jose/jws.h
//
// JSON Web Signature, compact serialization (RFC 7515 §7.1), with the
// asymmetric algorithms of RFC 7518 §3 that mpcc uses: RS256, RS384, PS256,
// PS384, ES256, ES384 (ES* signatures are the fixed-size r||s form, §3.4).
//
// Verification refuses, each with its own "JWS:" message:
//  - malformed input (kInvalidArgument): segment count other than 3, bad or
//    non-canonical base64url, a header that is not JSON / not an object / has
//    duplicate members, a missing or non-string alg, a malformed "crit",
//    an ES* signature of the wrong length;
//  - refused input (kPermissionDenied): alg "none" in any case, any HMAC alg
//    (HS256...), any other alg outside the list above or outside the caller's
//    allowed list, a "crit" naming any extension (none is understood), an alg
//    whose family does not fit the key (RS*/PS* need RSA, ES256 needs P-256,
//    ES384 needs P-384), and a signature that does not verify.
//
// Thread-safety: free functions and values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/signature.h"

namespace mpcc::jose {

enum class JwsAlg { kRs256, kRs384, kPs256, kPs384, kEs256, kEs384 };

// Every supported alg, in the order above.
std::span<const JwsAlg> all_jws_algs();

std::string_view jws_alg_name(JwsAlg alg);  // "RS256" ...
// Exact, case-sensitive names (RFC 7515 §4.1.1). Refuses "none" (any case)
// and HS* with their own messages, anything else as unsupported; all
// kPermissionDenied.
StatusOr<JwsAlg> jws_alg_from_name(std::string_view name);
crypto::SignatureAlg jws_signature_alg(JwsAlg alg);

// OK if `alg` may be used with a key of this type and curve; otherwise
// kPermissionDenied ("JWS: alg ES256 needs an EC P-256 key, got RSA").
Status check_alg_fits_key(JwsAlg alg, crypto::KeyType type, std::optional<crypto::Curve> curve);

// Signs `payload`. The protected header is `header_extras` (an object, e.g.
// {"kid":..., "jku":..., "typ":"JWT", "x5c":[...]}) plus "alg". Fails with
// kInvalidArgument if the extras are not an object or contain "alg" or
// "crit", kPermissionDenied if the key does not fit the alg, or with the
// crypto error.
StatusOr<std::string> jws_sign(JwsAlg alg, const crypto::PrivateKey& key, ByteSpan payload,
                               const nlohmann::json& header_extras = nlohmann::json::object());

// A structurally valid JWS whose alg is supported. Not yet verified.
struct ParsedJws {
  nlohmann::json header;  // the protected header
  JwsAlg alg;
  Bytes payload;
  Bytes signature;
  std::string signing_input;  // ASCII(b64url(header) "." b64url(payload))

  // The header's "kid" if it is a string.
  std::optional<std::string> kid() const;
};

// Splits, decodes and checks the header (alg, crit). Refusals as listed above.
StatusOr<ParsedJws> jws_parse(std::string_view compact);

// Checks that `jws.alg` fits `key` and the signature verifies.
Status jws_verify_signature(const ParsedJws& jws, const crypto::PublicKey& key);

// jws_parse + allowed-alg check ("JWS: alg X is not allowed") +
// jws_verify_signature. `allowed` empty means all supported algs.
StatusOr<ParsedJws> jws_verify(std::string_view compact, const crypto::PublicKey& key,
                               std::span<const JwsAlg> allowed = {});

}  // namespace mpcc::jose
