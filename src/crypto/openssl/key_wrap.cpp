// File: crypto/openssl/key_wrap.cpp
//
// RFC 5649 AES Key Wrap with Padding (EVP_aes_*_wrap_pad) and the
// CKM_RSA_AES_KEY_WRAP family built on it (spec 9.5).
#include "crypto/key_wrap.h"

#include <stdexcept>

#include "crypto/openssl/key_util.h"
#include "crypto/openssl/wrappers.h"
#include "crypto/random.h"
#include "crypto/rsa_oaep.h"

namespace mpcc::crypto {

using internal::int_len;
using internal::openssl_error;
using internal::UniqueEvpCipherCtx;

namespace {

constexpr std::size_t kRsaAesKekSize = 32;

const EVP_CIPHER* kwp_cipher(std::size_t kek_size) {
  switch (kek_size) {
    case 16:
      return EVP_aes_128_wrap_pad();
    case 24:
      return EVP_aes_192_wrap_pad();
    case 32:
      return EVP_aes_256_wrap_pad();
    default:
      return nullptr;
  }
}

// Runs one wrap (enc = 1) or unwrap (enc = 0) into `out` (resized to fit).
template <typename Out>
Status kwp_run(ByteSpan kek, ByteSpan in, int enc, Out& out) {
  const EVP_CIPHER* cipher = kwp_cipher(kek.size());
  if (cipher == nullptr) return invalid_argument("AES-KWP: KEK must be 16, 24 or 32 bytes");
  UniqueEvpCipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::bad_alloc();
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, kek.data(), nullptr, enc) != 1) {
    return openssl_error("AES-KWP: init failed");
  }
  out.resize(in.size() + 16);
  int len = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), int_len(in.size())) != 1 ||
      len < 0) {
    out.clear();
    if (enc == 0) {
      internal::clear_openssl_errors();
      return permission_denied("AES-KWP: integrity check failed");
    }
    return openssl_error("AES-KWP: wrap failed");
  }
  int fin = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
    out.clear();
    if (enc == 0) {
      internal::clear_openssl_errors();
      return permission_denied("AES-KWP: integrity check failed");
    }
    return openssl_error("AES-KWP: wrap failed");
  }
  out.resize(static_cast<std::size_t>(len + fin));
  return ok_status();
}

}  // namespace

StatusOr<Bytes> aes_kwp_wrap(ByteSpan kek, ByteSpan key_data) {
  if (key_data.empty()) return invalid_argument("AES-KWP: nothing to wrap");
  Bytes out;
  MPCC_RETURN_IF_ERROR(kwp_run(kek, key_data, 1, out));
  return out;
}

StatusOr<SecureBytes> aes_kwp_unwrap(ByteSpan kek, ByteSpan wrapped) {
  if (wrapped.size() < 16 || wrapped.size() % 8 != 0) {
    return invalid_argument("AES-KWP: wrapped data must be a multiple of 8 bytes, at least 16");
  }
  SecureBytes out;
  MPCC_RETURN_IF_ERROR(kwp_run(kek, wrapped, 0, out));
  return out;
}

std::string_view rsa_aes_wrap_name(RsaAesWrapAlg alg) {
  switch (alg) {
    case RsaAesWrapAlg::kCkmRsaAesKeyWrap:
      return "CKM_RSA_AES_KEY_WRAP";
    case RsaAesWrapAlg::kRsaAesKeyWrap256:
      return "RSA_AES_KEY_WRAP_256";
    case RsaAesWrapAlg::kRsaAesKeyWrap384:
      return "RSA_AES_KEY_WRAP_384";
  }
  throw std::logic_error("crypto: unknown RsaAesWrapAlg");
}

StatusOr<RsaAesWrapAlg> rsa_aes_wrap_from_name(std::string_view name) {
  for (RsaAesWrapAlg a : {RsaAesWrapAlg::kCkmRsaAesKeyWrap, RsaAesWrapAlg::kRsaAesKeyWrap256,
                          RsaAesWrapAlg::kRsaAesKeyWrap384}) {
    if (name == rsa_aes_wrap_name(a)) return a;
  }
  return invalid_argument("key wrap: unsupported algorithm '" + std::string(name) + "'");
}

HashAlg rsa_aes_wrap_hash(RsaAesWrapAlg alg) {
  switch (alg) {
    case RsaAesWrapAlg::kCkmRsaAesKeyWrap:
      return HashAlg::kSha1;
    case RsaAesWrapAlg::kRsaAesKeyWrap256:
      return HashAlg::kSha256;
    case RsaAesWrapAlg::kRsaAesKeyWrap384:
      return HashAlg::kSha384;
  }
  throw std::logic_error("crypto: unknown RsaAesWrapAlg");
}

StatusOr<Bytes> rsa_aes_key_wrap(const PublicKey& wrapping_key, RsaAesWrapAlg alg,
                                 ByteSpan target) {
  if (wrapping_key.type() != KeyType::kRsa) {
    return invalid_argument("key wrap: the wrapping key must be RSA");
  }
  SecureBytes kek = random_secret(kRsaAesKekSize);
  MPCC_ASSIGN_OR_RETURN(Bytes out, rsa_oaep_encrypt(wrapping_key, rsa_aes_wrap_hash(alg), kek));
  MPCC_ASSIGN_OR_RETURN(Bytes wrapped, aes_kwp_wrap(kek, target));
  out.insert(out.end(), wrapped.begin(), wrapped.end());
  return out;
}

StatusOr<SecureBytes> rsa_aes_key_unwrap(const PrivateKey& wrapping_key, RsaAesWrapAlg alg,
                                         ByteSpan wrapped) {
  if (wrapping_key.type() != KeyType::kRsa) {
    return invalid_argument("key wrap: the wrapping key must be RSA");
  }
  std::size_t mod = internal::rsa_modulus_bytes(wrapping_key.handle().pkey);
  if (wrapped.size() < mod + 16 || (wrapped.size() - mod) % 8 != 0) {
    return invalid_argument("key wrap: wrapped blob has the wrong length for this key");
  }
  MPCC_ASSIGN_OR_RETURN(SecureBytes kek, rsa_oaep_decrypt(wrapping_key, rsa_aes_wrap_hash(alg),
                                                          wrapped.subspan(0, mod)));
  if (kwp_cipher(kek.size()) == nullptr) {
    return permission_denied("key wrap: decrypted KEK has an invalid size");
  }
  return aes_kwp_unwrap(kek, wrapped.subspan(mod));
}

}  // namespace mpcc::crypto
