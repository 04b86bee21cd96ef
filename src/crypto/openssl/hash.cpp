// File: crypto/openssl/hash.cpp
//
// EVP digests. Failures of EVP_Digest* with valid arguments are OpenSSL
// invariant breaks and throw std::logic_error.
#include "crypto/hash.h"

#include <stdexcept>

#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {

std::size_t digest_size(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha1:
      return 20;
    case HashAlg::kSha256:
      return 32;
    case HashAlg::kSha384:
      return 48;
    case HashAlg::kSha512:
      return 64;
  }
  throw std::logic_error("crypto: unknown HashAlg");
}

std::string_view hash_name(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha1:
      return "SHA-1";
    case HashAlg::kSha256:
      return "SHA-256";
    case HashAlg::kSha384:
      return "SHA-384";
    case HashAlg::kSha512:
      return "SHA-512";
  }
  throw std::logic_error("crypto: unknown HashAlg");
}

Bytes digest(HashAlg alg, ByteSpan data) {
  Bytes out(digest_size(alg));
  unsigned int len = 0;
  if (EVP_Digest(internal::uchar_ptr(data), data.size(), out.data(), &len, internal::evp_md(alg),
                 nullptr) != 1 ||
      len != out.size()) {
    throw std::logic_error(internal::drain_openssl_errors("crypto: EVP_Digest failed"));
  }
  return out;
}

struct Hasher::Impl {
  HashAlg alg;
  internal::UniqueEvpMdCtx ctx;
};

Hasher::Hasher(HashAlg alg) : impl_(std::make_unique<Impl>()) {
  impl_->alg = alg;
  impl_->ctx.reset(EVP_MD_CTX_new());
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx.get(), internal::evp_md(alg), nullptr) != 1) {
    throw std::logic_error(internal::drain_openssl_errors("crypto: EVP_DigestInit_ex failed"));
  }
}

Hasher::~Hasher() = default;

void Hasher::update(ByteSpan data) {
  if (!impl_->ctx) throw std::logic_error("crypto: Hasher used after finish()");
  if (data.empty()) return;
  if (EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) {
    throw std::logic_error(internal::drain_openssl_errors("crypto: EVP_DigestUpdate failed"));
  }
}

Bytes Hasher::finish() {
  if (!impl_->ctx) throw std::logic_error("crypto: Hasher used after finish()");
  Bytes out(digest_size(impl_->alg));
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    throw std::logic_error(internal::drain_openssl_errors("crypto: EVP_DigestFinal_ex failed"));
  }
  impl_->ctx.reset();
  return out;
}

}  // namespace mpcc::crypto
