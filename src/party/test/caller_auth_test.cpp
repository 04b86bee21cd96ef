// CallerAuth: the operator's token opens every guarded route; partner
// readers' identity tokens open only what allows partners; every refusal
// says why.
#include <gtest/gtest.h>

#include <chrono>

#include "crypto/keys.h"
#include "jose/jwk.h"
#include "jose/jwt.h"
#include "party/caller_auth.h"

namespace mpcc::party {
namespace {

using nlohmann::json;

constexpr const char* kIssuer = "https://127.0.0.1:7003";
constexpr const char* kAudience = "https://127.0.0.1:8001";
const std::string kOperator = "0123456789abcdef0123456789abcdef";

http::Request with_auth(const std::string& value) {
  http::Request r;
  r.path = "/company/list";
  if (!value.empty()) r.headers.emplace_back("Authorization", value);
  return r;
}

class CallerAuthTest : public ::testing::Test {
 protected:
  CallerAuthTest()
      : signing_(*crypto::PrivateKey::generate_rsa(2048)),
        other_(*crypto::PrivateKey::generate_rsa(2048)) {
    auto jwk = *jose::Jwk::from_public_key(signing_.public_key());
    jwk.set_kid("k1");
    jose::JwtVerifierOptions o;
    o.allowed_algs = {jose::JwsAlg::kRs256};
    o.issuers = {kIssuer};
    o.audience = kAudience;
    verifier_ = std::make_shared<jose::JwtVerifier>(jose::single_key_resolver(jwk), o);
  }
  CallerAuth auth(bool with_readers = true) const {
    std::vector<PartnerReader> readers;
    if (with_readers) readers.push_back({"woodgrove", "oid-woodgrove", "Woodgrove Bank", ""});
    return CallerAuth(to_secure(to_bytes(kOperator)), readers, with_readers ? verifier_ : nullptr);
  }
  std::string token(const std::string& oid, const std::string& aud = kAudience,
                    const crypto::PrivateKey* key = nullptr, int64_t exp_offset = 600) const {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    json claims = {{"iss", kIssuer}, {"aud", aud}, {"oid", oid}, {"iat", now}, {"exp", now + exp_offset}};
    jose::JwtSigner signer(jose::JwsAlg::kRs256, key ? *key : signing_, "k1");
    return *signer.sign(claims);
  }

  crypto::PrivateKey signing_, other_;
  std::shared_ptr<jose::JwtVerifier> verifier_;
};

TEST_F(CallerAuthTest, OperatorTokenIsAcceptedAnythingElseRefusedWithAReason) {
  EXPECT_TRUE(auth().require_operator(with_auth("Bearer " + kOperator)).ok());
  EXPECT_TRUE(auth().require_operator(with_auth("bearer " + kOperator)).ok());

  auto none = auth().require_operator(with_auth(""));
  EXPECT_EQ(none.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(none.status().message().find("no Authorization header"), std::string::npos);
  auto basic = auth().require_operator(with_auth("Basic " + kOperator));
  EXPECT_NE(basic.status().message().find("not a Bearer"), std::string::npos);
  auto wrong = auth().require_operator(with_auth("Bearer " + kOperator + "x"));
  EXPECT_NE(wrong.status().message().find("not this party's operator token"), std::string::npos);
  // A partner's valid token is not the operator's.
  EXPECT_FALSE(auth().require_operator(with_auth("Bearer " + token("oid-woodgrove"))).ok());
}

TEST_F(CallerAuthTest, PartnerReaderTokenOpensPartnerRoutesOnly) {
  auto ok = auth().require_operator_or_partner(with_auth("Bearer " + token("oid-woodgrove")));
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_FALSE(ok->is_operator);
  EXPECT_EQ(ok->partner, "woodgrove");

  auto op = auth().require_operator_or_partner(with_auth("Bearer " + kOperator));
  ASSERT_TRUE(op.ok());
  EXPECT_TRUE(op->is_operator);

  auto stranger = auth().require_operator_or_partner(with_auth("Bearer " + token("oid-fabrikam")));
  EXPECT_EQ(stranger.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(stranger.status().message().find("not a partner reader"), std::string::npos);

  auto wrong_aud = auth().require_operator_or_partner(
      with_auth("Bearer " + token("oid-woodgrove", "https://127.0.0.1:8002")));
  EXPECT_EQ(wrong_aud.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(wrong_aud.status().message().find("partner token"), std::string::npos);

  auto forged = auth().require_operator_or_partner(
      with_auth("Bearer " + token("oid-woodgrove", kAudience, &other_)));
  EXPECT_EQ(forged.status().code(), StatusCode::kUnauthenticated);

  auto expired = auth().require_operator_or_partner(
      with_auth("Bearer " + token("oid-woodgrove", kAudience, nullptr, -3600)));
  EXPECT_EQ(expired.status().code(), StatusCode::kUnauthenticated);

  // Without readers nothing but the operator gets in.
  auto closed = auth(false).require_operator_or_partner(with_auth("Bearer " + token("oid-woodgrove")));
  EXPECT_EQ(closed.status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace mpcc::party
