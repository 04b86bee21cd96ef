#include "jose/jwe.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "jose/test/rfc_vectors.h"
#include "jose/test/test_util.h"

namespace mpcc::jose {
namespace {

using nlohmann::json;
using test::must;

std::string text(const SecureBytes& b) { return std::string(b.begin(), b.end()); }

Jwk rfc7516_key() { return test::jwk_from(test::kRfc7516A1Jwk); }
const crypto::PrivateKey& rfc7516_private() {
  static const crypto::PrivateKey key = must(rfc7516_key().to_private_key());
  return key;
}

void expect_status(const Status& s, StatusCode code, std::string_view message) {
  EXPECT_EQ(s.code(), code) << s.to_string();
  EXPECT_EQ(s.message(), message);
}

// A JWE with the given header and well-sized (meaningless) other segments.
std::string with_header(const json& header, std::string_view encrypted_key = "") {
  return test::b64_json(header) + "." + std::string(encrypted_key) + "." +
         crypto::base64url_encode(Bytes(12, 1)) + "." + crypto::base64url_encode(Bytes(5, 2)) +
         "." + crypto::base64url_encode(Bytes(16, 3));
}

TEST(Jwe, Rfc7516A1Decrypts) {
  const JweDecrypted out = must(jwe_decrypt(test::kRfc7516A1Token, rfc7516_key()));
  EXPECT_EQ(text(out.plaintext), test::kRfc7516A1Plaintext);
  EXPECT_EQ(out.alg, JweAlg::kRsaOaep);
  EXPECT_EQ(out.enc, JweEnc::kA256Gcm);
  EXPECT_EQ(out.header, json({{"alg", "RSA-OAEP"}, {"enc", "A256GCM"}}));
}

TEST(Jwe, Rfc7520Section56Decrypts) {
  const Jwk key = test::jwk_from(test::kRfc7520S56Jwk);
  const JweDecrypted out = must(jwe_decrypt(test::kRfc7520S56Token, key));
  EXPECT_EQ(text(out.plaintext), test::kRfc7520S5Plaintext);
  EXPECT_EQ(out.alg, JweAlg::kDir);
  EXPECT_EQ(out.enc, JweEnc::kA128Gcm);
  EXPECT_EQ(out.header["kid"], "77c7e2b8-6e13-45cf-8672-617b5b45243a");
}

TEST(Jwe, RsaOaep256RoundTrip) {
  const json extras = {{"kid", "wrap-1"}, {"x-mpcc-party", "contoso"}};
  const std::string token =
      must(jwe_encrypt(rfc7516_key().public_only(), as_span("secret key bytes"), extras));
  const std::vector<std::string> parts = test::segments(token);
  ASSERT_EQ(parts.size(), 5u);
  EXPECT_EQ(must(crypto::base64url_decode(parts[1])).size(), 256u);  // RSA-2048
  EXPECT_EQ(must(crypto::base64url_decode(parts[2])).size(), 12u);
  EXPECT_EQ(must(crypto::base64url_decode(parts[4])).size(), 16u);
  const JweDecrypted out = must(jwe_decrypt_rsa(token, rfc7516_private()));
  EXPECT_EQ(text(out.plaintext), "secret key bytes");
  EXPECT_EQ(out.alg, JweAlg::kRsaOaep256);
  EXPECT_EQ(out.enc, JweEnc::kA256Gcm);
  EXPECT_EQ(out.header, json({{"alg", "RSA-OAEP-256"},
                              {"enc", "A256GCM"},
                              {"kid", "wrap-1"},
                              {"x-mpcc-party", "contoso"}}));
  // A fresh CEK and IV each time.
  const std::string again = must(jwe_encrypt(rfc7516_key(), as_span("secret key bytes"), extras));
  EXPECT_NE(test::segments(again)[1], parts[1]);
  EXPECT_NE(test::segments(again)[2], parts[2]);
}

TEST(Jwe, DirRoundTripEveryEnc) {
  for (JweEnc enc : {JweEnc::kA128Gcm, JweEnc::kA192Gcm, JweEnc::kA256Gcm}) {
    SCOPED_TRACE(std::string(jwe_enc_name(enc)));
    const SecureBytes key = crypto::random_secret(jwe_enc_key_size(enc));
    const std::string token = must(jwe_encrypt_dir(key, as_span("hello"), {{"kid", "d"}}, enc));
    EXPECT_EQ(test::segments(token)[1], "");
    const JweDecrypted out = must(jwe_decrypt_dir(token, key));
    EXPECT_EQ(text(out.plaintext), "hello");
    EXPECT_EQ(out.enc, enc);
    EXPECT_EQ(must(jwe_enc_from_name(jwe_enc_name(enc))), enc);
  }
  // Empty plaintext is fine.
  const SecureBytes key = crypto::random_secret(32);
  EXPECT_TRUE(must(jwe_decrypt_dir(must(jwe_encrypt_dir(key, {})), key)).plaintext.empty());
}

TEST(Jwe, RefusesWrongKey) {
  const std::string token = must(jwe_encrypt(rfc7516_key(), as_span("x")));
  expect_status(jwe_decrypt_rsa(token, test::rsa_private()).status(), StatusCode::kPermissionDenied,
                "JWE: decryption failed");
  expect_status(jwe_decrypt_rsa(test::kRfc7516A1Token, test::rsa_private()).status(),
                StatusCode::kPermissionDenied, "JWE: decryption failed");
  const SecureBytes key = crypto::random_secret(32);
  const std::string dir = must(jwe_encrypt_dir(key, as_span("x")));
  expect_status(jwe_decrypt_dir(dir, crypto::random_secret(32)).status(),
                StatusCode::kPermissionDenied, "JWE: decryption failed");
}

TEST(Jwe, RefusesTamperingWithAnySegment) {
  const std::string rsa = must(jwe_encrypt(rfc7516_key(), as_span("attack at dawn")));
  const crypto::PrivateKey priv = rfc7516_private();
  // Header: a member added (AAD changes).
  json header = json::parse(to_string(must(crypto::base64url_decode(test::segments(rsa)[0]))));
  header["kid"] = "injected";
  const std::vector<std::string> tampered = {
      test::replace_segment(rsa, 0, test::b64_json(header)),
      test::flip_bit(rsa, 1, 100),  // encrypted key
      test::flip_bit(rsa, 2, 0),    // IV
      test::flip_bit(rsa, 3, 3),    // ciphertext
      test::flip_bit(rsa, 4, 15),   // tag
  };
  for (std::size_t i = 0; i < tampered.size(); ++i) {
    SCOPED_TRACE(i);
    expect_status(jwe_decrypt_rsa(tampered[i], priv).status(), StatusCode::kPermissionDenied,
                  "JWE: decryption failed");
  }
  // The published RSA-OAEP example, tampered the same way.
  for (std::size_t segment : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE(segment);
    expect_status(jwe_decrypt_rsa(test::flip_bit(test::kRfc7516A1Token, segment), priv).status(),
                  StatusCode::kPermissionDenied, "JWE: decryption failed");
  }
  // dir: IV, ciphertext, tag, header.
  const Jwk key = test::jwk_from(test::kRfc7520S56Jwk);
  for (std::size_t segment : {2u, 3u, 4u}) {
    SCOPED_TRACE(segment);
    expect_status(jwe_decrypt(test::flip_bit(test::kRfc7520S56Token, segment), key).status(),
                  StatusCode::kPermissionDenied, "JWE: decryption failed");
  }
  json dir_header = json::parse(
      to_string(must(crypto::base64url_decode(test::segments(test::kRfc7520S56Token)[0]))));
  dir_header["kid"] = "other";
  expect_status(
      jwe_decrypt(test::replace_segment(test::kRfc7520S56Token, 0, test::b64_json(dir_header)), key)
          .status(),
      StatusCode::kPermissionDenied, "JWE: decryption failed");
}

TEST(Jwe, RefusesWrongSegmentCount) {
  const std::string token(test::kRfc7516A1Token);
  const std::vector<std::string> parts = test::segments(token);
  expect_status(jwe_decrypt_rsa(token + ".", rfc7516_private()).status(),
                StatusCode::kInvalidArgument, "JWE: expected 5 segments, got 6");
  expect_status(jwe_decrypt_rsa(parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3],
                                rfc7516_private())
                    .status(),
                StatusCode::kInvalidArgument, "JWE: expected 5 segments, got 4");
  expect_status(jwe_decrypt_rsa(test::kRfc7515A2Token, rfc7516_private()).status(),
                StatusCode::kInvalidArgument, "JWE: expected 5 segments, got 3");
}

TEST(Jwe, RefusesMalformedSegments) {
  const std::string token(test::kRfc7516A1Token);
  const crypto::PrivateKey priv = rfc7516_private();
  struct Case {
    std::string token;
    std::string message;
  };
  const std::vector<Case> cases = {
      {test::replace_segment(token, 0, "eyJ="), "JWE: header is not valid base64url"},
      {test::replace_segment(token, 0, test::b64("[]")), "JWE: header is not a JSON object"},
      {test::replace_segment(token, 0, test::b64("{")), "JWE: header is not valid JSON"},
      {test::replace_segment(token, 1, "a*b"), "JWE: encrypted key is not valid base64url"},
      {test::replace_segment(token, 2, "a*b"), "JWE: IV is not valid base64url"},
      {test::replace_segment(token, 3, "a*b"), "JWE: ciphertext is not valid base64url"},
      {test::replace_segment(token, 4, "a*b"), "JWE: authentication tag is not valid base64url"},
      {test::replace_segment(token, 2, crypto::base64url_encode(Bytes(16, 0))),
       "JWE: IV must be 12 bytes, got 16"},
      {test::replace_segment(token, 4, crypto::base64url_encode(Bytes(12, 0))),
       "JWE: authentication tag must be 16 bytes, got 12"},
      {with_header({{"enc", "A256GCM"}}), "JWE: header has no alg"},
      {with_header({{"alg", "RSA-OAEP-256"}}), "JWE: header has no enc"},
      {with_header({{"alg", "RSA1_5"}, {"enc", "A256GCM"}}), "JWE: unsupported alg 'RSA1_5'"},
      {with_header({{"alg", "A256KW"}, {"enc", "A256GCM"}}), "JWE: unsupported alg 'A256KW'"},
      {with_header({{"alg", "RSA-OAEP-256"}, {"enc", "A128CBC-HS256"}}),
       "JWE: unsupported enc 'A128CBC-HS256'"},
      {with_header({{"alg", "RSA-OAEP-256"}, {"enc", "A256GCM"}, {"zip", "DEF"}}),
       "JWE: zip is not supported"},
      {with_header({{"alg", "RSA-OAEP-256"}, {"enc", "A256GCM"}, {"crit", "x"}}),
       "JWE: crit must be a non-empty array of strings"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.token);
    expect_status(jwe_decrypt_rsa(c.token, priv).status(), StatusCode::kInvalidArgument, c.message);
  }
  expect_status(
      jwe_decrypt_rsa(
          with_header({{"alg", "RSA-OAEP-256"}, {"enc", "A256GCM"}, {"crit", {"x"}}, {"x", 1}}),
          priv)
          .status(),
      StatusCode::kPermissionDenied, "JWE: unsupported critical header parameter 'x'");
}

TEST(Jwe, RefusesKeysThatDoNotFitTheAlg) {
  const SecureBytes k32 = crypto::random_secret(32);
  const std::string dir = must(jwe_encrypt_dir(k32, as_span("x")));
  const std::string rsa = must(jwe_encrypt(rfc7516_key(), as_span("x")));
  expect_status(jwe_decrypt_rsa(dir, rfc7516_private()).status(), StatusCode::kInvalidArgument,
                "JWE: alg dir needs a symmetric key");
  expect_status(jwe_decrypt_dir(rsa, k32).status(), StatusCode::kInvalidArgument,
                "JWE: alg RSA-OAEP-256 needs an RSA private key");
  expect_status(jwe_decrypt_rsa(rsa, test::p256_private()).status(), StatusCode::kInvalidArgument,
                "JWE: alg RSA-OAEP-256 needs an RSA key");
  expect_status(jwe_decrypt_dir(dir, crypto::random_secret(16)).status(),
                StatusCode::kInvalidArgument, "JWE: key is 16 bytes, enc A256GCM needs 32");
  expect_status(jwe_decrypt_dir(test::replace_segment(dir, 1, "AAAA"), k32).status(),
                StatusCode::kInvalidArgument, "JWE: alg dir needs an empty encrypted key");
  expect_status(jwe_decrypt(rsa, rfc7516_key().public_only()).status(),
                StatusCode::kInvalidArgument, "JWE: the RSA key has no private part");
  const Jwk ec = must(Jwk::from_private_key(test::p256_private()));
  expect_status(jwe_decrypt(rsa, ec).status(), StatusCode::kInvalidArgument,
                "JWE: cannot decrypt with an EC key (ECDH-ES is not supported)");
}

TEST(Jwe, EncryptRefusesBadInput) {
  const crypto::PublicKey rsa = rfc7516_private().public_key();
  expect_status(jwe_encrypt_rsa_oaep_256(rsa, as_span("x"), {{"enc", "A128GCM"}}).status(),
                StatusCode::kInvalidArgument, "JWE: header extras must not set enc");
  expect_status(jwe_encrypt_rsa_oaep_256(rsa, as_span("x"), {{"alg", "dir"}}).status(),
                StatusCode::kInvalidArgument, "JWE: header extras must not set alg");
  expect_status(jwe_encrypt_rsa_oaep_256(rsa, as_span("x"), {{"zip", "DEF"}}).status(),
                StatusCode::kInvalidArgument, "JWE: header extras must not set zip");
  expect_status(jwe_encrypt_rsa_oaep_256(rsa, as_span("x"), json::array()).status(),
                StatusCode::kInvalidArgument, "JWE: header extras must be a JSON object");
  expect_status(jwe_encrypt_rsa_oaep_256(test::p256_private().public_key(), as_span("x")).status(),
                StatusCode::kInvalidArgument, "JWE: RSA-OAEP-256 needs an RSA key");
  expect_status(jwe_encrypt_dir(crypto::random_secret(16), as_span("x")).status(),
                StatusCode::kInvalidArgument, "JWE: key is 16 bytes, enc A256GCM needs 32");
  expect_status(
      jwe_encrypt(must(Jwk::from_public_key(test::p256_private().public_key())), as_span("x"))
          .status(),
      StatusCode::kInvalidArgument, "JWE: cannot encrypt to an EC key (ECDH-ES is not supported)");
}

}  // namespace
}  // namespace mpcc::jose
