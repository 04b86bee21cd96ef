// File: crypto/openssl/hmac.cpp
//
// HMAC via OpenSSL's one-shot HMAC() (EVP_MAC underneath in OpenSSL 3).
#include <openssl/hmac.h>

#include <stdexcept>

#include "crypto/hash.h"
#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {

Bytes hmac(HashAlg alg, ByteSpan key, ByteSpan message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  static const uint8_t kEmpty = 0;
  if (HMAC(internal::evp_md(alg), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
           message.empty() ? &kEmpty : message.data(), message.size(), out.data(), &len) ==
      nullptr) {
    throw std::logic_error("crypto: HMAC failed");
  }
  out.resize(len);
  return out;
}

}  // namespace mpcc::crypto
