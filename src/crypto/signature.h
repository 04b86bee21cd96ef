// File: crypto/signature.h
//
// Digital signatures over messages (the hash is part of the algorithm).
//  - RSASSA-PKCS1-v1_5 with SHA-256/384 (JWS RS256/RS384).
//  - RSASSA-PSS with SHA-256/384, MGF1 with the same hash, salt = hash length
//    (JWS PS256/PS384; AMD certificates use PSS/SHA-384/salt 48).
//  - ECDSA P-256/SHA-256, P-384/SHA-384. ECDSA signatures cross this API as
//    DER (X9.62 Ecdsa-Sig-Value); JWS uses the fixed-size r||s form, converted
//    with ecdsa_der_to_raw / ecdsa_raw_to_der.
//
// verify() returns OK, or kPermissionDenied ("signature does not verify") when
// the signature is well formed but wrong, or kInvalidArgument when the key does
// not fit the algorithm (e.g. an EC key with an RSA algorithm).
#pragma once

#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/keys.h"

namespace mpcc::crypto {

enum class SignatureAlg {
  kRsaPkcs1Sha256,
  kRsaPkcs1Sha384,
  kRsaPssSha256,
  kRsaPssSha384,
  kEcdsaP256Sha256,
  kEcdsaP384Sha384,
};

std::string_view signature_alg_name(SignatureAlg alg);

StatusOr<Bytes> sign(const PrivateKey& key, SignatureAlg alg, ByteSpan message);
Status verify(const PublicKey& key, SignatureAlg alg, ByteSpan message, ByteSpan signature);

// Verifies an ECDSA signature over a precomputed digest (used where the
// message is hashed once and checked many times).
Status verify_ecdsa_digest(const PublicKey& key, ByteSpan digest, ByteSpan der_signature);

// r||s, each `coordinate_size` bytes big-endian, <-> DER.
StatusOr<Bytes> ecdsa_der_to_raw(ByteSpan der, std::size_t coordinate_size);
StatusOr<Bytes> ecdsa_raw_to_der(ByteSpan raw);

}  // namespace mpcc::crypto
