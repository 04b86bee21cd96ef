// File: crypto/key_wrap.h
//
// Key wrapping as Azure Key Vault and the SKR sidecar use it (spec 9.5).
//  - AES Key Wrap with Padding, RFC 5649 (OpenSSL "id-aes*-wrap-pad"); KEK of
//    16, 24 or 32 bytes.
//  - CKM_RSA_AES_KEY_WRAP (PKCS#11 v2.40 §2.1.21) and Key Vault's
//    RSA_AES_KEY_WRAP_256 / _384: a fresh AES-256 KEK encrypted with RSA-OAEP
//    (SHA-1 / SHA-256 / SHA-384, empty label), followed by the RFC 5649 wrap of
//    the target under that KEK. Output length = modulus bytes + 8*(ceil(n/8)+1).
#pragma once

#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/keys.h"

namespace mpcc::crypto {

StatusOr<Bytes> aes_kwp_wrap(ByteSpan kek, ByteSpan key_data);
// kPermissionDenied on an integrity failure (wrong KEK or tampered blob).
StatusOr<SecureBytes> aes_kwp_unwrap(ByteSpan kek, ByteSpan wrapped);

enum class RsaAesWrapAlg {
  kCkmRsaAesKeyWrap,  // "CKM_RSA_AES_KEY_WRAP": OAEP with SHA-1
  kRsaAesKeyWrap256,  // "RSA_AES_KEY_WRAP_256": OAEP with SHA-256
  kRsaAesKeyWrap384,  // "RSA_AES_KEY_WRAP_384": OAEP with SHA-384
};

std::string_view rsa_aes_wrap_name(RsaAesWrapAlg alg);
StatusOr<RsaAesWrapAlg> rsa_aes_wrap_from_name(std::string_view name);
HashAlg rsa_aes_wrap_hash(RsaAesWrapAlg alg);

StatusOr<Bytes> rsa_aes_key_wrap(const PublicKey& wrapping_key, RsaAesWrapAlg alg,
                                 ByteSpan target);
StatusOr<SecureBytes> rsa_aes_key_unwrap(const PrivateKey& wrapping_key, RsaAesWrapAlg alg,
                                         ByteSpan wrapped);

}  // namespace mpcc::crypto
