#include "jose/issuer_key.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/file_io.h"
#include "crypto/encoding.h"
#include "jose/jwt.h"

namespace mpcc::jose {
namespace {

namespace fs = std::filesystem;

class IssuerKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mpcc_issuer_key_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(IssuerKeyTest, CreatesPersistsAndReloadsTheSameKey) {
  auto first = load_or_create_issuer_key(dir_, "signing", "test issuer");
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  EXPECT_EQ(fs::status(dir_ / "signing.key").permissions() & fs::perms::group_read, fs::perms::none);
  auto again = load_or_create_issuer_key(dir_, "signing", "test issuer");
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(first->kid, again->kid);
  EXPECT_TRUE(first->key.public_key().equals(again->key.public_key()));
  EXPECT_EQ(first->kid, crypto::base64url_encode(first->certificate.sha256_fingerprint()));
}

TEST_F(IssuerKeyTest, PublicJwkCarriesX5cMatchingTheKeyAndVerifiesTokens) {
  auto k = load_or_create_issuer_key(dir_, "signing", "test issuer");
  ASSERT_TRUE(k.ok());
  Jwk jwk = k->public_jwk();
  EXPECT_EQ(jwk.kid(), k->kid);
  EXPECT_EQ(jwk.use(), "sig");
  ASSERT_EQ(jwk.x5c().size(), 1u);
  auto der = crypto::base64_decode(jwk.x5c()[0]);
  ASSERT_TRUE(der.ok());
  auto cert = crypto::Certificate::from_der(*der);
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(cert->public_key().equals(*jwk.to_public_key()));
  EXPECT_FALSE(jwk.to_json().contains("d"));

  JwtSigner signer(JwsAlg::kRs256, k->key, k->kid);
  auto token = signer.sign({{"iss", "https://issuer"}, {"exp", 4102444800}});
  ASSERT_TRUE(token.ok());
  JwtVerifier verifier(key_set_resolver(JwkSet({jwk})), {});
  EXPECT_TRUE(verifier.verify(*token).ok());
}

TEST_F(IssuerKeyTest, RefusesHalfAStateAndMismatchedFiles) {
  ASSERT_TRUE(load_or_create_issuer_key(dir_, "a", "a").ok());
  fs::remove(dir_ / "a.pem");
  EXPECT_EQ(load_or_create_issuer_key(dir_, "a", "a").status().code(), StatusCode::kDataLoss);

  ASSERT_TRUE(load_or_create_issuer_key(dir_, "b", "b").ok());
  ASSERT_TRUE(load_or_create_issuer_key(dir_, "c", "c").ok());
  fs::copy_file(dir_ / "c.pem", dir_ / "b.pem", fs::copy_options::overwrite_existing);
  auto mixed = load_or_create_issuer_key(dir_, "b", "b");
  EXPECT_EQ(mixed.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(mixed.status().message().find("does not hold the key"), std::string::npos);
}

}  // namespace
}  // namespace mpcc::jose
