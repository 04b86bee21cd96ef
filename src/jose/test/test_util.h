// File: jose/test/test_util.h
//
// Helpers shared by the jose tests: unwrapping StatusOr with a readable
// failure, the RFC keys as crypto keys, a generated P-384 key, and segment
// surgery on compact serializations.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/testing/must.h"
#include "crypto/encoding.h"
#include "crypto/keys.h"
#include "jose/internal/compact.h"
#include "jose/jwk.h"
#include "jose/test/rfc_vectors.h"

namespace mpcc::jose::test {

using mpcc::testing::must;

inline Jwk jwk_from(std::string_view text) { return must(Jwk::parse(text)); }

// RFC 7515 A.2 RSA-2048 key and A.3 P-256 key, built once per process
// (importing an RSA private key validates it, which takes a while).
inline const crypto::PrivateKey& rsa_private() {
  static const crypto::PrivateKey key = must(jwk_from(kRfc7515A2Jwk).to_private_key());
  return key;
}
inline crypto::PublicKey rsa_public() { return rsa_private().public_key(); }
inline const crypto::PrivateKey& p256_private() {
  static const crypto::PrivateKey key = must(jwk_from(kRfc7515A3Jwk).to_private_key());
  return key;
}
// Generated once per process (no published P-384 example in RFC 7515).
inline const crypto::PrivateKey& p384_private() {
  static const crypto::PrivateKey key = must(crypto::PrivateKey::generate_ec(crypto::Curve::kP384));
  return key;
}

inline std::vector<std::string> segments(std::string_view compact) {
  std::vector<std::string> out;
  for (std::string_view s : internal::split_compact(compact)) out.emplace_back(s);
  return out;
}

inline std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i != 0) out += '.';
    out += parts[i];
  }
  return out;
}

inline std::string b64(std::string_view s) { return crypto::base64url_encode(s); }
inline std::string b64_json(const nlohmann::json& j) { return crypto::base64url_encode(j.dump()); }

// Flips the lowest bit of byte `index` of segment `segment` (decoded).
inline std::string flip_bit(std::string_view compact, std::size_t segment, std::size_t index = 0) {
  std::vector<std::string> parts = segments(compact);
  Bytes bytes = must(crypto::base64url_decode(parts.at(segment)));
  bytes.at(index) ^= 0x01;
  parts[segment] = crypto::base64url_encode(bytes);
  return join(parts);
}

// Replaces segment `segment` with `value`.
inline std::string replace_segment(std::string_view compact, std::size_t segment,
                                   std::string value) {
  std::vector<std::string> parts = segments(compact);
  parts.at(segment) = std::move(value);
  return join(parts);
}

}  // namespace mpcc::jose::test
