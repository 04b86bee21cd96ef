#include "jose/jwk.h"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "crypto/x509.h"
#include "jose/test/rfc_vectors.h"
#include "jose/test/test_util.h"

namespace mpcc::jose {
namespace {

using nlohmann::json;
using test::must;

Status parse_status(std::string_view text) { return Jwk::parse(text).status(); }

TEST(Jwk, Rfc7517A1PublicKeysParseAndRoundTrip) {
  const JwkSet set = must(JwkSet::parse(test::kRfc7517A1PublicKeys));
  ASSERT_EQ(set.keys().size(), 2u);
  EXPECT_EQ(set.skipped(), 0u);

  const Jwk& ec = set.keys()[0];
  EXPECT_EQ(ec.kind(), KeyKind::kEc);
  EXPECT_EQ(ec.curve(), crypto::Curve::kP256);
  EXPECT_EQ(ec.kid(), "1");
  EXPECT_EQ(ec.use(), "enc");
  EXPECT_FALSE(ec.is_private());
  const Jwk& rsa = set.keys()[1];
  EXPECT_EQ(rsa.kind(), KeyKind::kRsa);
  EXPECT_EQ(rsa.kid(), "2011-04-29");
  EXPECT_EQ(rsa.alg(), "RS256");
  EXPECT_EQ(rsa.e(), (Bytes{0x01, 0x00, 0x01}));

  EXPECT_EQ(set.to_json(), json::parse(test::kRfc7517A1PublicKeys));
  EXPECT_EQ(must(rsa.to_public_key()).bits(), 2048u);
  EXPECT_EQ(must(ec.to_public_key()).curve(), crypto::Curve::kP256);
}

TEST(Jwk, Rfc7517A2PrivateKeysParseAndRoundTrip) {
  const JwkSet set = must(JwkSet::parse(test::kRfc7517A2PrivateKeys));
  ASSERT_EQ(set.keys().size(), 2u);
  EXPECT_EQ(set.to_json(), json::parse(test::kRfc7517A2PrivateKeys));
  for (const Jwk& key : set.keys()) {
    SCOPED_TRACE(key.kid());
    EXPECT_TRUE(key.is_private());
    const crypto::PrivateKey priv = must(key.to_private_key());
    EXPECT_TRUE(priv.public_key().equals(must(key.to_public_key())));
    // Back from the crypto key: the same key material (metadata is not in it).
    Jwk again = must(Jwk::from_private_key(priv));
    again.set_kid(key.kid());
    again.set_use(key.use());
    again.set_alg(key.alg());
    EXPECT_EQ(again, key);
  }
}

TEST(Jwk, Rfc7638Thumbprint) {
  const JwkSet set = must(JwkSet::parse(test::kRfc7517A1PublicKeys));
  const Jwk* rsa = set.find("2011-04-29");
  ASSERT_NE(rsa, nullptr);
  EXPECT_EQ(rsa->thumbprint(), test::kRfc7638Thumbprint);
  // The private form of the same key has the same thumbprint.
  const JwkSet priv = must(JwkSet::parse(test::kRfc7517A2PrivateKeys));
  EXPECT_EQ(priv.find("2011-04-29")->thumbprint(), test::kRfc7638Thumbprint);
  // EC: {"crv","kty","x","y"}; value computed independently with Python's
  // hashlib from the RFC 7638 §3.2 recipe.
  EXPECT_EQ(set.find("1")->thumbprint(), "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s");
}

TEST(Jwk, ThumbprintIgnoresOptionalMembersButNotKeyMaterial) {
  Jwk key = must(Jwk::from_public_key(test::rsa_public()));
  const std::string before = key.thumbprint();
  key.set_kid("other");
  key.set_use("sig");
  key.set_key_ops({"verify"});
  EXPECT_EQ(key.thumbprint(), before);
  EXPECT_NE(must(Jwk::from_public_key(test::p256_private().public_key())).thumbprint(), before);
  EXPECT_NE(key.thumbprint(crypto::HashAlg::kSha384), before);
}

TEST(Jwk, Rfc7517BX5cAgreesWithKey) {
  const Jwk key = test::jwk_from(test::kRfc7517BX5cKey);
  ASSERT_EQ(key.x5c().size(), 1u);
  const crypto::Certificate cert =
      must(crypto::Certificate::from_der(must(crypto::base64_decode(key.x5c()[0]))));
  EXPECT_TRUE(cert.public_key().equals(must(key.to_public_key())));
  EXPECT_EQ(key.to_json(), json::parse(test::kRfc7517BX5cKey));
}

TEST(Jwk, KeyIsTakenFromX5cWhenNAndEAreAbsent) {
  // MAA's /certs entries carry kid, kty and x5c only (spec 8.5).
  json j = json::parse(test::kRfc7517BX5cKey);
  const Jwk full = must(Jwk::from_json(j));
  j.erase("n");
  j.erase("e");
  const Jwk from_cert = must(Jwk::from_json(j));
  EXPECT_EQ(from_cert.n(), full.n());
  EXPECT_EQ(from_cert.e(), full.e());
}

TEST(Jwk, RefusesX5cThatDisagreesWithKey) {
  json j = json::parse(test::kRfc7517BX5cKey);
  j["n"] = json::parse(test::kRfc7515A2Jwk)["n"];
  const Status s = Jwk::from_json(j).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "JWK: x5c[0] does not match the key");

  j = json::parse(test::kRfc7517BX5cKey);
  j["x5c"] = json::array({"bm90IGEgY2VydA=="});
  EXPECT_EQ(Jwk::from_json(j).status().message(), "JWK: x5c[0] is not an X.509 certificate");
  j["x5c"] = json::array({"***"});
  EXPECT_EQ(Jwk::from_json(j).status().message(), "JWK: x5c[0] is not valid base64");
}

TEST(Jwk, PublicOnlyDropsPrivateMembers) {
  const Jwk priv = test::jwk_from(test::kRfc7515A2Jwk);
  ASSERT_TRUE(priv.is_private());
  const Jwk pub = priv.public_only();
  EXPECT_FALSE(pub.is_private());
  const json j = pub.to_json();
  for (const char* name : {"d", "p", "q", "dp", "dq", "qi"}) EXPECT_FALSE(j.contains(name)) << name;
  EXPECT_EQ(j["n"], json::parse(test::kRfc7515A2Jwk)["n"]);
  EXPECT_EQ(pub.to_private_key().status().message(), "JWK: not a private key");

  const Jwk oct = must(Jwk::from_oct(Bytes(32, 7)));
  EXPECT_THROW((void)oct.public_only(), std::logic_error);
}

TEST(Jwk, RedactedFormsHidePrivateMembers) {
  const json original = json::parse(test::kRfc7515A2Jwk);
  const Jwk priv = must(Jwk::from_json(original));
  const std::string d = original["d"].get<std::string>();
  const std::string p = original["p"].get<std::string>();

  const std::string redacted = priv.to_redacted_string();
  EXPECT_EQ(redacted.find(d), std::string::npos);
  EXPECT_EQ(redacted.find(p), std::string::npos);
  EXPECT_NE(redacted.find("<redacted>"), std::string::npos);
  EXPECT_NE(redacted.find(original["n"].get<std::string>()), std::string::npos);

  std::ostringstream os;
  os << priv;
  EXPECT_EQ(os.str(), redacted);

  JwkSet set;
  set.add(priv);
  set.add(must(Jwk::from_oct(Bytes(16, 0xAB))));
  std::ostringstream set_os;
  set_os << set;
  EXPECT_EQ(set_os.str().find(d), std::string::npos);
  EXPECT_EQ(set_os.str().find(crypto::base64url_encode(Bytes(16, 0xAB))), std::string::npos);
  // The export form does carry them.
  EXPECT_EQ(priv.to_json()["d"], d);
}

TEST(Jwk, OctKey) {
  const Jwk key = test::jwk_from(R"({"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg","alg":"A128KW"})");
  EXPECT_EQ(key.kind(), KeyKind::kOct);
  EXPECT_EQ(key.k().size(), 16u);
  EXPECT_TRUE(key.is_private());
  EXPECT_EQ(key.to_json(),
            json::parse(R"({"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg","alg":"A128KW"})"));
  EXPECT_EQ(key.to_public_key().status().message(), "JWK: an oct key has no public key");
  EXPECT_EQ(key.to_private_key().status().message(),
            "JWK: an oct key is not an asymmetric private key");
  EXPECT_EQ(key.thumbprint().size(), 43u);
  EXPECT_EQ(Jwk::from_oct({}).status().message(), "JWK: k must not be empty");
  EXPECT_EQ(parse_status(R"({"kty":"oct","k":""})").message(), "JWK: k must not be empty");
  EXPECT_EQ(parse_status(R"({"kty":"oct"})").message(), "JWK: missing k");
}

TEST(Jwk, UnknownMembersAreKept) {
  json j = json::parse(test::kRfc7517BX5cKey);
  j["x5t"] = "abc";
  j["custom"] = json::object({{"a", 1}});
  const Jwk key = must(Jwk::from_json(j));
  EXPECT_EQ(key.to_json(), j);
}

TEST(Jwk, RefusesMalformedKeys) {
  struct Case {
    const char* json;
    StatusCode code;
    const char* message;
  };
  const std::string n = json::parse(test::kRfc7515A2Jwk)["n"].get<std::string>();
  const std::string rsa_ne = R"("kty":"RSA","e":"AQAB","n":")" + n + "\"";
  const std::vector<Case> cases = {
      {R"([1,2])", StatusCode::kInvalidArgument, "JWK: key is not a JSON object"},
      {R"({"n":"AQAB"})", StatusCode::kInvalidArgument, "JWK: missing kty"},
      {R"({"kty":7})", StatusCode::kInvalidArgument, "JWK: kty is not a string"},
      {R"({"kty":"OKP","crv":"Ed25519","x":"AA"})", StatusCode::kUnimplemented,
       "JWK: unsupported kty 'OKP'"},
      {R"({"kty":"RSA","e":"AQAB"})", StatusCode::kInvalidArgument, "JWK: missing n"},
      {R"({"kty":"RSA","n":"AQAB"})", StatusCode::kInvalidArgument, "JWK: missing e"},
      {R"({"kty":"RSA","n":"A*B","e":"AQAB"})", StatusCode::kInvalidArgument,
       "JWK: n is not valid base64url"},
      {R"({"kty":"RSA","n":5,"e":"AQAB"})", StatusCode::kInvalidArgument, "JWK: n is not a string"},
      {R"({"kty":"EC","crv":"P-256","x":"AQAB","y":"AQAB"})", StatusCode::kInvalidArgument,
       "JWK: x and y must be 32 bytes for P-256"},
      {R"({"kty":"EC","crv":"P-192","x":"AQAB","y":"AQAB"})", StatusCode::kUnimplemented,
       "JWK: unsupported crv 'P-192'"},
      {R"({"kty":"EC","x":"AQAB","y":"AQAB"})", StatusCode::kInvalidArgument, "JWK: missing crv"},
      {R"({"kty":"EC","crv":"P-256","x":"AQAB","y":"AQAB","n":"AQAB"})",
       StatusCode::kInvalidArgument, "JWK: member 'n' does not belong to kty EC"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    const Status s = parse_status(c.json);
    EXPECT_EQ(s.code(), c.code);
    EXPECT_EQ(s.message(), c.message);
  }
  // Members of the wrong kty, incomplete private parts, multi-prime.
  EXPECT_EQ(parse_status("{" + rsa_ne + R"(,"k":"AQAB"})").message(),
            "JWK: member 'k' does not belong to kty RSA");
  EXPECT_EQ(parse_status("{" + rsa_ne + R"(,"d":"AQAB"})").code(), StatusCode::kUnimplemented);
  EXPECT_EQ(parse_status("{" + rsa_ne + R"(,"p":"AQAB"})").message(),
            "JWK: RSA private members without d");
  EXPECT_EQ(parse_status("{" + rsa_ne + R"(,"oth":[]})").code(), StatusCode::kUnimplemented);
  EXPECT_EQ(parse_status("{" + rsa_ne + R"(,"kid":1})").message(), "JWK: kid is not a string");
  EXPECT_EQ(parse_status("{" + rsa_ne + R"(,"key_ops":"sign"})").message(),
            "JWK: key_ops is not an array of strings");
  EXPECT_EQ(parse_status("{" + rsa_ne + R"(,"key_ops":["sign","sign"]})").message(),
            "JWK: key_ops has duplicate values");
  EXPECT_EQ(parse_status("{" + rsa_ne + R"(,"x5c":"MII"})").message(),
            "JWK: x5c is not an array of strings");
  EXPECT_EQ(parse_status("{" + rsa_ne + "}").code(), StatusCode::kOk);
  // EC private scalar of the wrong size.
  json ec = json::parse(test::kRfc7515A3Jwk);
  ec["d"] = "AQAB";
  EXPECT_EQ(Jwk::from_json(ec).status().message(), "JWK: d must be 32 bytes for P-256");
  // Not JSON at all; duplicate members.
  EXPECT_EQ(parse_status("{kty:RSA}").message(), "JWK: key is not valid JSON");
  EXPECT_EQ(parse_status(R"({"kty":"oct","k":"AQAB","k":"AQAC"})").message(),
            "JWK: key has duplicate member 'k'");
}

TEST(Jwk, GeneratedKeysRoundTripThroughJson) {
  for (const crypto::PrivateKey& priv : {test::p384_private(), test::p256_private()}) {
    const Jwk jwk = must(Jwk::from_private_key(priv));
    const Jwk again = must(Jwk::parse(jwk.to_json().dump()));
    EXPECT_EQ(again, jwk);
    EXPECT_TRUE(must(again.to_private_key()).public_key().equals(priv.public_key()));
    const Jwk pub = must(Jwk::from_public_key(priv.public_key()));
    EXPECT_EQ(pub, jwk.public_only());
  }
}

TEST(JwkSet, SkipsUnsupportedEntriesAndFindsByKid) {
  json j = json::parse(test::kRfc7517A1PublicKeys);
  j["keys"].push_back({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AA"}, {"kid", "ed"}});
  j["keys"].push_back({{"kty", "RSA"}, {"kid", "broken"}});
  j["keys"].push_back(7);
  const JwkSet set = must(JwkSet::from_json(j));
  EXPECT_EQ(set.keys().size(), 2u);
  EXPECT_EQ(set.skipped(), 3u);
  ASSERT_NE(set.find("1"), nullptr);
  EXPECT_EQ(set.find("1")->kind(), KeyKind::kEc);
  EXPECT_EQ(set.find("ed"), nullptr);
  EXPECT_EQ(set.find("missing"), nullptr);
}

TEST(JwkSet, RefusesWhatIsNotAKeySet) {
  EXPECT_EQ(JwkSet::parse(R"({"kty":"RSA"})").status().message(), "JWKS: missing \"keys\" array");
  EXPECT_EQ(JwkSet::parse(R"({"keys":{}})").status().message(), "JWKS: missing \"keys\" array");
  EXPECT_EQ(JwkSet::parse("[]").status().message(), "JWKS: key set is not a JSON object");
  EXPECT_EQ(JwkSet::from_json(json::array()).status().message(), "JWKS: not a JSON object");
}

TEST(JwkSet, PublicOnlyDropsSecrets) {
  JwkSet set = must(JwkSet::parse(test::kRfc7517A2PrivateKeys));
  set.add(must(Jwk::from_oct(Bytes(32, 1))));
  const JwkSet pub = set.public_only();
  ASSERT_EQ(pub.keys().size(), 2u);
  for (const Jwk& k : pub.keys()) EXPECT_FALSE(k.is_private());
  EXPECT_EQ(pub.to_json(), json::parse(test::kRfc7517A1PublicKeys));
}

}  // namespace
}  // namespace mpcc::jose
