// File: jose/jwe.h
//
// JSON Web Encryption, compact serialization (RFC 7516 §7.1), with AES-GCM
// content encryption (RFC 7518 §5.3: 96-bit IV, 128-bit tag, AAD = ASCII of
// the protected header's base64url text).
//  - Encrypt: alg RSA-OAEP-256 (to an RSA public key) or dir (with a shared
//    key); a fresh random CEK (RSA-OAEP-256) and IV per message. Extra
//    protected header members (kid, application fields) may be given.
//  - Decrypt: alg RSA-OAEP (SHA-1, RFC 7516 A.1), RSA-OAEP-256, dir; enc
//    A128GCM, A192GCM, A256GCM, the CEK length matching enc.
//
// Decryption refuses, with messages starting "JWE:":
//  - malformed input (kInvalidArgument): segment count other than 5, bad or
//    non-canonical base64url, a header that is not a JSON object (or has
//    duplicate members), missing/unsupported alg or enc, "zip", a malformed
//    "crit", an IV other than 12 bytes, a tag other than 16 bytes, a key that
//    does not fit the alg (RSA vs dir), a dir key whose length does not match
//    enc, a non-empty encrypted key with dir;
//  - "crit" naming any extension (kPermissionDenied);
//  - a wrong key or any change to header, encrypted key, IV, ciphertext or tag
//    (kPermissionDenied "JWE: decryption failed"). With RSA, a CEK that does
//    not decrypt (or has the wrong length) is replaced by a random one and
//    fails at the tag check, so both cases look the same (RFC 7516 §11.5).
// Plaintext and CEKs live in SecureBytes.
//
// Thread-safety: free functions and values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "jose/jwk.h"

namespace mpcc::jose {

enum class JweAlg { kRsaOaep, kRsaOaep256, kDir };
enum class JweEnc { kA128Gcm, kA192Gcm, kA256Gcm };

std::string_view jwe_alg_name(JweAlg alg);  // "RSA-OAEP", "RSA-OAEP-256", "dir"
std::string_view jwe_enc_name(JweEnc enc);  // "A128GCM", "A192GCM", "A256GCM"
// kInvalidArgument "JWE: unsupported alg 'x'" / "JWE: unsupported enc 'x'".
StatusOr<JweAlg> jwe_alg_from_name(std::string_view name);
StatusOr<JweEnc> jwe_enc_from_name(std::string_view name);
std::size_t jwe_enc_key_size(JweEnc enc);  // 16, 24, 32

// RSA-OAEP-256 to `recipient` (RSA). `header_extras` is an object that must
// not set alg, enc, zip or crit (kInvalidArgument). Fails with
// kInvalidArgument for a non-RSA key, or with the crypto error.
StatusOr<std::string> jwe_encrypt_rsa_oaep_256(
    const crypto::PublicKey& recipient, ByteSpan plaintext,
    const nlohmann::json& header_extras = nlohmann::json::object(), JweEnc enc = JweEnc::kA256Gcm);

// alg dir with the shared key `cek`, whose length must match `enc`
// (kInvalidArgument otherwise). Extras as above.
StatusOr<std::string> jwe_encrypt_dir(
    ByteSpan cek, ByteSpan plaintext,
    const nlohmann::json& header_extras = nlohmann::json::object(), JweEnc enc = JweEnc::kA256Gcm);

// RSA JWK: RSA-OAEP-256 to its public key; oct JWK: dir. EC: kInvalidArgument.
StatusOr<std::string> jwe_encrypt(const Jwk& recipient, ByteSpan plaintext,
                                  const nlohmann::json& header_extras = nlohmann::json::object(),
                                  JweEnc enc = JweEnc::kA256Gcm);

struct JweDecrypted {
  nlohmann::json header;  // the protected header
  JweAlg alg;
  JweEnc enc;
  SecureBytes plaintext;
};

// alg RSA-OAEP or RSA-OAEP-256 with `key` (RSA).
StatusOr<JweDecrypted> jwe_decrypt_rsa(std::string_view compact, const crypto::PrivateKey& key);
// alg dir with the shared key `cek`.
StatusOr<JweDecrypted> jwe_decrypt_dir(std::string_view compact, ByteSpan cek);
// Dispatches on the JWK: RSA private key -> jwe_decrypt_rsa; oct -> dir.
// Fails with kInvalidArgument for a public-only or EC key.
StatusOr<JweDecrypted> jwe_decrypt(std::string_view compact, const Jwk& key);

}  // namespace mpcc::jose
