// File: crypto/openssl/wrappers.cpp
//
// Error-queue helpers and small conversions shared by the OpenSSL backend.
#include "crypto/openssl/wrappers.h"

#include <openssl/crypto.h>

#include <climits>
#include <stdexcept>

namespace mpcc::crypto::internal {

std::string drain_openssl_errors(std::string_view context) {
  std::string out(context);
  bool first = true;
  unsigned long e = 0;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out += first ? ": " : "; ";
    out += buf;
    first = false;
  }
  return out;
}

Status openssl_error(std::string_view context, StatusCode code) {
  return Status(code, drain_openssl_errors(context));
}

void clear_openssl_errors() { ERR_clear_error(); }

const EVP_MD* evp_md(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha1:
      return EVP_sha1();
    case HashAlg::kSha256:
      return EVP_sha256();
    case HashAlg::kSha384:
      return EVP_sha384();
    case HashAlg::kSha512:
      return EVP_sha512();
  }
  throw std::logic_error("crypto: unknown HashAlg");
}

const unsigned char* uchar_ptr(ByteSpan s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : s.data();
}

int int_len(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX)) throw std::logic_error("crypto: buffer too large");
  return static_cast<int>(n);
}

UniqueBio mem_bio(ByteSpan data) {
  UniqueBio bio(BIO_new_mem_buf(uchar_ptr(data), int_len(data.size())));
  if (!bio) throw std::bad_alloc();
  return bio;
}

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(len));
}

std::shared_ptr<PkeyHandle> make_pkey_handle(UniqueEvpPkey pkey) {
  if (!pkey) throw std::logic_error("crypto: null EVP_PKEY");
  return std::make_shared<PkeyHandle>(pkey.release());
}

namespace {
template <typename Out>
Out bn_to(const BIGNUM* bn, std::size_t pad_to) {
  std::size_t n = static_cast<std::size_t>(BN_num_bytes(bn));
  std::size_t size = pad_to > n ? pad_to : n;
  Out out(size);
  if (size == 0) return out;
  if (BN_bn2binpad(bn, out.data(), int_len(size)) < 0) {
    throw std::logic_error("crypto: BN_bn2binpad failed");
  }
  return out;
}
}  // namespace

Bytes bn_to_bytes(const BIGNUM* bn, std::size_t pad_to) { return bn_to<Bytes>(bn, pad_to); }
SecureBytes bn_to_secure_bytes(const BIGNUM* bn, std::size_t pad_to) {
  return bn_to<SecureBytes>(bn, pad_to);
}

}  // namespace mpcc::crypto::internal
