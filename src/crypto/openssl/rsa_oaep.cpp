// File: crypto/openssl/rsa_oaep.cpp
//
// RSAES-OAEP with the same hash for the label and MGF1.
#include "crypto/rsa_oaep.h"

#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {

using internal::openssl_error;
using internal::UniqueEvpPkeyCtx;

namespace {

constexpr const char* kDecryptFailed = "RSA-OAEP: decryption failed";

bool is_rsa(const EVP_PKEY* pkey) { return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA; }

// Sets OAEP padding, hash, MGF1 hash and (non-empty) label on `ctx`.
bool configure(EVP_PKEY_CTX* ctx, HashAlg hash, ByteSpan label) {
  const EVP_MD* md = internal::evp_md(hash);
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1) {
    return false;
  }
  if (label.empty()) return true;
  void* copy = OPENSSL_memdup(label.data(), label.size());
  if (copy == nullptr) return false;
  if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, internal::int_len(label.size())) != 1) {
    OPENSSL_free(copy);
    return false;
  }
  return true;  // `ctx` owns the copy
}

}  // namespace

StatusOr<Bytes> rsa_oaep_encrypt(const PublicKey& key, HashAlg hash, ByteSpan plaintext,
                                 ByteSpan label) {
  EVP_PKEY* pkey = key.handle().pkey;
  if (!is_rsa(pkey)) return invalid_argument("RSA-OAEP: needs an RSA key");
  UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 || !configure(ctx.get(), hash, label)) {
    return openssl_error("RSA-OAEP: setup failed");
  }
  std::size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, internal::uchar_ptr(plaintext),
                       plaintext.size()) != 1) {
    return openssl_error("RSA-OAEP: encryption failed");
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, internal::uchar_ptr(plaintext),
                       plaintext.size()) != 1) {
    // Most likely the plaintext is too long for the modulus and hash.
    return openssl_error("RSA-OAEP: encryption failed", StatusCode::kInvalidArgument);
  }
  out.resize(len);
  return out;
}

StatusOr<SecureBytes> rsa_oaep_decrypt(const PrivateKey& key, HashAlg hash, ByteSpan ciphertext,
                                       ByteSpan label) {
  EVP_PKEY* pkey = key.handle().pkey;
  if (!is_rsa(pkey)) return invalid_argument("RSA-OAEP: needs an RSA key");
  UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 || !configure(ctx.get(), hash, label)) {
    return openssl_error("RSA-OAEP: setup failed");
  }
  std::size_t len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, internal::uchar_ptr(ciphertext),
                       ciphertext.size()) != 1) {
    internal::clear_openssl_errors();
    return permission_denied(kDecryptFailed);
  }
  SecureBytes out(len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, internal::uchar_ptr(ciphertext),
                       ciphertext.size()) != 1) {
    internal::clear_openssl_errors();
    return permission_denied(kDecryptFailed);
  }
  out.resize(len);
  return out;
}

}  // namespace mpcc::crypto
