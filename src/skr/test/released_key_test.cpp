// Opening Key Vault's release answer (spec 9.4-9.5) with the transfer key,
// on answers built by the vault's own code (keyvault/release.h), and the
// transfer key's runtime data (spec 2.5).
#include "skr/released_key.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/testing/temp_dir.h"
#include "crypto/encoding.h"
#include "crypto/key_wrap.h"
#include "crypto/random.h"
#include "jose/issuer_key.h"
#include "keyvault/release.h"
#include "skr/transfer_key.h"

namespace mpcc::skr {
namespace {

using nlohmann::json;

// Slow parts (RSA key generation) once per process.
struct Keys {
  testing::TempDir dir{"mpcc-skr-release"};
  TransferKey transfer = TransferKey::generate().value();
  TransferKey other_transfer = TransferKey::generate().value();
  jose::IssuerKey signer_key =
      jose::load_or_create_issuer_key(dir.path(), "release-signing", "test vault").value();
  crypto::PrivateKey rsa = crypto::PrivateKey::generate_rsa(2048).value();
  crypto::PrivateKey ec = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  static const Keys& get() {
    static const Keys* keys = new Keys();
    return *keys;
  }
};

const char* kKid = "https://127.0.0.1:8443/keys/contoso/0123456789abcdef0123456789abcdef";

// The release answer for `target` (PKCS#8 or raw bytes) described as `described`.
std::string release_answer(json described, ByteSpan target,
                           crypto::RsaAesWrapAlg enc = crypto::RsaAesWrapAlg::kCkmRsaAesKeyWrap,
                           const crypto::PublicKey* wrap_to = nullptr) {
  const Keys& k = Keys::get();
  const crypto::PublicKey to =
      wrap_to != nullptr ? *wrap_to : k.transfer.private_key().public_key();
  const Bytes wrapped = crypto::rsa_aes_key_wrap(to, enc, target).value();
  keyvault::ReleasePayloadInput in;
  in.api_version = "7.4";
  in.enc = enc;
  in.requested_kid = "https://127.0.0.1:8443/keys/contoso";
  in.key_bundle = {{"key", std::move(described)}, {"attributes", {{"exportable", true}}}};
  in.transfer_blob = keyvault::transfer_blob(k.transfer.public_jwk().kid(), enc, wrapped);
  return keyvault::ReleaseSigner(k.signer_key).sign(keyvault::release_payload(in)).value();
}

json described_rsa() {
  json d = jose::Jwk::from_public_key(Keys::get().rsa.public_key()).value().to_json();
  d["kid"] = kKid;
  d["kty"] = "RSA-HSM";
  d["key_ops"] = {"encrypt", "decrypt", "wrapKey", "unwrapKey"};
  return d;
}

TEST(TransferKey, RuntimeDataIsTheJwkSetOfItsPublicKey) {
  const TransferKey& t = Keys::get().transfer;
  EXPECT_EQ(t.private_key().bits(), 2048u);
  const json runtime = json::parse(t.runtime_data());
  ASSERT_EQ(runtime["keys"].size(), 1u);
  const json& jwk = runtime["keys"][0];
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["key_ops"], json::array({"encrypt"}));
  EXPECT_FALSE(jwk.contains("d"));
  auto parsed = jose::Jwk::from_json(jwk);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(jwk["kid"], parsed->thumbprint(crypto::HashAlg::kSha256));
  EXPECT_TRUE(parsed->to_public_key()->equals(t.private_key().public_key()));
  EXPECT_NE(t.runtime_data(), Keys::get().other_transfer.runtime_data());
}

TEST(OpenReleasedKey, RsaKeyWithKidAndKeyOps) {
  const Keys& k = Keys::get();
  auto jwk = open_released_key(release_answer(described_rsa(), k.rsa.to_pkcs8_der()),
                               k.transfer.private_key());
  ASSERT_TRUE(jwk.ok()) << jwk.status().to_string();
  EXPECT_EQ(jwk->kind(), jose::KeyKind::kRsa);
  EXPECT_TRUE(jwk->is_private());
  EXPECT_EQ(jwk->kid(), kKid);
  EXPECT_EQ(jwk->key_ops(),
            (std::vector<std::string>{"encrypt", "decrypt", "wrapKey", "unwrapKey"}));
  EXPECT_TRUE(jwk->to_private_key()->public_key().equals(k.rsa.public_key()));
}

TEST(OpenReleasedKey, EveryWrapAlgorithmNamedByTheBlob) {
  const Keys& k = Keys::get();
  for (auto enc :
       {crypto::RsaAesWrapAlg::kRsaAesKeyWrap256, crypto::RsaAesWrapAlg::kRsaAesKeyWrap384}) {
    auto jwk = open_released_key(release_answer(described_rsa(), k.rsa.to_pkcs8_der(), enc),
                                 k.transfer.private_key());
    ASSERT_TRUE(jwk.ok()) << jwk.status().to_string();
  }
}

TEST(OpenReleasedKey, OctAndEcKeys) {
  const Keys& k = Keys::get();
  const SecureBytes secret = crypto::random_secret(32);
  auto oct = open_released_key(
      release_answer({{"kid", kKid}, {"kty", "oct-HSM"}, {"key_ops", {"encrypt"}}}, secret),
      k.transfer.private_key());
  ASSERT_TRUE(oct.ok()) << oct.status().to_string();
  EXPECT_EQ(oct->kind(), jose::KeyKind::kOct);
  EXPECT_EQ(oct->k(), secret);

  json ec = jose::Jwk::from_public_key(k.ec.public_key()).value().to_json();
  ec["kty"] = "EC-HSM";
  ec["kid"] = kKid;
  auto ec_jwk =
      open_released_key(release_answer(ec, k.ec.to_pkcs8_der()), k.transfer.private_key());
  ASSERT_TRUE(ec_jwk.ok()) << ec_jwk.status().to_string();
  EXPECT_EQ(ec_jwk->kind(), jose::KeyKind::kEc);
  EXPECT_TRUE(ec_jwk->is_private());
}

TEST(OpenReleasedKey, RefusesAnotherKeyThanDescribed) {
  const Keys& k = Keys::get();
  // The vault says RSA key A but wraps key B.
  auto swapped = open_released_key(
      release_answer(described_rsa(), crypto::PrivateKey::generate_rsa(2048)->to_pkcs8_der()),
      k.transfer.private_key());
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(swapped.status().message().find("'n' differs"), std::string::npos);
  // Says RSA, wraps EC.
  auto type = open_released_key(release_answer(described_rsa(), k.ec.to_pkcs8_der()),
                                k.transfer.private_key());
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().code(), StatusCode::kPermissionDenied);
}

TEST(OpenReleasedKey, RefusesAKeyWrappedToAnotherTransferKey) {
  const Keys& k = Keys::get();
  const crypto::PublicKey other = k.other_transfer.private_key().public_key();
  auto out = open_released_key(release_answer(described_rsa(), k.rsa.to_pkcs8_der(),
                                              crypto::RsaAesWrapAlg::kCkmRsaAesKeyWrap, &other),
                               k.transfer.private_key());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(out.status().message().find("cannot unwrap"), std::string::npos);
}

TEST(OpenReleasedKey, RefusesATamperedSignature) {
  const Keys& k = Keys::get();
  std::string jws = release_answer(described_rsa(), k.rsa.to_pkcs8_der());
  const std::size_t dot = jws.find('.');
  jws[dot + 5] = jws[dot + 5] == 'A' ? 'B' : 'A';  // a payload character
  auto out = open_released_key(jws, k.transfer.private_key());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kPermissionDenied) << out.status().to_string();
}

// A JWS over `payload` whose header is exactly `header`, signed by the test vault.
std::string sign(const json& header, const json& payload) {
  json extras = header;
  return jose::jws_sign(jose::JwsAlg::kRs256, Keys::get().signer_key.key, to_bytes(payload.dump()),
                        extras)
      .value();
}

TEST(OpenReleasedKey, MalformedAnswers) {
  const Keys& k = Keys::get();
  const json x5c = {{"x5c", {crypto::base64_encode(k.signer_key.certificate.der())}}};
  struct Case {
    std::string jws;
    const char* mentions;
  };
  const std::vector<Case> cases = {
      {"not a jws", "JWS"},
      {sign(json::object(), json::object()), "no x5c"},
      {sign({{"x5c", {"%%%"}}}, json::object()), "x5c[0] is not base64"},
      {sign({{"x5c", {crypto::base64_encode(as_span(std::string("junk")))}}}, json::object()),
       "x5c[0] is not a certificate"},
      {sign(x5c, json::object()), "no response.key.key"},
      {sign(x5c, {{"response", {{"key", {{"key", {{"key_hsm", "x"}}}}}}}}), "no kty"},
      {sign(x5c, {{"response", {{"key", {{"key", {{"kty", "RSA"}}}}}}}}), "no key_hsm"},
      {sign(x5c, {{"response", {{"key", {{"key", {{"kty", "RSA"}, {"key_hsm", "%%"}}}}}}}}),
       "key_hsm is not base64url"},
      {sign(x5c, {{"response",
                   {{"key",
                     {{"key", {{"kty", "RSA"}, {"key_hsm", crypto::base64url_encode("{}")}}}}}}}}),
       "no ciphertext"},
  };
  for (const Case& c : cases) {
    auto out = open_released_key(c.jws, k.transfer.private_key());
    ASSERT_FALSE(out.ok()) << c.mentions;
    EXPECT_NE(out.status().message().find(c.mentions), std::string::npos) << out.status().message();
  }
  auto unsupported =
      open_released_key(release_answer({{"kid", kKid}, {"kty", "PQC"}}, k.rsa.to_pkcs8_der()),
                        k.transfer.private_key());
  ASSERT_FALSE(unsupported.ok());
  EXPECT_NE(unsupported.status().message().find("unsupported key type 'PQC'"), std::string::npos);
}

}  // namespace
}  // namespace mpcc::skr
