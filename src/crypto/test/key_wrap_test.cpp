#include "crypto/key_wrap.h"

#include <gtest/gtest.h>

#include "crypto/random.h"

namespace mpcc::crypto {
namespace {

Bytes hex(std::string_view h) { return hex_decode(h).value(); }
Bytes plain(const SecureBytes& s) { return Bytes(s.begin(), s.end()); }

const char* kKek = "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8";

// RFC 5649 section 6.
TEST(KeyWrap, Rfc5649Vector20Bytes) {
  auto w = aes_kwp_wrap(hex(kKek), hex("c37b7e6492584340bed12207808941155068f738"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(hex_encode(*w), "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
  auto u = aes_kwp_unwrap(hex(kKek), *w);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(hex_encode(plain(*u)), "c37b7e6492584340bed12207808941155068f738");
}

TEST(KeyWrap, Rfc5649Vector7Bytes) {
  auto w = aes_kwp_wrap(hex(kKek), hex("466f7250617369"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(hex_encode(*w), "afbeb0f07dfbf5419200f2ccb50bb24f");
  auto u = aes_kwp_unwrap(hex(kKek), *w);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(hex_encode(plain(*u)), "466f7250617369");
}

TEST(KeyWrap, TamperAndWrongKekFail) {
  Bytes w = hex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
  for (std::size_t i : {0u, 8u, 31u}) {
    Bytes t = w;
    t[i] ^= 0x01;
    auto r = aes_kwp_unwrap(hex(kKek), t);
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << i;
    EXPECT_NE(r.status().message().find("AES-KWP"), std::string::npos);
  }
  Bytes wrong_kek = hex(kKek);
  wrong_kek[0] ^= 1;
  EXPECT_EQ(aes_kwp_unwrap(wrong_kek, w).status().code(), StatusCode::kPermissionDenied);
}

TEST(KeyWrap, RejectsMalformedInput) {
  EXPECT_EQ(aes_kwp_wrap(Bytes(20, 0), Bytes(16, 1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(aes_kwp_wrap(Bytes(32, 0), {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(aes_kwp_unwrap(Bytes(32, 0), Bytes(15, 0)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(aes_kwp_unwrap(Bytes(32, 0), Bytes(20, 0)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(KeyWrap, LengthsAndKekSizes) {
  for (std::size_t kek_size : {16u, 24u, 32u}) {
    Bytes kek = random_bytes(kek_size);
    for (std::size_t n : {1u, 8u, 9u, 32u, 100u, 1218u}) {
      Bytes target = random_bytes(n);
      auto w = aes_kwp_wrap(kek, target);
      ASSERT_TRUE(w.ok());
      EXPECT_EQ(w->size(), 8 * ((n + 7) / 8 + 1)) << n;
      auto u = aes_kwp_unwrap(kek, *w);
      ASSERT_TRUE(u.ok());
      EXPECT_EQ(plain(*u), target);
    }
  }
}

TEST(KeyWrap, AlgorithmNames) {
  EXPECT_EQ(rsa_aes_wrap_name(RsaAesWrapAlg::kCkmRsaAesKeyWrap), "CKM_RSA_AES_KEY_WRAP");
  EXPECT_EQ(rsa_aes_wrap_name(RsaAesWrapAlg::kRsaAesKeyWrap256), "RSA_AES_KEY_WRAP_256");
  EXPECT_EQ(rsa_aes_wrap_name(RsaAesWrapAlg::kRsaAesKeyWrap384), "RSA_AES_KEY_WRAP_384");
  EXPECT_EQ(*rsa_aes_wrap_from_name("RSA_AES_KEY_WRAP_384"), RsaAesWrapAlg::kRsaAesKeyWrap384);
  EXPECT_EQ(*rsa_aes_wrap_from_name("CKM_RSA_AES_KEY_WRAP"), RsaAesWrapAlg::kCkmRsaAesKeyWrap);
  EXPECT_EQ(rsa_aes_wrap_from_name("rsa_aes_key_wrap_256").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(rsa_aes_wrap_from_name("RSA-OAEP").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rsa_aes_wrap_hash(RsaAesWrapAlg::kCkmRsaAesKeyWrap), HashAlg::kSha1);
  EXPECT_EQ(rsa_aes_wrap_hash(RsaAesWrapAlg::kRsaAesKeyWrap256), HashAlg::kSha256);
  EXPECT_EQ(rsa_aes_wrap_hash(RsaAesWrapAlg::kRsaAesKeyWrap384), HashAlg::kSha384);
}

TEST(KeyWrap, RsaAesRoundTrip2048And3072) {
  const RsaAesWrapAlg algs[] = {RsaAesWrapAlg::kCkmRsaAesKeyWrap, RsaAesWrapAlg::kRsaAesKeyWrap256,
                                RsaAesWrapAlg::kRsaAesKeyWrap384};
  for (std::size_t bits : {2048u, 3072u}) {
    auto key = PrivateKey::generate_rsa(bits).value();
    for (RsaAesWrapAlg alg : algs) {
      for (std::size_t n : {32u, 45u}) {
        Bytes target = random_bytes(n);
        auto w = rsa_aes_key_wrap(key.public_key(), alg, target);
        ASSERT_TRUE(w.ok()) << rsa_aes_wrap_name(alg);
        EXPECT_EQ(w->size(), bits / 8 + 8 * ((n + 7) / 8 + 1));
        auto u = rsa_aes_key_unwrap(key, alg, *w);
        ASSERT_TRUE(u.ok()) << rsa_aes_wrap_name(alg) << " " << u.status().to_string();
        EXPECT_EQ(plain(*u), target);
      }
    }
  }
}

TEST(KeyWrap, RsaAesFailures) {
  auto key = PrivateKey::generate_rsa(2048).value();
  Bytes target = random_bytes(32);
  Bytes w = rsa_aes_key_wrap(key.public_key(), RsaAesWrapAlg::kRsaAesKeyWrap256, target).value();
  // Wrong algorithm (OAEP hash) on unwrap.
  EXPECT_EQ(rsa_aes_key_unwrap(key, RsaAesWrapAlg::kCkmRsaAesKeyWrap, w).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(rsa_aes_key_unwrap(key, RsaAesWrapAlg::kRsaAesKeyWrap384, w).status().code(),
            StatusCode::kPermissionDenied);
  // Tampered RSA part and tampered KWP part.
  Bytes t1 = w;
  t1[3] ^= 1;
  EXPECT_EQ(rsa_aes_key_unwrap(key, RsaAesWrapAlg::kRsaAesKeyWrap256, t1).status().code(),
            StatusCode::kPermissionDenied);
  Bytes t2 = w;
  t2[w.size() - 1] ^= 1;
  EXPECT_EQ(rsa_aes_key_unwrap(key, RsaAesWrapAlg::kRsaAesKeyWrap256, t2).status().code(),
            StatusCode::kPermissionDenied);
  // Another key.
  auto other = PrivateKey::generate_rsa(2048).value();
  EXPECT_EQ(rsa_aes_key_unwrap(other, RsaAesWrapAlg::kRsaAesKeyWrap256, w).status().code(),
            StatusCode::kPermissionDenied);
  // Lengths that cannot be right for this modulus.
  Bytes truncated(w.begin(), w.begin() + 256 + 8);
  EXPECT_EQ(rsa_aes_key_unwrap(key, RsaAesWrapAlg::kRsaAesKeyWrap256, truncated).status().code(),
            StatusCode::kInvalidArgument);
  Bytes odd = w;
  odd.push_back(0);
  EXPECT_EQ(rsa_aes_key_unwrap(key, RsaAesWrapAlg::kRsaAesKeyWrap256, odd).status().code(),
            StatusCode::kInvalidArgument);
  // EC wrapping keys are refused.
  auto ec = PrivateKey::generate_ec(Curve::kP256).value();
  EXPECT_EQ(
      rsa_aes_key_wrap(ec.public_key(), RsaAesWrapAlg::kRsaAesKeyWrap256, target).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(rsa_aes_key_unwrap(ec, RsaAesWrapAlg::kRsaAesKeyWrap256, w).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mpcc::crypto
