#include "crypto/rsa_oaep.h"

#include <gtest/gtest.h>

namespace mpcc::crypto {
namespace {

const PrivateKey& key() {
  static const PrivateKey k = PrivateKey::generate_rsa(2048).value();
  return k;
}

TEST(RsaOaep, RoundTripEveryHash) {
  const Bytes secret = to_bytes("a 32-byte AES key-encryption-key");
  for (HashAlg h : {HashAlg::kSha1, HashAlg::kSha256, HashAlg::kSha384}) {
    auto ct = rsa_oaep_encrypt(key().public_key(), h, secret);
    ASSERT_TRUE(ct.ok()) << hash_name(h);
    EXPECT_EQ(ct->size(), 256u);
    auto pt = rsa_oaep_decrypt(key(), h, *ct);
    ASSERT_TRUE(pt.ok()) << hash_name(h);
    EXPECT_EQ(Bytes(pt->begin(), pt->end()), secret);
  }
}

TEST(RsaOaep, RandomizedAndLabelled) {
  const Bytes m = to_bytes("m");
  const Bytes label = to_bytes("label");
  auto c1 = rsa_oaep_encrypt(key().public_key(), HashAlg::kSha256, m, label).value();
  auto c2 = rsa_oaep_encrypt(key().public_key(), HashAlg::kSha256, m, label).value();
  EXPECT_NE(c1, c2);
  auto pt = rsa_oaep_decrypt(key(), HashAlg::kSha256, c1, label);
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(Bytes(pt->begin(), pt->end()), m);
}

TEST(RsaOaep, LabelMismatchFails) {
  auto ct = rsa_oaep_encrypt(key().public_key(), HashAlg::kSha256, to_bytes("m"), to_bytes("one"))
                .value();
  auto a = rsa_oaep_decrypt(key(), HashAlg::kSha256, ct, to_bytes("two"));
  EXPECT_EQ(a.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(a.status().message(), "RSA-OAEP: decryption failed");
  EXPECT_EQ(rsa_oaep_decrypt(key(), HashAlg::kSha256, ct).status().code(),
            StatusCode::kPermissionDenied);
}

TEST(RsaOaep, WrongKeyOrHashFails) {
  auto other = PrivateKey::generate_rsa(2048).value();
  auto ct = rsa_oaep_encrypt(key().public_key(), HashAlg::kSha256, to_bytes("m")).value();
  auto a = rsa_oaep_decrypt(other, HashAlg::kSha256, ct);
  EXPECT_EQ(a.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(a.status().message(), "RSA-OAEP: decryption failed");
  EXPECT_EQ(rsa_oaep_decrypt(key(), HashAlg::kSha1, ct).status().code(),
            StatusCode::kPermissionDenied);
  Bytes tampered = ct;
  tampered[10] ^= 1;
  EXPECT_EQ(rsa_oaep_decrypt(key(), HashAlg::kSha256, tampered).status().code(),
            StatusCode::kPermissionDenied);
  Bytes short_ct(ct.begin(), ct.end() - 1);
  EXPECT_EQ(rsa_oaep_decrypt(key(), HashAlg::kSha256, short_ct).status().code(),
            StatusCode::kPermissionDenied);
}

TEST(RsaOaep, RejectsEcKeyAndOversizedPlaintext) {
  auto ec = PrivateKey::generate_ec(Curve::kP256).value();
  EXPECT_EQ(rsa_oaep_encrypt(ec.public_key(), HashAlg::kSha256, to_bytes("m")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(rsa_oaep_decrypt(ec, HashAlg::kSha256, Bytes(256, 1)).status().code(),
            StatusCode::kInvalidArgument);
  // 2048-bit modulus, SHA-256: at most 256 - 2*32 - 2 = 190 bytes.
  EXPECT_TRUE(rsa_oaep_encrypt(key().public_key(), HashAlg::kSha256, Bytes(190, 7)).ok());
  EXPECT_EQ(rsa_oaep_encrypt(key().public_key(), HashAlg::kSha256, Bytes(191, 7)).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mpcc::crypto
