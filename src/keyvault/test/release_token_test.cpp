// The attestation-token layer of a release in detail, through the vault's
// HTTPS API (spec 8.5, 10.2; release.h): header and claim refusals beyond
// the matrix, the choice of the wrapping key in x-ms-runtime.keys, issuer
// normalisation, and concurrent releases against one audit chain.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/signature.h"
#include "http/server.h"
#include "jose/jwk.h"
#include "jose/jwt.h"
#include "keyvault/audit_log.h"
#include "keyvault/test/vault_test_env.h"
#include "keyvault/vault_setup.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;
using test_env::kTransferKid;
using test_env::Reply;
using test_env::SharedEnvTest;
using test_env::UnwrappedRelease;
using test_env::VaultTestEnv;

// A compact JWS over exactly these header and payload bytes, RS256-signed.
std::string sign_raw(const json& header, const std::string& payload,
                     const crypto::PrivateKey& key) {
  const std::string input =
      crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(payload);
  const Bytes sig =
      crypto::sign(key, crypto::SignatureAlg::kRsaPkcs1Sha256, as_span(input)).value();
  return input + "." + crypto::base64url_encode(sig);
}

json transfer_jwk(const std::string& kid) {
  json j = jose::Jwk::from_public_key(VaultTestEnv::transfer_key().public_key()).value().to_json();
  j["kid"] = kid;
  return j;
}

class ReleaseTokenTest : public SharedEnvTest<::testing::Test> {
 protected:
  void SetUp() override {
    SharedEnvTest::SetUp();
    if (HasFatalFailure()) return;
    if (env().get("/keys/token-details").status == 404) env().create_key("token-details");
  }

  json claims() const { return VaultTestEnv::attestation_claims(env().maa().url()); }

  Reply release(const std::string& token) const { return env().release("token-details", token); }

  void expect_token_refused(const std::string& token, const std::string& mentions) const {
    Reply r = release(token);
    EXPECT_EQ(r.status, 403) << r.describe();
    EXPECT_EQ(r.layer(), "attestation_token") << r.describe();
    EXPECT_EQ(r.message().rfind("attestation token: ", 0), 0u) << r.describe();
    EXPECT_NE(r.message().find(mentions), std::string::npos)
        << "'" << mentions << "' not in: " << r.describe();
  }
};

TEST_F(ReleaseTokenTest, HeaderAndClaimRefusals) {
  const jose::IssuerKey& maa = env().maa().key();
  const UnixSeconds now = system_clock()->now();
  const json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", maa.kid}};
  {
    SCOPED_TRACE("raw signing is accepted when everything is right");
    EXPECT_EQ(release(sign_raw(header, claims().dump(), maa.key)).status, 200);
  }
  json c = claims();
  c["nbf"] = now + 3600;
  expect_token_refused(env().maa().sign(c), "not valid before");
  c = claims();
  c["iat"] = now + 3600;
  expect_token_refused(env().maa().sign(c), "in the future");
  c = claims();
  c.erase("exp");
  expect_token_refused(env().maa().sign(c), "missing exp");
  c = claims();
  c.erase("iss");
  expect_token_refused(env().maa().sign(c), "no iss claim");
  c = claims();
  c["iss"] = 42;
  expect_token_refused(env().maa().sign(c), "no iss claim");
  expect_token_refused(sign_raw(header, "[1,2,3]", maa.key), "not a JSON object");
  expect_token_refused(sign_raw(header, "not json", maa.key), "not a JSON object");
  json kid_number = header;
  kid_number["kid"] = 7;
  expect_token_refused(sign_raw(kid_number, claims().dump(), maa.key), "kid");
  json crit = header;
  crit["crit"] = {"exp"};
  expect_token_refused(sign_raw(crit, claims().dump(), maa.key), "crit");
  const std::string good = env().maa().sign(claims());
  expect_token_refused(good.substr(0, good.rfind('.')), "segments");
  for (jose::JwsAlg alg : {jose::JwsAlg::kRs384, jose::JwsAlg::kPs256, jose::JwsAlg::kPs384}) {
    jose::JwtSigner other(alg, maa.key, maa.kid);
    expect_token_refused(other.sign(claims()).value(),
                         std::string(jose::jws_alg_name(alg)) + " is not allowed");
  }
  // The token cannot point the vault at other keys: jku, x5c and an embedded
  // jwk naming the untrusted issuer's key are ignored, and nothing is fetched
  // from the URL the token names.
  const jose::IssuerKey& evil = env().untrusted_maa().key();
  jose::JwtSigner with_jku(jose::JwsAlg::kRs256, evil.key, evil.kid,
                           env().untrusted_maa().url() + "/certs");
  expect_token_refused(with_jku.sign(claims()).value(), "unknown kid");
  jose::JwtSigner same_kid(jose::JwsAlg::kRs256, evil.key, maa.kid);
  expect_token_refused(
      same_kid.sign(claims(), json{{"jwk", evil.public_jwk().to_json()},
                                   {"x5c", evil.public_jwk().to_json()["x5c"]}})
          .value(),
      "signature does not verify");
  EXPECT_EQ(env().untrusted_maa().hits(), 0);
  // Leeway: 60 s of clock skew in the token's favour, not more.
  c = claims();
  c["exp"] = now - 30;
  EXPECT_EQ(release(env().maa().sign(c)).status, 200);
  c["exp"] = now - 600;
  expect_token_refused(env().maa().sign(c), "token expired");
}

TEST_F(ReleaseTokenTest, WrappingKeyIsTheFirstRsaKeyMarkedForEncryption) {
  auto release_with_keys = [&](const json& keys) {
    json c = claims();
    c["x-ms-runtime"] = {{"keys", keys}};
    return release(env().maa().sign(c));
  };
  auto wrapped_for = [](const Reply& r) {
    UnwrappedRelease u = VaultTestEnv::unwrap(r.body["value"].get<std::string>());
    return u.transfer_blob["header"]["kid"].get<std::string>();
  };
  const json ec = jose::Jwk::from_public_key(
                      crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value().public_key())
                      .value()
                      .to_json();
  json ec_key = ec;
  ec_key["kid"] = "ec-key";
  ec_key["key_ops"] = {"encrypt"};
  json sig_only = transfer_jwk("sig-only");
  sig_only["key_ops"] = {"verify"};
  json by_key_use = transfer_jwk("by-key-use");
  by_key_use["key_use"] = "enc";
  json by_use = transfer_jwk("by-use");
  by_use["use"] = "enc";
  json by_wrap = transfer_jwk("by-wrapkey");
  by_wrap["key_ops"] = {"wrapKey"};
  json unmarked = transfer_jwk("unmarked");
  json other_rsa = env().untrusted_maa().key().public_jwk().to_json();
  other_rsa.erase("x5c");
  other_rsa.erase("use");
  other_rsa.erase("alg");
  other_rsa["kid"] = "second";
  other_rsa["key_ops"] = {"encrypt"};
  json first = transfer_jwk("first");
  first["key_ops"] = {"encrypt"};

  Reply r = release_with_keys(json::array({ec_key, sig_only, unmarked, by_key_use}));
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(wrapped_for(r), "by-key-use");
  r = release_with_keys(json::array({by_use}));
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(wrapped_for(r), "by-use");
  r = release_with_keys(json::array({by_wrap}));
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(wrapped_for(r), "by-wrapkey");
  r = release_with_keys(json::array({first, other_rsa}));
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(wrapped_for(r), "first");
  // The other order wraps for a key whose private half we do not have.
  r = release_with_keys(json::array({other_rsa, first}));
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_THROW(VaultTestEnv::unwrap(r.body["value"].get<std::string>()), std::runtime_error);

  // Nothing suitable.
  auto refused = [&](const json& keys, const std::string& mentions) {
    SCOPED_TRACE(keys.dump().substr(0, 200));
    Reply x = release_with_keys(keys);
    EXPECT_EQ(x.status, 403) << x.describe();
    EXPECT_EQ(x.layer(), "attestation_token") << x.describe();
    EXPECT_NE(x.message().find(mentions), std::string::npos) << x.describe();
  };
  refused(json::array(), "missing or empty");
  refused(json::array({ec_key}), "not an RSA key");
  refused(json::array({sig_only, unmarked}), "not marked for encryption");
  json small = first;
  Bytes n = crypto::random_bytes(128);
  n[0] |= 0x80;
  n[127] |= 0x01;
  small["n"] = crypto::base64url_encode(n);
  refused(json::array({small}), "2048");
  json c = claims();
  c["x-ms-runtime"] = "keys";
  expect_token_refused(env().maa().sign(c), "x-ms-runtime");
  c["x-ms-runtime"] = {{"keys", "none"}};
  expect_token_refused(env().maa().sign(c), "x-ms-runtime.keys");
}

TEST_F(ReleaseTokenTest, IssuerAndAuthorityAreComparedModuloATrailingSlash) {
  // iss with a trailing slash, policy without.
  json c = claims();
  c["iss"] = env().maa().url() + "/";
  Reply r = release(env().maa().sign(c));
  EXPECT_EQ(r.status, 200) << r.describe();
  // Policy with a trailing slash, iss without.
  json body = env().create_body();
  body["release_policy"]["data"] =
      test_env::b64url_json(VaultTestEnv::policy(env().maa().url() + "/"));
  ASSERT_EQ(env().post("/keys/slash-authority/create", body).status, 200);
  Reply s = env().release("slash-authority", env().attestation_token());
  EXPECT_EQ(s.status, 200) << s.describe();
  // But not another port or host.
  c["iss"] = "https://127.0.0.1:1";
  expect_token_refused(env().maa().sign(c), "is not an authority");
  c["iss"] = env().maa().url() + ".evil";
  expect_token_refused(env().maa().sign(c), "is not an authority");
}

TEST_F(ReleaseTokenTest, AnUnreachableAuthorityIsRetryableNotADenial) {
  // An authority whose listener is gone: the keys cannot be fetched, which
  // is transient (503, the SDK retries), audited as an error, not a denial.
  std::string dead;
  {
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    http::Server gone(o);
    ASSERT_TRUE(gone.start().ok());
    dead = "https://127.0.0.1:" + std::to_string(gone.port());
    gone.stop();
  }
  json body = env().create_body();
  body["release_policy"]["data"] = test_env::b64url_json(VaultTestEnv::policy(dead));
  ASSERT_EQ(env().post("/keys/dead-authority/create", body).status, 200);
  json c = claims();
  c["iss"] = dead;
  const std::string token = env().maa().sign(c);
  Reply r = env().release("dead-authority", token);
  EXPECT_EQ(r.status, 503) << r.describe();
  EXPECT_EQ(r.error_code(), "ServiceUnavailable") << r.describe();
  EXPECT_NE(r.message().find(dead), std::string::npos) << r.describe();
  const std::vector<AuditRecord> records = env().audit_records();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().entry.key_name, "dead-authority");
  EXPECT_EQ(records.back().entry.decision, AuditDecision::kError);
  EXPECT_EQ(records.back().entry.token_digest, token_digest(token));
}

TEST_F(ReleaseTokenTest, ConcurrentReleasesKeepOneAuditChain) {
  env().create_key("concurrent-key");
  const std::size_t before = env().audit_records().size();
  constexpr int kThreads = 6;
  constexpr int kEach = 3;
  std::atomic<int> ok{0};
  std::atomic<int> denied{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const bool good = (t + i) % 2 == 0;
        const std::string token =
            good ? env().attestation_token()
                 : env().maa().sign(VaultTestEnv::attestation_claims(
                       env().maa().url(), test_env::kOtherHostData));
        try {
          Reply r = env().release("concurrent-key", token);
          if (good && r.status == 200) ++ok;
          if (!good && r.status == 403 && r.layer() == "release_policy") ++denied;
        } catch (const std::exception&) {
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  int want_ok = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) want_ok += (t + i) % 2 == 0 ? 1 : 0;
  }
  EXPECT_EQ(ok.load(), want_ok);
  EXPECT_EQ(denied.load(), kThreads * kEach - want_ok);

  auto log = AuditLog::open(env().state_dir() / kVaultDbFile);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  auto all = (*log)->list();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), before + static_cast<std::size_t>(kThreads * kEach));
  auto report = (*log)->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
}

}  // namespace
}  // namespace mpcc::keyvault
