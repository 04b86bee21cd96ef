#include "jose/jws.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "jose/test/rfc_vectors.h"
#include "jose/test/test_util.h"

namespace mpcc::jose {
namespace {

using nlohmann::json;
using test::must;

// The attacker's HS256 signature (crypto::hmac is OpenSSL's HMAC).
Bytes hmac_sha256(ByteSpan key, ByteSpan message) {
  return crypto::hmac(crypto::HashAlg::kSha256, key, message);
}

// A token with the given header, signed over its signing input with HMAC.
std::string hmac_token(const json& header, std::string_view payload, ByteSpan secret) {
  const std::string input = test::b64_json(header) + "." + test::b64(payload);
  return input + "." + crypto::base64url_encode(hmac_sha256(secret, as_span(input)));
}

// A token with an arbitrary header, really signed by `key` with `alg`
// (bypasses jws_sign's checks on the header).
std::string signed_with_header(const json& header, std::string_view payload,
                               const crypto::PrivateKey& key, JwsAlg alg) {
  const std::string input = test::b64_json(header) + "." + test::b64(payload);
  Bytes sig = must(crypto::sign(key, jws_signature_alg(alg), as_span(input)));
  if (alg == JwsAlg::kEs256) sig = must(crypto::ecdsa_der_to_raw(sig, 32));
  return input + "." + crypto::base64url_encode(sig);
}

void expect_status(const Status& s, StatusCode code, std::string_view message) {
  EXPECT_EQ(s.code(), code) << s.to_string();
  EXPECT_EQ(s.message(), message);
}

TEST(Jws, Rfc7515A2VerifiesAndSignatureIsReproduced) {
  const ParsedJws jws = must(jws_verify(test::kRfc7515A2Token, test::rsa_public()));
  EXPECT_EQ(jws.alg, JwsAlg::kRs256);
  EXPECT_EQ(jws.header, json({{"alg", "RS256"}}));
  EXPECT_EQ(to_string(jws.payload),
            "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
  // RSASSA-PKCS1-v1_5 is deterministic and our header serializes to the
  // RFC's exact bytes {"alg":"RS256"}: signing gives the published JWS.
  EXPECT_EQ(must(jws_sign(JwsAlg::kRs256, test::rsa_private(), jws.payload)),
            test::kRfc7515A2Token);
}

TEST(Jws, Rfc7515A3Verifies) {
  const ParsedJws jws = must(jws_verify(test::kRfc7515A3Token, test::p256_private().public_key()));
  EXPECT_EQ(jws.alg, JwsAlg::kEs256);
  EXPECT_EQ(jws.signature.size(), 64u);
  EXPECT_EQ(jws.payload, must(jws_parse(test::kRfc7515A2Token)).payload);
}

TEST(Jws, SignAndVerifyEveryAlg) {
  const json extras = {{"kid", "k1"}, {"typ", "JWT"}, {"jku", "https://issuer/certs"}};
  struct Case {
    JwsAlg alg;
    crypto::PrivateKey key;
  };
  const std::vector<Case> cases = {
      {JwsAlg::kRs256, test::rsa_private()},  {JwsAlg::kRs384, test::rsa_private()},
      {JwsAlg::kPs256, test::rsa_private()},  {JwsAlg::kPs384, test::rsa_private()},
      {JwsAlg::kEs256, test::p256_private()}, {JwsAlg::kEs384, test::p384_private()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(jws_alg_name(c.alg)));
    const std::string token = must(jws_sign(c.alg, c.key, as_span("payload"), extras));
    const ParsedJws jws = must(jws_verify(token, c.key.public_key()));
    EXPECT_EQ(jws.alg, c.alg);
    EXPECT_EQ(to_string(jws.payload), "payload");
    EXPECT_EQ(jws.kid(), "k1");
    EXPECT_EQ(jws.header["typ"], "JWT");
    EXPECT_EQ(jws.header["alg"], jws_alg_name(c.alg));
    EXPECT_EQ(must(jws_alg_from_name(jws_alg_name(c.alg))), c.alg);
  }
  EXPECT_EQ(all_jws_algs().size(), cases.size());
}

TEST(Jws, RefusesAlgNoneInAnyCase) {
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    SCOPED_TRACE(alg);
    const std::string token = test::b64_json(json{{"alg", alg}}) + "." + test::b64("{}") + ".";
    expect_status(jws_verify(token, test::rsa_public()).status(), StatusCode::kPermissionDenied,
                  "JWS: alg 'none' is refused");
  }
}

TEST(Jws, HmacHelperMatchesRfc7515A1) {
  const Bytes key = must(crypto::base64url_decode(test::kRfc7515A1Key));
  const std::vector<std::string> parts = test::segments(test::kRfc7515A1Token);
  const std::string input = parts[0] + "." + parts[1];
  EXPECT_EQ(crypto::base64url_encode(hmac_sha256(key, as_span(input))), parts[2]);
  // Even the RFC's genuine HS256 token is refused.
  expect_status(jws_parse(test::kRfc7515A1Token).status(), StatusCode::kPermissionDenied,
                "JWS: HMAC alg 'HS256' is refused");
}

TEST(Jws, RefusesHmacWithRsaModulusAsSecret) {
  // The classic confusion attack: HS256 keyed with the RSA public key, hoping
  // the verifier feeds the "key" it has to HMAC.
  const Jwk pub = must(Jwk::from_public_key(test::rsa_public()));
  for (const char* alg : {"HS256", "HS384", "HS512", "hs256"}) {
    SCOPED_TRACE(alg);
    const std::string token = hmac_token({{"alg", alg}}, R"({"iss":"evil"})", pub.n());
    expect_status(jws_verify(token, test::rsa_public()).status(), StatusCode::kPermissionDenied,
                  std::string("JWS: HMAC alg '") + alg + "' is refused");
  }
}

TEST(Jws, RefusesUnknownAlgs) {
  for (const char* alg : {"RS512", "ES512", "EdDSA", "rs256", "RSA-OAEP", ""}) {
    SCOPED_TRACE(alg);
    const std::string token = test::b64_json(json{{"alg", alg}}) + "." + test::b64("{}") + ".AAAA";
    expect_status(jws_parse(token).status(), StatusCode::kPermissionDenied,
                  std::string("JWS: unsupported alg '") + alg + "'");
  }
}

TEST(Jws, RefusesAlgFamilyNotMatchingKey) {
  // RS256 header (really RSA-signed) checked against an EC key.
  const std::string rs = must(jws_sign(JwsAlg::kRs256, test::rsa_private(), as_span("x")));
  expect_status(jws_verify(rs, test::p256_private().public_key()).status(),
                StatusCode::kPermissionDenied, "JWS: alg RS256 needs an RSA key, got EC P-256");
  // ES256 against an RSA key.
  const std::string es = must(jws_sign(JwsAlg::kEs256, test::p256_private(), as_span("x")));
  expect_status(jws_verify(es, test::rsa_public()).status(), StatusCode::kPermissionDenied,
                "JWS: alg ES256 needs an EC P-256 key, got RSA");
  // ES384 against a P-256 key, ES256 against a P-384 key.
  const std::string es384 = must(jws_sign(JwsAlg::kEs384, test::p384_private(), as_span("x")));
  expect_status(jws_verify(es384, test::p256_private().public_key()).status(),
                StatusCode::kPermissionDenied,
                "JWS: alg ES384 needs an EC P-384 key, got EC P-256");
  expect_status(jws_verify(es, test::p384_private().public_key()).status(),
                StatusCode::kPermissionDenied,
                "JWS: alg ES256 needs an EC P-256 key, got EC P-384");
  // The signer refuses the same mismatches.
  expect_status(jws_sign(JwsAlg::kPs256, test::p256_private(), as_span("x")).status(),
                StatusCode::kPermissionDenied, "JWS: alg PS256 needs an RSA key, got EC P-256");
  expect_status(jws_sign(JwsAlg::kEs384, test::p256_private(), as_span("x")).status(),
                StatusCode::kPermissionDenied,
                "JWS: alg ES384 needs an EC P-384 key, got EC P-256");
}

TEST(Jws, RefusesCriticalHeaders) {
  const json header = {{"alg", "RS256"}, {"crit", {"exp"}}, {"exp", 1363284000}};
  const std::string token = signed_with_header(header, "x", test::rsa_private(), JwsAlg::kRs256);
  expect_status(jws_verify(token, test::rsa_public()).status(), StatusCode::kPermissionDenied,
                "JWS: unsupported critical header parameter 'exp'");
  for (const json& bad : {json("exp"), json::array(), json::array({1})}) {
    SCOPED_TRACE(bad.dump());
    const std::string t = signed_with_header({{"alg", "RS256"}, {"crit", bad}}, "x",
                                             test::rsa_private(), JwsAlg::kRs256);
    expect_status(jws_verify(t, test::rsa_public()).status(), StatusCode::kInvalidArgument,
                  "JWS: crit must be a non-empty array of strings");
  }
  EXPECT_EQ(jws_sign(JwsAlg::kRs256, test::rsa_private(), as_span("x"), {{"crit", {"b64"}}})
                .status()
                .message(),
            "JWS: header extras must not set crit");
}

TEST(Jws, RefusesMalformedSegments) {
  const std::string good = std::string(test::kRfc7515A2Token);
  const std::vector<std::string> parts = test::segments(good);
  struct Case {
    std::string token;
    std::string message;
  };
  const std::vector<Case> cases = {
      {parts[0] + "." + parts[1], "JWS: expected 3 segments, got 2"},
      {good + ".", "JWS: expected 3 segments, got 4"},
      {"", "JWS: expected 3 segments, got 1"},
      {test::replace_segment(good, 0, "eyJhbGciOiJSUzI1NiJ9="),
       "JWS: header is not valid base64url"},
      {test::replace_segment(good, 0, "eyJhbGci+iJSUzI1NiJ9"),
       "JWS: header is not valid base64url"},
      // The signature's last character "w" carries 4 unused zero bits; "x"
      // decodes to the same bytes but is not the canonical encoding.
      {good.substr(0, good.size() - 1) + "x", "JWS: signature is not valid base64url"},
      {test::replace_segment(good, 0, test::b64("not json")), "JWS: header is not valid JSON"},
      {test::replace_segment(good, 0, test::b64(R"(["RS256"])")),
       "JWS: header is not a JSON object"},
      {test::replace_segment(good, 0, test::b64(R"({"alg":"RS256","alg":"none"})")),
       "JWS: header has duplicate member 'alg'"},
      {test::replace_segment(good, 0, test::b64(R"({"typ":"JWT"})")), "JWS: header has no alg"},
      {test::replace_segment(good, 0, test::b64(R"({"alg":256})")),
       "JWS: header alg is not a string"},
      {test::replace_segment(good, 1, "e$"), "JWS: payload is not valid base64url"},
      {test::replace_segment(good, 2, parts[2] + "=="), "JWS: signature is not valid base64url"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.token);
    expect_status(jws_verify(c.token, test::rsa_public()).status(), StatusCode::kInvalidArgument,
                  c.message);
  }
}

TEST(Jws, RefusesBadSignatures) {
  const std::string good = std::string(test::kRfc7515A2Token);
  // A flipped signature bit.
  expect_status(jws_verify(test::flip_bit(good, 2, 10), test::rsa_public()).status(),
                StatusCode::kPermissionDenied, "JWS: signature does not verify");
  // A tampered payload under the original signature.
  const std::string tampered =
      test::replace_segment(good, 1, test::b64(R"({"iss":"joe","exp":9999999999})"));
  expect_status(jws_verify(tampered, test::rsa_public()).status(), StatusCode::kPermissionDenied,
                "JWS: signature does not verify");
  // A tampered header (kid added) under the original signature.
  expect_status(jws_verify(test::replace_segment(
                               good, 0, test::b64_json(json{{"alg", "RS256"}, {"kid", "x"}})),
                           test::rsa_public())
                    .status(),
                StatusCode::kPermissionDenied, "JWS: signature does not verify");
  // The right token, another RSA key.
  const crypto::PublicKey other = must(test::jwk_from(test::kRfc7516A1Jwk).to_public_key());
  expect_status(jws_verify(good, other).status(), StatusCode::kPermissionDenied,
                "JWS: signature does not verify");
  // An empty signature.
  expect_status(jws_verify(test::replace_segment(good, 2, ""), test::rsa_public()).status(),
                StatusCode::kPermissionDenied, "JWS: signature does not verify");
  // ES256: a flipped bit, and r||s of the wrong length.
  const std::string es = std::string(test::kRfc7515A3Token);
  const crypto::PublicKey p256 = test::p256_private().public_key();
  expect_status(jws_verify(test::flip_bit(es, 2, 40), p256).status(), StatusCode::kPermissionDenied,
                "JWS: signature does not verify");
  const Bytes sig = must(jws_parse(es)).signature;
  const std::string short_sig =
      test::replace_segment(es, 2, crypto::base64url_encode(ByteSpan(sig).first(63)));
  expect_status(jws_verify(short_sig, p256).status(), StatusCode::kInvalidArgument,
                "JWS: ES256 signature must be 64 bytes, got 63");
}

TEST(Jws, AllowedAlgList) {
  const std::string ps = must(jws_sign(JwsAlg::kPs256, test::rsa_private(), as_span("x")));
  const std::vector<JwsAlg> only_rs256 = {JwsAlg::kRs256};
  expect_status(jws_verify(ps, test::rsa_public(), only_rs256).status(),
                StatusCode::kPermissionDenied, "JWS: alg PS256 is not allowed");
  const std::vector<JwsAlg> rs_and_ps = {JwsAlg::kRs256, JwsAlg::kPs256};
  EXPECT_TRUE(jws_verify(ps, test::rsa_public(), rs_and_ps).ok());
}

TEST(Jws, SignRefusesBadHeaderExtras) {
  EXPECT_EQ(jws_sign(JwsAlg::kRs256, test::rsa_private(), as_span("x"), {{"alg", "none"}})
                .status()
                .message(),
            "JWS: header extras must not set alg");
  EXPECT_EQ(
      jws_sign(JwsAlg::kRs256, test::rsa_private(), as_span("x"), json::array()).status().message(),
      "JWS: header extras must be a JSON object");
}

}  // namespace
}  // namespace mpcc::jose
