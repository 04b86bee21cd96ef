#include "jose/jwt.h"

#include <gtest/gtest.h>

#include "jose/test/rfc_vectors.h"
#include "jose/test/test_util.h"

namespace mpcc::jose {
namespace {

using nlohmann::json;
using test::must;

constexpr UnixSeconds kNow = 1700000000;
constexpr const char* kIssuer = "https://attest.mpcc.local";

class JwtTest : public ::testing::Test {
 protected:
  JwtTest() {
    Jwk rsa = must(Jwk::from_public_key(test::rsa_public()));
    rsa.set_kid("rsa-1");
    Jwk ec = must(Jwk::from_public_key(test::p256_private().public_key()));
    ec.set_kid("ec-1");
    keys_.add(rsa);
    keys_.add(ec);
  }

  JwtVerifierOptions options() const {
    JwtVerifierOptions o;
    o.issuers = {kIssuer};
    o.audience = "https://vault.mpcc.local";
    o.clock = std::make_shared<FixedClock>(kNow);
    return o;
  }

  static json claims() {
    return {{"iss", kIssuer},      {"aud", "https://vault.mpcc.local"},
            {"iat", kNow},         {"nbf", kNow},
            {"exp", kNow + 28800}, {"x-ms-attestation-type", "sevsnpvm"}};
  }

  static std::string rsa_token(const json& c, const std::string& kid = "rsa-1",
                               JwsAlg alg = JwsAlg::kRs256) {
    return must(JwtSigner(alg, test::rsa_private(), kid).sign(c));
  }

  Status verify(std::string_view token) const { return verify_with(options(), token); }
  Status verify_with(const JwtVerifierOptions& o, std::string_view token) const {
    return JwtVerifier(key_set_resolver(keys_), o).verify(token).status();
  }

  JwkSet keys_;
};

void expect_refused(const Status& s, std::string_view message_prefix,
                    StatusCode code = StatusCode::kPermissionDenied) {
  EXPECT_EQ(s.code(), code) << s.to_string();
  EXPECT_EQ(s.message().substr(0, message_prefix.size()), message_prefix) << s.message();
}

TEST_F(JwtTest, VerifiesAValidToken) {
  const std::string token = must(
      JwtSigner(JwsAlg::kRs256, test::rsa_private(), "rsa-1", "https://attest.mpcc.local/certs")
          .sign(claims()));
  const VerifiedJwt jwt = must(JwtVerifier(key_set_resolver(keys_), options()).verify(token));
  EXPECT_EQ(jwt.alg, JwsAlg::kRs256);
  EXPECT_EQ(jwt.claims, claims());
  EXPECT_EQ(jwt.header, json({{"alg", "RS256"},
                              {"kid", "rsa-1"},
                              {"jku", "https://attest.mpcc.local/certs"},
                              {"typ", "JWT"}}));
}

TEST_F(JwtTest, VerifiesEveryAlgWithItsKey) {
  Jwk p384 = must(Jwk::from_public_key(test::p384_private().public_key()));
  p384.set_kid("ec-384");
  keys_.add(p384);
  struct Case {
    JwsAlg alg;
    crypto::PrivateKey key;
    std::string kid;
  };
  for (const Case& c : std::vector<Case>{{JwsAlg::kRs256, test::rsa_private(), "rsa-1"},
                                         {JwsAlg::kRs384, test::rsa_private(), "rsa-1"},
                                         {JwsAlg::kPs256, test::rsa_private(), "rsa-1"},
                                         {JwsAlg::kPs384, test::rsa_private(), "rsa-1"},
                                         {JwsAlg::kEs256, test::p256_private(), "ec-1"},
                                         {JwsAlg::kEs384, test::p384_private(), "ec-384"}}) {
    SCOPED_TRACE(std::string(jws_alg_name(c.alg)));
    EXPECT_TRUE(verify(must(JwtSigner(c.alg, c.key, c.kid).sign(claims()))).ok());
  }
}

TEST_F(JwtTest, Rfc7515A2TokenAsJwt) {
  // {"iss":"joe","exp":1300819380,...} signed with the RFC key, no kid.
  JwtVerifierOptions o;
  o.issuers = {"joe"};
  o.clock = std::make_shared<FixedClock>(1300819000);
  const Jwk key = must(Jwk::from_public_key(test::rsa_public()));
  const VerifiedJwt jwt =
      must(JwtVerifier(single_key_resolver(key), o).verify(test::kRfc7515A2Token));
  EXPECT_EQ(jwt.claims["http://example.com/is_root"], true);
  o.clock = std::make_shared<FixedClock>(1300819380 + 60);
  expect_refused(JwtVerifier(single_key_resolver(key), o).verify(test::kRfc7515A2Token).status(),
                 "JWT: token expired at exp 1300819380 (now 1300819440, leeway 60s)");
}

TEST_F(JwtTest, RefusesUnknownKid) {
  expect_refused(verify(rsa_token(claims(), "rsa-2")), "JWT: unknown kid 'rsa-2'");
  // No kid, and two keys to choose from.
  const std::string no_kid = must(jwt_sign(JwsAlg::kRs256, test::rsa_private(), claims()));
  expect_refused(verify(no_kid), "JWT: unknown kid (none)");
  // A single pinned key with another kid.
  Jwk pinned = keys_.keys()[0];
  expect_refused(JwtVerifier(single_key_resolver(pinned), options())
                     .verify(rsa_token(claims(), "other"))
                     .status(),
                 "JWT: unknown kid 'other'");
  EXPECT_TRUE(JwtVerifier(single_key_resolver(pinned), options()).verify(no_kid).ok());
  // A kid that is not a string.
  const std::string bad_kid =
      must(jwt_sign(JwsAlg::kRs256, test::rsa_private(), claims(), {{"kid", 5}}));
  expect_refused(verify(bad_kid), "JWT: header kid is not a string", StatusCode::kInvalidArgument);
}

TEST_F(JwtTest, RefusesExpiredTokens) {
  json c = claims();
  c["exp"] = kNow - 61;
  expect_refused(verify(rsa_token(c)), "JWT: token expired at exp 1699999939");
  c["exp"] = kNow - 30;  // within the default 60 s leeway
  EXPECT_TRUE(verify(rsa_token(c)).ok());
  JwtVerifierOptions strict = options();
  strict.leeway_seconds = 0;
  c["exp"] = kNow;  // RFC 7519: not on or after exp
  expect_refused(verify_with(strict, rsa_token(c)), "JWT: token expired");
  c["exp"] = kNow + 1;
  EXPECT_TRUE(verify_with(strict, rsa_token(c)).ok());
}

TEST_F(JwtTest, ExpIsRequiredUnlessConfiguredOff) {
  json c = claims();
  c.erase("exp");
  expect_refused(verify(rsa_token(c)), "JWT: missing exp");
  JwtVerifierOptions o = options();
  o.require_exp = false;
  EXPECT_TRUE(verify_with(o, rsa_token(c)).ok());
  c["exp"] = "tomorrow";
  expect_refused(verify_with(o, rsa_token(c)), "JWT: exp is not a number",
                 StatusCode::kInvalidArgument);
}

TEST_F(JwtTest, RefusesTokensNotYetValid) {
  json c = claims();
  c["nbf"] = kNow + 120;
  expect_refused(verify(rsa_token(c)), "JWT: token not valid before nbf 1700000120");
  c["nbf"] = kNow + 30;
  EXPECT_TRUE(verify(rsa_token(c)).ok());
  c["nbf"] = true;
  expect_refused(verify(rsa_token(c)), "JWT: nbf is not a number", StatusCode::kInvalidArgument);
}

TEST_F(JwtTest, RefusesIatInTheFuture) {
  json c = claims();
  c["iat"] = kNow + 120;
  expect_refused(verify(rsa_token(c)), "JWT: iat 1700000120 is in the future");
  c["iat"] = kNow + 30.5;
  EXPECT_TRUE(verify(rsa_token(c)).ok());
}

TEST_F(JwtTest, RefusesWrongIssuer) {
  json c = claims();
  c["iss"] = "https://evil.example";
  expect_refused(verify(rsa_token(c)), "JWT: untrusted issuer 'https://evil.example'");
  c.erase("iss");
  expect_refused(verify(rsa_token(c)), "JWT: missing iss");
  c["iss"] = 42;
  expect_refused(verify(rsa_token(c)), "JWT: missing iss");
  JwtVerifierOptions o = options();
  o.issuers = {"https://other", kIssuer};
  EXPECT_TRUE(verify_with(o, rsa_token(claims())).ok());
  o.issuers.clear();  // not checked
  c["iss"] = "https://anyone";
  EXPECT_TRUE(verify_with(o, rsa_token(c)).ok());
}

TEST_F(JwtTest, ChecksAudienceStringOrArray) {
  json c = claims();
  c["aud"] = json::array({"https://a", "https://vault.mpcc.local"});
  EXPECT_TRUE(verify(rsa_token(c)).ok());
  c["aud"] = json::array({"https://a", "https://b"});
  expect_refused(verify(rsa_token(c)), "JWT: audience 'https://vault.mpcc.local' not in aud");
  c["aud"] = "https://a";
  expect_refused(verify(rsa_token(c)), "JWT: audience 'https://vault.mpcc.local' not in aud");
  c.erase("aud");
  expect_refused(verify(rsa_token(c)), "JWT: missing aud");
  c["aud"] = 7;
  expect_refused(verify(rsa_token(c)), "JWT: aud is not a string or an array of strings",
                 StatusCode::kInvalidArgument);
  c["aud"] = json::array({"https://vault.mpcc.local", 7});
  expect_refused(verify(rsa_token(c)), "JWT: aud is not a string or an array of strings",
                 StatusCode::kInvalidArgument);
  JwtVerifierOptions o = options();
  o.audience.reset();  // not checked
  c["aud"] = "https://a";
  EXPECT_TRUE(verify_with(o, rsa_token(c)).ok());
}

TEST_F(JwtTest, RefusesAlgOutsideAllowedList) {
  JwtVerifierOptions o = options();
  o.allowed_algs = {JwsAlg::kRs256};
  expect_refused(verify_with(o, rsa_token(claims(), "rsa-1", JwsAlg::kPs256)),
                 "JWT: alg PS256 is not allowed");
  EXPECT_TRUE(verify_with(o, rsa_token(claims())).ok());
}

TEST_F(JwtTest, RefusesAlgNoneAndHmac) {
  const std::string none = test::b64_json(json{{"alg", "none"}, {"kid", "rsa-1"}}) + "." +
                           test::b64_json(claims()) + ".";
  expect_refused(verify(none), "JWT: JWS: alg 'none' is refused");
  const std::string hs = test::b64_json(json{{"alg", "HS256"}, {"kid", "rsa-1"}}) + "." +
                         test::b64_json(claims()) + ".c2ln";
  expect_refused(verify(hs), "JWT: JWS: HMAC alg 'HS256' is refused");
}

TEST_F(JwtTest, RefusesAlgConfusionThroughKid) {
  // An RS256 token that names the EC key.
  expect_refused(verify(rsa_token(claims(), "ec-1")),
                 "JWT: JWS: alg RS256 needs an RSA key, got EC P-256");
  // An ES256 token that names the RSA key.
  const std::string es =
      must(JwtSigner(JwsAlg::kEs256, test::p256_private(), "rsa-1").sign(claims()));
  expect_refused(verify(es), "JWT: JWS: alg ES256 needs an EC P-256 key, got RSA");
}

TEST_F(JwtTest, HonoursKeyMetadata) {
  auto with = [&](const std::function<void(Jwk&)>& edit) {
    Jwk key = keys_.keys()[0];
    edit(key);
    return JwtVerifier(single_key_resolver(key), options()).verify(rsa_token(claims())).status();
  };
  expect_refused(with([](Jwk& k) { k.set_use("enc"); }),
                 "JWT: key 'rsa-1' is not for signatures (use 'enc')");
  EXPECT_TRUE(with([](Jwk& k) { k.set_use("sig"); }).ok());
  expect_refused(with([](Jwk& k) { k.set_key_ops({"encrypt"}); }),
                 "JWT: key 'rsa-1' does not allow verify");
  EXPECT_TRUE(with([](Jwk& k) { k.set_key_ops({"verify"}); }).ok());
  expect_refused(with([](Jwk& k) { k.set_alg("PS256"); }),
                 "JWT: key 'rsa-1' is for alg PS256, the token uses RS256");
  EXPECT_TRUE(with([](Jwk& k) { k.set_alg("RS256"); }).ok());
  Jwk oct = must(Jwk::from_oct(Bytes(32, 1)));
  expect_refused(
      JwtVerifier(single_key_resolver(oct), options()).verify(rsa_token(claims())).status(),
      "JWT: key 'rsa-1' is not an asymmetric key");
}

TEST_F(JwtTest, RefusesBadSignatureAndTampering) {
  const std::string token = rsa_token(claims());
  expect_refused(verify(test::flip_bit(token, 2, 5)), "JWT: JWS: signature does not verify");
  json c = claims();
  c["x-ms-attestation-type"] = "none";
  expect_refused(verify(test::replace_segment(token, 1, test::b64_json(c))),
                 "JWT: JWS: signature does not verify");
  // Signed by a key other than the one its kid names.
  const crypto::PrivateKey other = must(test::jwk_from(test::kRfc7516A1Jwk).to_private_key());
  expect_refused(verify(must(JwtSigner(JwsAlg::kRs256, other, "rsa-1").sign(claims()))),
                 "JWT: JWS: signature does not verify");
}

TEST_F(JwtTest, RefusesMalformedTokens) {
  expect_refused(verify("abc"), "JWT: JWS: expected 3 segments, got 1",
                 StatusCode::kInvalidArgument);
  const json header = {{"kid", "rsa-1"}};
  const std::string array_payload =
      must(jws_sign(JwsAlg::kRs256, test::rsa_private(), as_span("[1,2]"), header));
  expect_refused(verify(array_payload), "JWT: payload is not a JSON object",
                 StatusCode::kInvalidArgument);
  const std::string text_payload =
      must(jws_sign(JwsAlg::kRs256, test::rsa_private(), as_span("hello"), header));
  expect_refused(verify(text_payload), "JWT: payload is not valid JSON",
                 StatusCode::kInvalidArgument);
  const std::string dup = must(
      jws_sign(JwsAlg::kRs256, test::rsa_private(), as_span(R"({"iss":"a","iss":"b"})"), header));
  expect_refused(verify(dup), "JWT: payload has duplicate member 'iss'",
                 StatusCode::kInvalidArgument);
}

TEST_F(JwtTest, RefusesCriticalHeader) {
  const json header = {{"alg", "RS256"}, {"kid", "rsa-1"}, {"crit", {"x-ms-ext"}}, {"x-ms-ext", 1}};
  const std::string input = test::b64_json(header) + "." + test::b64_json(claims());
  const Bytes sig = must(
      crypto::sign(test::rsa_private(), crypto::SignatureAlg::kRsaPkcs1Sha256, as_span(input)));
  expect_refused(verify(input + "." + crypto::base64url_encode(sig)),
                 "JWT: JWS: unsupported critical header parameter 'x-ms-ext'");
}

TEST_F(JwtTest, PassesOnResolverErrors) {
  JwtKeyResolver failing = [](const std::optional<std::string>&) -> StatusOr<Jwk> {
    return unavailable("JWKS fetch failed");
  };
  const Status s = JwtVerifier(failing, options()).verify(rsa_token(claims())).status();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "JWT: JWKS fetch failed");
}

TEST(JwtSign, HeaderAndClaims) {
  const std::string token = must(jwt_sign(JwsAlg::kEs256, test::p256_private(), {{"sub", "x"}},
                                          {{"kid", "k"}, {"typ", "at+jwt"}}));
  const ParsedJws jws = must(jws_parse(token));
  EXPECT_EQ(jws.header, json({{"alg", "ES256"}, {"kid", "k"}, {"typ", "at+jwt"}}));
  EXPECT_EQ(json::parse(to_string(jws.payload)), json({{"sub", "x"}}));
  EXPECT_EQ(jwt_sign(JwsAlg::kRs256, test::rsa_private(), json::array()).status().message(),
            "JWT: claims must be a JSON object");
  EXPECT_EQ(jwt_sign(JwsAlg::kRs256, test::p256_private(), json::object()).status().message(),
            "JWT: JWS: alg RS256 needs an RSA key, got EC P-256");
  const JwtSigner signer(JwsAlg::kPs384, test::rsa_private(), "kid-9");
  EXPECT_EQ(signer.alg(), JwsAlg::kPs384);
  EXPECT_EQ(signer.kid(), "kid-9");
  EXPECT_EQ(must(jws_parse(must(signer.sign(json::object())))).header["typ"], "JWT");
}

TEST(JwtVerifierSetup, RefusesBadConfiguration) {
  EXPECT_THROW(JwtVerifier(JwtKeyResolver(), JwtVerifierOptions()), std::logic_error);
  JwtVerifierOptions o;
  o.leeway_seconds = -1;
  EXPECT_THROW(JwtVerifier(single_key_resolver(must(Jwk::from_oct(Bytes(16, 1)))), o),
               std::logic_error);
}

}  // namespace
}  // namespace mpcc::jose
