// File: skr/released_key.h
//
// Opens Key Vault's secure-key-release answer (spec 9.4-9.5) with the
// transfer key, as the Microsoft sidecar does:
//  1. the compact JWS verifies (RS256) with the certificate in its header's
//     x5c[0]. (The Microsoft sidecar also chains x5c to the system roots for
//     the vault's DNS name; mpcc's vault signs with a self-signed release
//     certificate, so here the TLS connection to the vault, verified against
//     the configured CA, is what vouches for the answer's origin.)
//  2. payload.response.key.key.key_hsm (base64url) is the transfer blob
//     {"header":{"enc":...}, "ciphertext": base64url}; the algorithm is the
//     blob's header.enc, else payload.request.enc, else CKM_RSA_AES_KEY_WRAP;
//  3. the ciphertext is RSA-OAEP(AES KEK) || AES-KWP(target), unwrapped with
//     the transfer key;
//  4. the target becomes a private JWK by the vault key's kty (spec 2.5
//     step 6): oct/oct-HSM -> {"kty":"oct","k"}; RSA/RSA-HSM and EC/EC-HSM ->
//     the PKCS#8 private key, whose public part must equal the n/e (x/y) the
//     vault described; kid and key_ops are copied from the vault's key.
//
//   MPCC_ASSIGN_OR_RETURN(jose::Jwk key, open_released_key(jws, transfer.private_key()));
//
// Errors: kInvalidArgument for a malformed answer (naming what is missing),
// kPermissionDenied for a signature or unwrap that fails, or a key that is
// not the one described. Key material stays in SecureBytes / the Jwk.
//
// Thread-safety: a free function.
#pragma once

#include <string_view>

#include "common/status.h"
#include "crypto/keys.h"
#include "jose/jwk.h"

namespace mpcc::skr {

StatusOr<jose::Jwk> open_released_key(std::string_view jws, const crypto::PrivateKey& transfer_key);

}  // namespace mpcc::skr
