// File: crypto/hash.h
//
// Message digests (OpenSSL EVP). One-shot functions and an incremental Hasher.
#pragma once

#include <memory>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc::crypto {

enum class HashAlg { kSha1, kSha256, kSha384, kSha512 };

std::size_t digest_size(HashAlg alg);
std::string_view hash_name(HashAlg alg);  // "SHA-256" ...

Bytes digest(HashAlg alg, ByteSpan data);
inline Bytes sha256(ByteSpan data) { return digest(HashAlg::kSha256, data); }
inline Bytes sha384(ByteSpan data) { return digest(HashAlg::kSha384, data); }
inline Bytes sha256(std::string_view s) { return sha256(as_span(s)); }

// Incremental hashing. Not thread-safe; one instance per thread.
class Hasher {
 public:
  explicit Hasher(HashAlg alg);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  void update(ByteSpan data);
  Bytes finish();  // the Hasher may not be used afterwards

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpcc::crypto

namespace mpcc::crypto {

// HMAC (RFC 2104) with the given hash, via OpenSSL's EVP_MAC. mpcc issues no
// HMAC-protected tokens; this exists for the audit chain and for tests that
// forge HS256 tokens to prove the verifiers refuse them.
Bytes hmac(HashAlg alg, ByteSpan key, ByteSpan message);

}  // namespace mpcc::crypto
