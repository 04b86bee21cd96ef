// File: jose/issuer_key.h
//
// A token issuer's signing identity, persisted in a state directory: an RSA
// private key (PKCS#8 PEM, 0600) and a self-signed certificate for it, served
// as a JWK with `x5c` (as Azure Attestation and Entra ID publish theirs). The
// kid is stable across restarts: base64url(SHA-256(certificate DER)).
//
//   MPCC_ASSIGN_OR_RETURN(IssuerKey k,
//       load_or_create_issuer_key(dir, "token-signing", "mpcc identity issuer"));
//   JwtSigner signer(JwsAlg::kRs256, k.key, k.kid, jku);
//   json jwks = {{"keys", {k.public_jwk().to_json()}}};
//
// Thread-safety: an IssuerKey is immutable after loading.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "jose/jwk.h"

namespace mpcc::jose {

struct IssuerKey {
  crypto::PrivateKey key;
  crypto::Certificate certificate;
  std::string kid;

  // {kty RSA, n, e, kid, use "sig", alg "RS256", x5c [b64 DER]}.
  Jwk public_jwk() const;
};

// Loads DIR/<name>.key and DIR/<name>.pem, or creates them (RSA `bits`,
// certificate subject CN = `subject_cn`, valid for 10 years from now).
// Fails with kDataLoss if one file exists without the other or they do not
// match, kUnavailable on I/O errors.
StatusOr<IssuerKey> load_or_create_issuer_key(const std::filesystem::path& dir,
                                              std::string_view name, std::string_view subject_cn,
                                              std::size_t bits = 2048);

}  // namespace mpcc::jose
