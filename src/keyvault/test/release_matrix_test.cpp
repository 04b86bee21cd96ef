// Secure key release through the vault's HTTPS API (spec 8.4-8.5, 9.3-9.5,
// 10; SDK interop A5.3, A6): the decision matrix identity x attestation token
// x release policy, then the release value itself (JWS, transfer blob, the
// three wrapping algorithms, nonce, versions) and the audit trail.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key_wrap.h"
#include "crypto/signature.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "keyvault/audit_log.h"
#include "keyvault/test/vault_test_env.h"
#include "keyvault/vault_setup.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;
using test_env::kHostData;
using test_env::kOtherHostData;
using test_env::Reply;
using test_env::SharedEnvTest;
using test_env::UnwrappedRelease;
using test_env::VaultTestEnv;

constexpr const char* kChallenge =
    "Bearer authorization=\"https://login.microsoftonline.com/"
    "00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"";

// ---- token crafting ------------------------------------------------------------------

std::vector<std::string> split_jws(const std::string& t) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = t.find('.', start);
    parts.push_back(t.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

// The same token with one bit of its signature flipped (still canonical base64url).
std::string flip_signature_bit(const std::string& token) {
  std::vector<std::string> p = split_jws(token);
  Bytes sig = crypto::base64url_decode(p.at(2)).value();
  sig[sig.size() / 2] ^= 0x01;
  return p[0] + "." + p[1] + "." + crypto::base64url_encode(sig);
}

std::string unsigned_token(const json& claims) {
  return test_env::b64url_json(json{{"alg", "none"}, {"typ", "JWT"}}) + "." +
         test_env::b64url_json(claims) + ".";
}

// HS256 "signed" with the issuer's public key as the HMAC secret: the
// classic algorithm-confusion forgery.
std::string hs256_with_public_key(const json& claims, const jose::IssuerKey& key) {
  const std::string input =
      test_env::b64url_json(json{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key.kid}}) + "." +
      test_env::b64url_json(claims);
  const std::string secret = key.certificate.public_key().to_pem();
  const Bytes mac = crypto::hmac(crypto::HashAlg::kSha256, as_span(secret), as_span(input));
  return input + "." + crypto::base64url_encode(mac);
}

Status verify_with(const crypto::PublicKey& key, const crypto::PrivateKey& signer) {
  const std::string message = "released keys sign for the vault's public key";
  auto sig = crypto::sign(signer, crypto::SignatureAlg::kRsaPkcs1Sha256, as_span(message));
  if (!sig.ok()) return sig.status();
  return crypto::verify(key, crypto::SignatureAlg::kRsaPkcs1Sha256, as_span(message), *sig);
}

crypto::PublicKey public_key_of(const json& bundle) {
  crypto::RsaPublicComponents c;
  c.n = crypto::base64url_decode(bundle.at("key").at("n").get<std::string>()).value();
  c.e = crypto::base64url_decode(bundle.at("key").at("e").get<std::string>()).value();
  return crypto::PublicKey::from_rsa(c).value();
}

// ---- the matrix ------------------------------------------------------------------------

enum class Who { kAllowed, kNoReleasePermission, kNoBearer, kExpiredBearer };
enum class Tok {
  kValid,
  kForgedSignature,
  kUnknownKid,
  kAlgNone,
  kHs256WithPublicKey,
  kExpired,
  kWrongIssuer,
  kNoRuntimeClaim,
  kNoEncryptionKey,
};
enum class Pol { kSatisfied, kHostDataMismatch, kDebuggable, kWrongAttestationType };

const char* name_of(Who w) {
  switch (w) {
    case Who::kAllowed: return "Allowed";
    case Who::kNoReleasePermission: return "NoReleasePermission";
    case Who::kNoBearer: return "NoBearer";
    case Who::kExpiredBearer: return "ExpiredBearer";
  }
  return "?";
}
const char* name_of(Tok t) {
  switch (t) {
    case Tok::kValid: return "ValidToken";
    case Tok::kForgedSignature: return "ForgedSignature";
    case Tok::kUnknownKid: return "UnknownKid";
    case Tok::kAlgNone: return "AlgNone";
    case Tok::kHs256WithPublicKey: return "Hs256WithPublicKey";
    case Tok::kExpired: return "ExpiredToken";
    case Tok::kWrongIssuer: return "WrongIssuer";
    case Tok::kNoRuntimeClaim: return "NoRuntimeClaim";
    case Tok::kNoEncryptionKey: return "NoEncryptionKey";
  }
  return "?";
}
const char* name_of(Pol p) {
  switch (p) {
    case Pol::kSatisfied: return "PolicySatisfied";
    case Pol::kHostDataMismatch: return "HostDataMismatch";
    case Pol::kDebuggable: return "DebuggableGuest";
    case Pol::kWrongAttestationType: return "WrongAttestationType";
  }
  return "?";
}

// What a cell must answer. Which layer wins when several fail: the identity
// first (no or bad bearer token: 401 with the challenge; then the access
// policy: 403 access_policy), then the attestation token (403
// attestation_token: alg, issuer, kid, signature, times, runtime key), and
// only then the release policy (403 release_policy). Only an allowed caller
// with a valid token that satisfies the policy gets 200.
struct Expected {
  int status = 200;
  std::string code;    // error.code
  std::string layer;   // error.innererror.layer ("" for 401 and 200)
  std::string reason;  // substring of error.message
  // release_policy denials: the one failed clause.
  std::string claim;
  json expected_value;
  json actual_value;
};

Expected expected_for(Who who, Tok tok, Pol pol) {
  Expected e;
  switch (who) {
    case Who::kNoBearer:
      return {401, "Unauthorized", "", "AKV10000", "", nullptr, nullptr};
    case Who::kExpiredBearer:
      return {401, "Unauthorized", "", "expired", "", nullptr, nullptr};
    case Who::kNoReleasePermission:
      return {403, "Forbidden", "access_policy", "has no 'release' permission", "", nullptr, nullptr};
    case Who::kAllowed:
      break;
  }
  const char* token_reason = nullptr;
  switch (tok) {
    case Tok::kValid: break;
    case Tok::kForgedSignature: token_reason = "signature does not verify"; break;
    case Tok::kUnknownKid: token_reason = "unknown kid 'unknown-kid-0001'"; break;
    case Tok::kAlgNone: token_reason = "alg 'none' is refused"; break;
    case Tok::kHs256WithPublicKey: token_reason = "HMAC alg 'HS256' is refused"; break;
    case Tok::kExpired: token_reason = "token expired"; break;
    case Tok::kWrongIssuer: token_reason = "is not an authority of the key's release policy"; break;
    case Tok::kNoRuntimeClaim: token_reason = "no x-ms-runtime claim"; break;
    case Tok::kNoEncryptionKey: token_reason = "no RSA key marked for encryption"; break;
  }
  if (token_reason != nullptr) {
    return {403, "Forbidden", "attestation_token", token_reason, "", nullptr, nullptr};
  }
  switch (pol) {
    case Pol::kSatisfied:
      return e;
    case Pol::kHostDataMismatch:
      return {403, "Forbidden", "release_policy", "x-ms-isolation-tee.x-ms-sevsnpvm-hostdata",
              "x-ms-isolation-tee.x-ms-sevsnpvm-hostdata", kHostData, kOtherHostData};
    case Pol::kDebuggable:
      return {403, "Forbidden", "release_policy", "x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable",
              "x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable", "false", true};
    case Pol::kWrongAttestationType:
      return {403, "Forbidden", "release_policy", "x-ms-isolation-tee.x-ms-attestation-type",
              "x-ms-isolation-tee.x-ms-attestation-type", "sevsnpvm", "sgxvm"};
  }
  return e;
}

std::string inner_code_for(const std::string& layer) {
  if (layer == "access_policy") return "AccessDenied";
  if (layer == "attestation_token") return "InvalidAttestationToken";
  if (layer == "release_policy") return "ReleasePolicyNotSatisfied";
  return "KeyNotUsable";
}

using Cell = std::tuple<Who, Tok, Pol>;

class ReleaseMatrixTest : public SharedEnvTest<::testing::TestWithParam<Cell>> {
 protected:
  static constexpr const char* kKey = "matrix-key";

  // The key every cell releases; created by the first cell.
  json key_bundle() {
    Reply r = env().get("/keys/" + std::string(kKey));
    if (r.status == 404) return env().create_key(kKey);
    return r.body;
  }

  std::string make_token(Tok tok, Pol pol) const {
    const std::string issuer =
        tok == Tok::kWrongIssuer ? env().untrusted_maa().url() : env().maa().url();
    json claims = VaultTestEnv::attestation_claims(
        issuer, pol == Pol::kHostDataMismatch ? kOtherHostData : kHostData,
        pol == Pol::kDebuggable, pol == Pol::kWrongAttestationType ? "sgxvm" : "sevsnpvm");
    const UnixSeconds now = system_clock()->now();
    switch (tok) {
      case Tok::kValid:
        return env().maa().sign(claims);
      case Tok::kForgedSignature:
        return flip_signature_bit(env().maa().sign(claims));
      case Tok::kUnknownKid: {
        jose::JwtSigner other(jose::JwsAlg::kRs256, env().untrusted_maa().key().key,
                              "unknown-kid-0001", env().maa().url() + "/certs");
        return other.sign(claims).value();
      }
      case Tok::kAlgNone:
        return unsigned_token(claims);
      case Tok::kHs256WithPublicKey:
        return hs256_with_public_key(claims, env().maa().key());
      case Tok::kExpired:
        claims["iat"] = claims["nbf"] = now - 36000;
        claims["exp"] = now - 7200;
        return env().maa().sign(claims);
      case Tok::kWrongIssuer:
        return env().untrusted_maa().sign(claims);
      case Tok::kNoRuntimeClaim:
        claims.erase("x-ms-runtime");
        return env().maa().sign(claims);
      case Tok::kNoEncryptionKey:
        claims["x-ms-runtime"]["keys"][0]["key_ops"] = {"verify"};
        return env().maa().sign(claims);
    }
    return "";
  }
};

TEST_P(ReleaseMatrixTest, DecisionStatusLayerAndReason) {
  const auto [who, tok, pol] = GetParam();
  const Expected want = expected_for(who, tok, pol);
  const json bundle = key_bundle();
  const std::string token = make_token(tok, pol);

  std::optional<std::string> bearer;
  std::string caller_oid;
  switch (who) {
    case Who::kAllowed:
      bearer = env().bearer(env().allowed());
      caller_oid = env().allowed().object_id;
      break;
    case Who::kNoReleasePermission:
      bearer = env().bearer(env().no_release());
      caller_oid = env().no_release().object_id;
      break;
    case Who::kNoBearer:
      bearer = "";
      break;
    case Who::kExpiredBearer:
      bearer = env().expired_bearer(env().allowed());
      caller_oid = "unauthenticated";
      break;
  }

  const std::size_t audit_before = env().audit_records().size();
  Reply r = env().release(kKey, token, json::object(), "", bearer);

  ASSERT_EQ(r.status, want.status) << r.describe();
  if (want.status == 200) {
    ASSERT_TRUE(r.body.contains("value") && r.body["value"].is_string()) << r.describe();
    UnwrappedRelease u = VaultTestEnv::unwrap(r.body["value"].get<std::string>());
    EXPECT_TRUE(u.key.public_key().equals(public_key_of(bundle)));
  } else {
    EXPECT_EQ(r.error_code(), want.code) << r.describe();
    EXPECT_EQ(r.layer(), want.layer) << r.describe();
    EXPECT_NE(r.message().find(want.reason), std::string::npos)
        << "reason '" << want.reason << "' not in: " << r.describe();
    EXPECT_FALSE(r.body.contains("value"));
  }
  if (want.status == 401) {
    EXPECT_EQ(r.header("WWW-Authenticate").value_or("<none>"), kChallenge);
  }
  if (!want.layer.empty()) {
    EXPECT_EQ(r.body["error"]["innererror"]["code"], inner_code_for(want.layer)) << r.describe();
  }
  if (want.layer == "attestation_token") {
    EXPECT_EQ(r.message().rfind("attestation token: ", 0), 0u) << r.describe();
  }
  if (want.layer == "release_policy") {
    EXPECT_EQ(r.message().rfind("release policy: ", 0), 0u) << r.describe();
    const json& eval = r.body["error"]["innererror"]["evaluation"];
    EXPECT_EQ(eval["decision"], "deny") << r.describe();
    EXPECT_EQ(eval["issuer"], env().maa().url());
    ASSERT_TRUE(eval["failedClauses"].is_array()) << r.describe();
    ASSERT_EQ(eval["failedClauses"].size(), 1u) << r.describe();
    const json& clause = eval["failedClauses"][0];
    EXPECT_EQ(clause["claim"], want.claim);
    EXPECT_EQ(clause["operator"], "equals");
    EXPECT_EQ(clause["expected"], want.expected_value);
    EXPECT_EQ(clause["actual"], want.actual_value);
  } else if (r.status == 403) {
    EXPECT_FALSE(r.body["error"]["innererror"].contains("evaluation")) << r.describe();
  }
  // The vault never fetched anything from the issuer it does not trust.
  EXPECT_EQ(env().untrusted_maa().hits(), 0);

  // The audit log: one record per decision (none for the SDK's anonymous
  // first request), never the token itself.
  const std::vector<AuditRecord> records = env().audit_records();
  if (who == Who::kNoBearer) {
    EXPECT_EQ(records.size(), audit_before);
    return;
  }
  ASSERT_EQ(records.size(), audit_before + 1);
  const AuditRecord& rec = records.back();
  EXPECT_EQ(rec.entry.action, "release");
  EXPECT_EQ(rec.entry.key_name, kKey);
  EXPECT_EQ(rec.entry.vault, "contoso-vault");
  EXPECT_EQ(rec.entry.actor, caller_oid);
  EXPECT_EQ(rec.entry.decision, want.status == 200 ? AuditDecision::kAllow : AuditDecision::kDeny);
  if (who == Who::kExpiredBearer) {
    // Unauthenticated: the token presented is the bearer token.
    EXPECT_EQ(rec.entry.token_digest, token_digest(*bearer));
    ASSERT_FALSE(rec.entry.reasons.empty());
    EXPECT_EQ(rec.entry.reasons[0], "layer: identity");
  } else {
    if (who == Who::kAllowed) {
      EXPECT_EQ(rec.entry.token_digest, token_digest(token))
          << "a release's audit record keeps the digest of its attestation token";
    } else {
      // Which token an access-policy denial records is checked once, in
      // ReleaseTest.EveryDecisionIsAuditedWithoutTheToken.
      EXPECT_EQ(rec.entry.token_digest.size(), 64u);
    }
    const std::string reasons = rec.entry.reasons.dump();
    if (want.status == 200) {
      EXPECT_NE(reasons.find("released by anyOf[0]"), std::string::npos) << reasons;
      EXPECT_EQ(rec.entry.key_version,
                bundle["key"]["kid"].get<std::string>().substr(
                    bundle["key"]["kid"].get<std::string>().rfind('/') + 1));
    } else {
      ASSERT_FALSE(rec.entry.reasons.empty());
      EXPECT_EQ(rec.entry.reasons[0], "layer: " + want.layer) << reasons;
      if (!want.claim.empty()) {
        EXPECT_NE(reasons.find(want.claim), std::string::npos) << reasons;
      }
    }
  }
  const std::string text = rec.to_json().dump();
  EXPECT_EQ(text.find(token.substr(0, token.size() - 1)), std::string::npos);
  if (bearer && !bearer->empty()) {
    EXPECT_EQ(text.find(*bearer), std::string::npos);
  }
  EXPECT_EQ(text.find("eyJ"), std::string::npos) << "no JOSE object in the audit log: " << text;
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, ReleaseMatrixTest,
    ::testing::Combine(::testing::Values(Who::kAllowed, Who::kNoReleasePermission, Who::kNoBearer,
                                         Who::kExpiredBearer),
                       ::testing::Values(Tok::kValid, Tok::kForgedSignature, Tok::kUnknownKid,
                                         Tok::kAlgNone, Tok::kHs256WithPublicKey, Tok::kExpired,
                                         Tok::kWrongIssuer, Tok::kNoRuntimeClaim,
                                         Tok::kNoEncryptionKey),
                       ::testing::Values(Pol::kSatisfied, Pol::kHostDataMismatch,
                                         Pol::kDebuggable, Pol::kWrongAttestationType)),
    [](const ::testing::TestParamInfo<Cell>& cell) {
      return std::string(name_of(std::get<0>(cell.param))) + "_" +
             name_of(std::get<1>(cell.param)) + "_" + name_of(std::get<2>(cell.param));
    });

// ---- the release value -------------------------------------------------------------------

class ReleaseTest : public SharedEnvTest<::testing::Test> {
 protected:
  static std::string version_of(const json& bundle) {
    const std::string kid = bundle.at("key").at("kid").get<std::string>();
    return kid.substr(kid.rfind('/') + 1);
  }
};

TEST_F(ReleaseTest, EachWrappingAlgorithmUnwrapsToTheKeyOfTheVault) {
  const json bundle = env().create_key("enc-variants", 3072);
  const crypto::PublicKey vault_public = public_key_of(bundle);
  const std::vector<std::pair<std::string, crypto::RsaAesWrapAlg>> algs = {
      {"CKM_RSA_AES_KEY_WRAP", crypto::RsaAesWrapAlg::kCkmRsaAesKeyWrap},
      {"RSA_AES_KEY_WRAP_256", crypto::RsaAesWrapAlg::kRsaAesKeyWrap256},
      {"RSA_AES_KEY_WRAP_384", crypto::RsaAesWrapAlg::kRsaAesKeyWrap384}};
  for (const auto& [name, alg] : algs) {
    SCOPED_TRACE(name);
    Reply r = env().release("enc-variants", env().attestation_token(), json{{"enc", name}});
    ASSERT_EQ(r.status, 200) << r.describe();
    UnwrappedRelease u = VaultTestEnv::unwrap(r.body["value"].get<std::string>());
    EXPECT_EQ(u.payload["request"]["enc"], name);
    EXPECT_EQ(u.transfer_blob["header"]["enc"], name);
    EXPECT_EQ(u.transfer_blob["header"]["alg"], "dir");
    EXPECT_EQ(u.transfer_blob["header"]["kid"], test_env::kTransferKid);
    EXPECT_TRUE(u.transfer_blob.contains("schema_version"));
    EXPECT_EQ(u.key.bits(), 3072u);
    EXPECT_TRUE(u.key.public_key().equals(vault_public));
    EXPECT_TRUE(verify_with(vault_public, u.key).ok());

    // The OAEP hash really is the one named: another one does not unwrap.
    const Bytes ct =
        crypto::base64url_decode(u.transfer_blob["ciphertext"].get<std::string>()).value();
    EXPECT_EQ(ct.size() % 8, 0u);
    EXPECT_GT(ct.size(), 256u + 1000u) << "OAEP(KEK) || KWP(PKCS#8 of RSA-3072)";
    for (const auto& [other_name, other] : algs) {
      if (other == alg) continue;
      EXPECT_FALSE(crypto::rsa_aes_key_unwrap(VaultTestEnv::transfer_key(), other, ct).ok())
          << other_name;
    }
  }
  // Without enc: CKM_RSA_AES_KEY_WRAP, and the JWS says so.
  Reply r = env().release("enc-variants", env().attestation_token());
  ASSERT_EQ(r.status, 200) << r.describe();
  UnwrappedRelease u = VaultTestEnv::unwrap(r.body["value"].get<std::string>());
  EXPECT_EQ(u.payload["request"]["enc"], "CKM_RSA_AES_KEY_WRAP");
  EXPECT_EQ(u.transfer_blob["header"]["enc"], "CKM_RSA_AES_KEY_WRAP");
  EXPECT_TRUE(u.key.public_key().equals(vault_public));
}

TEST_F(ReleaseTest, MalformedReleaseRequestsAreBadParameters) {
  env().create_key("bad-release-body");
  const std::string token = env().attestation_token();
  for (const char* enc : {"RSA-OAEP", "A256KW", "ckm_rsa_aes_key_wrap", ""}) {
    SCOPED_TRACE(enc);
    Reply r = env().release("bad-release-body", token, json{{"enc", enc}});
    EXPECT_EQ(r.status, 400) << r.describe();
    EXPECT_EQ(r.error_code(), "BadParameter");
    EXPECT_NE(r.message().find("enc"), std::string::npos) << r.describe();
  }
  auto post = [&](const json& body) {
    return env().post("/keys/bad-release-body/release", body);
  };
  for (const json& body : {json::object(), json{{"target", ""}}, json{{"target", 42}},
                           json{{"nonce", "n"}}}) {
    SCOPED_TRACE(body.dump());
    Reply r = post(body);
    EXPECT_EQ(r.status, 400) << r.describe();
    EXPECT_EQ(r.error_code(), "BadParameter");
    EXPECT_NE(r.message().find("target"), std::string::npos) << r.describe();
  }
  Reply nonce = post(json{{"target", token}, {"nonce", 7}});
  EXPECT_EQ(nonce.status, 400) << nonce.describe();
  EXPECT_NE(nonce.message().find("nonce"), std::string::npos) << nonce.describe();
  Reply not_object = post(json::array({token}));
  EXPECT_EQ(not_object.status, 400) << not_object.describe();
  // A target that is not a JWT at all is a refused token, not a crash.
  Reply garbage = env().release("bad-release-body", "not.a.jwt");
  EXPECT_EQ(garbage.status, 403) << garbage.describe();
  EXPECT_EQ(garbage.layer(), "attestation_token");
}

TEST_F(ReleaseTest, NonceIsEchoedInTheRequestPart) {
  env().create_key("nonce-key");
  Reply with = env().release("nonce-key", env().attestation_token(), json{{"nonce", "abc123"}});
  ASSERT_EQ(with.status, 200) << with.describe();
  EXPECT_EQ(VaultTestEnv::unwrap(with.body["value"]).payload["request"]["nonce"], "abc123");
  Reply without = env().release("nonce-key", env().attestation_token());
  ASSERT_EQ(without.status, 200) << without.describe();
  EXPECT_FALSE(VaultTestEnv::unwrap(without.body["value"]).payload["request"].contains("nonce"));
}

TEST_F(ReleaseTest, JwsHeaderAndPayloadHaveAzuresShape) {
  const json bundle = env().create_key("jws-shape");
  Reply r = env().call("POST", env().url("/keys/jws-shape/release", "7.3"),
                       json{{"target", env().attestation_token()}}.dump(),
                       env().bearer(env().allowed()));
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_EQ(r.body.size(), 1u) << "only {\"value\"}: " << r.raw;
  const std::string jws = r.body["value"].get<std::string>();
  EXPECT_EQ(std::count(jws.begin(), jws.end(), '.'), 2);
  UnwrappedRelease u = VaultTestEnv::unwrap(jws);

  // Header: alg, kid, x5c, x5t#S256 (the sidecar verifies with x5c[0]).
  EXPECT_EQ(u.header["alg"], "RS256");
  ASSERT_TRUE(u.header["kid"].is_string());
  EXPECT_FALSE(u.header["kid"].get<std::string>().empty());
  ASSERT_TRUE(u.header["x5c"].is_array());
  ASSERT_GE(u.header["x5c"].size(), 1u);
  EXPECT_EQ(u.header["x5t#S256"], crypto::base64url_encode(crypto::sha256(u.signer.der())));
  EXPECT_FALSE(u.header.contains("crit"));
  // It verifies with x5c[0] only: not with another key.
  const jose::JwsAlg rs256[] = {jose::JwsAlg::kRs256};
  EXPECT_TRUE(jose::jws_verify(jws, u.signer.public_key(), rs256).ok());
  EXPECT_FALSE(jose::jws_verify(jws, env().maa().key().certificate.public_key(), rs256).ok());
  // The signer is the vault's release-signing certificate, stable on disk.
  auto on_disk = crypto::Certificate::from_pem(
      env().vault().options().signer->certificate().pem());
  ASSERT_TRUE(on_disk.ok());
  EXPECT_EQ(u.signer.der(), on_disk->der());

  // Payload.
  const json& req = u.payload["request"];
  EXPECT_EQ(req["api-version"], "7.3");
  EXPECT_EQ(req["kid"], env().vault_url() + "/keys/jws-shape") << "versionless when asked so";
  EXPECT_EQ(req["enc"], "CKM_RSA_AES_KEY_WRAP");
  const json& key = u.payload["response"]["key"]["key"];
  EXPECT_EQ(key["kid"], bundle["key"]["kid"]);
  EXPECT_EQ(key["kty"], "RSA-HSM");
  EXPECT_EQ(key["key_ops"], bundle["key"]["key_ops"]);
  EXPECT_EQ(key["n"], bundle["key"]["n"]);
  EXPECT_EQ(key["e"], "AQAB");
  EXPECT_TRUE(key["key_hsm"].is_string());
  EXPECT_FALSE(key.contains("d"));
  EXPECT_EQ(u.payload["response"]["key"]["attributes"]["exportable"], true);
  EXPECT_EQ(u.payload["response"]["key"]["release_policy"], bundle["release_policy"]);
  // key_hsm is unpadded base64url.
  EXPECT_EQ(key["key_hsm"].get<std::string>().find('='), std::string::npos);
}

TEST_F(ReleaseTest, ExplicitVersionReleasesThatVersion) {
  const json v1 = env().create_key("versioned-release");
  const json v2 = env().create_key("versioned-release");
  ASSERT_NE(v1["key"]["n"], v2["key"]["n"]);
  const std::string token = env().attestation_token();

  Reply old = env().release("versioned-release", token, json::object(), version_of(v1));
  ASSERT_EQ(old.status, 200) << old.describe();
  UnwrappedRelease u1 = VaultTestEnv::unwrap(old.body["value"]);
  EXPECT_TRUE(u1.key.public_key().equals(public_key_of(v1)));
  EXPECT_EQ(u1.payload["request"]["kid"], v1["key"]["kid"]);
  EXPECT_EQ(u1.payload["response"]["key"]["key"]["kid"], v1["key"]["kid"]);

  Reply latest = env().release("versioned-release", token);
  ASSERT_EQ(latest.status, 200) << latest.describe();
  UnwrappedRelease u2 = VaultTestEnv::unwrap(latest.body["value"]);
  EXPECT_TRUE(u2.key.public_key().equals(public_key_of(v2)));
  EXPECT_EQ(u2.payload["response"]["key"]["key"]["kid"], v2["key"]["kid"]);

  Reply unknown =
      env().release("versioned-release", token, json::object(), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(unknown.status, 404) << unknown.describe();
  EXPECT_EQ(unknown.error_code(), "KeyNotFound");
  EXPECT_EQ(env().release("no-such-release-key", token).status, 404);
}

TEST_F(ReleaseTest, KeysThatCannotBeReleasedAreRefusedAtTheKeyLayer) {
  const std::string token = env().attestation_token();
  env().create_key("not-exportable", 2048, /*exportable=*/false);
  Reply r = env().release("not-exportable", token);
  EXPECT_EQ(r.status, 403) << r.describe();
  EXPECT_EQ(r.error_code(), "Forbidden");
  EXPECT_EQ(r.layer(), "key");
  EXPECT_EQ(r.body["error"]["innererror"]["code"], "KeyNotUsable");
  EXPECT_NE(r.message().find("not exportable"), std::string::npos) << r.describe();

  env().create_key("disabled-key");
  ASSERT_EQ(env().patch("/keys/disabled-key", json{{"attributes", {{"enabled", false}}}}).status,
            200);
  Reply disabled = env().release("disabled-key", token);
  EXPECT_EQ(disabled.status, 403) << disabled.describe();
  EXPECT_EQ(disabled.layer(), "key");
  EXPECT_NE(disabled.message().find("disabled"), std::string::npos) << disabled.describe();
  ASSERT_EQ(env().patch("/keys/disabled-key", json{{"attributes", {{"enabled", true}}}}).status,
            200);
  EXPECT_EQ(env().release("disabled-key", token).status, 200);

  const UnixSeconds now = system_clock()->now();
  ASSERT_EQ(env().patch("/keys/disabled-key", json{{"attributes", {{"exp", now - 60}}}}).status,
            200);
  Reply expired = env().release("disabled-key", token);
  EXPECT_EQ(expired.status, 403) << expired.describe();
  EXPECT_EQ(expired.layer(), "key");
  EXPECT_NE(expired.message().find("expired"), std::string::npos) << expired.describe();
}

TEST_F(ReleaseTest, PatchedPolicyIsTheOneEnforced) {
  env().create_key("repolicied");
  const std::string ours = env().attestation_token();
  const std::string theirs = env().maa().sign(
      VaultTestEnv::attestation_claims(env().maa().url(), kOtherHostData));
  EXPECT_EQ(env().release("repolicied", ours).status, 200);
  EXPECT_EQ(env().release("repolicied", theirs).layer(), "release_policy");
  ASSERT_EQ(env().patch("/keys/repolicied",
                        json{{"release_policy", {{"data", env().policy_data(kOtherHostData)}}}})
                .status,
            200);
  EXPECT_EQ(env().release("repolicied", ours).layer(), "release_policy");
  EXPECT_EQ(env().release("repolicied", theirs).status, 200);
  // A policy whose authority is the other MAA: our MAA's tokens are now from
  // the wrong issuer, and the other one's are accepted.
  ASSERT_EQ(env().patch("/keys/repolicied",
                        json{{"release_policy",
                              {{"data", test_env::b64url_json(VaultTestEnv::policy(
                                            env().untrusted_maa().url()))}}}})
                .status,
            200);
  Reply wrong = env().release("repolicied", ours);
  EXPECT_EQ(wrong.layer(), "attestation_token") << wrong.describe();
  EXPECT_NE(wrong.message().find(env().maa().url()), std::string::npos) << wrong.describe();
  const std::string from_other = env().untrusted_maa().sign(
      VaultTestEnv::attestation_claims(env().untrusted_maa().url()));
  EXPECT_EQ(env().release("repolicied", from_other).status, 200);
}

TEST_F(ReleaseTest, EveryDecisionIsAuditedWithoutTheToken) {
  env().create_key("audited-key");
  const std::string good = env().attestation_token();
  const std::string forged = flip_signature_bit(good);
  const std::string mismatch = env().maa().sign(
      VaultTestEnv::attestation_claims(env().maa().url(), kOtherHostData));
  const std::string expired_bearer = env().expired_bearer(env().allowed());

  ASSERT_EQ(env().release("audited-key", good).status, 200);
  ASSERT_EQ(env().release("audited-key", good, json::object(), "",
                          env().bearer(env().no_release()))
                .status,
            403);
  ASSERT_EQ(env().release("audited-key", forged).status, 403);
  ASSERT_EQ(env().release("audited-key", mismatch).status, 403);
  ASSERT_EQ(env().release("audited-key", good, json::object(), "", expired_bearer).status, 401);
  ASSERT_EQ(env().release("audited-key", good, json::object(), "", std::string()).status, 401);

  auto log = AuditLog::open(env().state_dir() / kVaultDbFile);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  auto records = (*log)->list("audited-key");
  ASSERT_TRUE(records.ok()) << records.status().to_string();
  ASSERT_EQ(records->size(), 6u) << "create + 5 audited releases (not the anonymous one)";
  const auto& rs = *records;
  const std::string contoso = env().allowed().object_id;

  EXPECT_EQ(rs[0].entry.action, "create");
  EXPECT_EQ(rs[0].entry.actor, contoso);
  EXPECT_EQ(rs[0].entry.decision, AuditDecision::kAllow);

  struct Want {
    std::string actor;
    AuditDecision decision;
    std::string first_reason;  // "" for allow
    std::string digest;
  };
  const std::vector<Want> want = {
      {contoso, AuditDecision::kAllow, "", token_digest(good)},
      {env().no_release().object_id, AuditDecision::kDeny, "layer: access_policy",
       token_digest(good)},
      {contoso, AuditDecision::kDeny, "layer: attestation_token", token_digest(forged)},
      {contoso, AuditDecision::kDeny, "layer: release_policy", token_digest(mismatch)},
      {"unauthenticated", AuditDecision::kDeny, "layer: identity", token_digest(expired_bearer)},
  };
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("release record " + std::to_string(i));
    const AuditEntry& e = rs[i + 1].entry;
    EXPECT_EQ(e.action, "release");
    EXPECT_EQ(e.actor, want[i].actor);
    EXPECT_EQ(e.decision, want[i].decision);
    // A release record keeps the digest of the attestation token it was
    // asked with, whichever layer refused (the access-policy denial
    // included: it is what lets an auditor tie the attempt to the token);
    // only an unauthenticated call records its bearer token's digest.
    EXPECT_EQ(e.token_digest, want[i].digest)
        << (i == 1 ? "BUG: the access-policy denial of a release records the bearer token's "
                     "digest, not the attestation token's (vault.cpp check_access)"
                   : "");
    ASSERT_TRUE(e.reasons.is_array());
    ASSERT_FALSE(e.reasons.empty());
    if (want[i].first_reason.empty()) {
      EXPECT_NE(e.reasons.dump().find("released by"), std::string::npos) << e.reasons;
    } else {
      EXPECT_EQ(e.reasons[0], want[i].first_reason) << e.reasons;
    }
  }
  EXPECT_NE(rs[3].entry.reasons.dump().find("signature does not verify"), std::string::npos);
  EXPECT_NE(rs[4].entry.reasons.dump().find("x-ms-sevsnpvm-hostdata"), std::string::npos);

  // Nothing in the whole log is a token or part of one.
  auto all = (*log)->list();
  ASSERT_TRUE(all.ok());
  for (const AuditRecord& rec : *all) {
    const std::string text = rec.to_json().dump();
    for (const std::string& t : {good, forged, mismatch, expired_bearer}) {
      EXPECT_EQ(text.find(split_jws(t)[2]), std::string::npos) << text;
      EXPECT_EQ(text.find(split_jws(t)[1]), std::string::npos) << text;
    }
    EXPECT_EQ(text.find("eyJ"), std::string::npos) << text;
  }
  auto report = (*log)->verify();
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, static_cast<int64_t>(all->size()));
}

}  // namespace
}  // namespace mpcc::keyvault
