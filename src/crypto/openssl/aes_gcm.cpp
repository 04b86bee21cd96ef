// File: crypto/openssl/aes_gcm.cpp
//
// AES-GCM with a 96-bit IV and a 128-bit tag (EVP_aes_{128,192,256}_gcm).
#include "crypto/aes_gcm.h"

#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {

using internal::int_len;
using internal::openssl_error;
using internal::UniqueEvpCipherCtx;

namespace {

// Fetched once (OpenSSL 3): EVP_aes_*_gcm() would make every Init fetch the
// implementation again. The fetched ciphers live as long as the process.
const EVP_CIPHER* fetch_once(const char* name) {
  return EVP_CIPHER_fetch(nullptr, name, nullptr);
}

const EVP_CIPHER* gcm_cipher(std::size_t key_size) {
  static const EVP_CIPHER* const aes128 = fetch_once("AES-128-GCM");
  static const EVP_CIPHER* const aes192 = fetch_once("AES-192-GCM");
  static const EVP_CIPHER* const aes256 = fetch_once("AES-256-GCM");
  switch (key_size) {
    case 16:
      return aes128;
    case 24:
      return aes192;
    case 32:
      return aes256;
    default:
      return nullptr;
  }
}

Status check_params(ByteSpan key, ByteSpan iv) {
  if (gcm_cipher(key.size()) == nullptr) {
    return invalid_argument("AES-GCM: key must be 16, 24 or 32 bytes");
  }
  if (iv.size() != kGcmIvSize) return invalid_argument("AES-GCM: IV must be 12 bytes");
  return ok_status();
}

}  // namespace

StatusOr<GcmSealed> aes_gcm_seal(ByteSpan key, ByteSpan iv, ByteSpan aad, ByteSpan plaintext) {
  MPCC_RETURN_IF_ERROR(check_params(key, iv));
  UniqueEvpCipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), gcm_cipher(key.size()), nullptr, key.data(), iv.data()) != 1) {
    return openssl_error("AES-GCM: init failed");
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), int_len(aad.size())) != 1) {
    return openssl_error("AES-GCM: AAD failed");
  }
  GcmSealed out;
  out.ciphertext.resize(plaintext.size() + 16);
  int total = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), out.ciphertext.data(), &len, plaintext.data(),
                          int_len(plaintext.size())) != 1) {
      return openssl_error("AES-GCM: encryption failed");
    }
    total = len;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), out.ciphertext.data() + total, &len) != 1) {
    return openssl_error("AES-GCM: encryption failed");
  }
  total += len;
  out.ciphertext.resize(static_cast<std::size_t>(total));
  out.tag.resize(kGcmTagSize);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize),
                          out.tag.data()) != 1) {
    return openssl_error("AES-GCM: cannot read tag");
  }
  return out;
}

StatusOr<SecureBytes> aes_gcm_open(ByteSpan key, ByteSpan iv, ByteSpan aad, ByteSpan ciphertext,
                                   ByteSpan tag) {
  MPCC_RETURN_IF_ERROR(check_params(key, iv));
  if (tag.size() != kGcmTagSize) return invalid_argument("AES-GCM: tag must be 16 bytes");
  UniqueEvpCipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), gcm_cipher(key.size()), nullptr, key.data(), iv.data()) != 1) {
    return openssl_error("AES-GCM: init failed");
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), int_len(aad.size())) != 1) {
    return openssl_error("AES-GCM: AAD failed");
  }
  SecureBytes out(ciphertext.size() + 16);
  int total = 0;
  if (!ciphertext.empty()) {
    if (EVP_DecryptUpdate(ctx.get(), out.data(), &len, ciphertext.data(),
                          int_len(ciphertext.size())) != 1) {
      return openssl_error("AES-GCM: decryption failed");
    }
    total = len;
  }
  // The ctrl takes a non-const pointer but only reads the tag.
  Bytes tag_copy(tag.begin(), tag.end());
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize),
                          tag_copy.data()) != 1) {
    return openssl_error("AES-GCM: cannot set tag");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + total, &len) != 1) {
    internal::clear_openssl_errors();
    return permission_denied("AES-GCM: authentication failed");  // `out` wipes itself
  }
  total += len;
  out.resize(static_cast<std::size_t>(total));
  return out;
}

}  // namespace mpcc::crypto
