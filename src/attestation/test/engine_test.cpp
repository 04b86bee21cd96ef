// AttestationEngine without HTTP: simulated evidence with and without the
// simulated root trusted, the production ACI report, the runtime-data and
// init-time-data bindings, and the token's header and claims.
#include "attestation/engine.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "attestation/test/test_util.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "jose/jwt.h"
#include "platform/test/test_support.h"
#include "snp/report.h"

namespace mpcc::attestation {
namespace {

using nlohmann::json;
using testing::BodyParts;

const std::string kIssuer = "https://attest.example.test:8443";

std::shared_ptr<const jose::IssuerKey> shared_key() {
  static platform::testing::TempDir* dir = new platform::testing::TempDir();
  static std::shared_ptr<const jose::IssuerKey> key = [] {
    auto k = jose::load_or_create_issuer_key(dir->path(), "token-signing", "test");
    if (!k.ok()) throw std::runtime_error(k.status().to_string());
    return std::make_shared<const jose::IssuerKey>(std::move(k).value());
  }();
  return key;
}

AttestationEngine make_engine(std::shared_ptr<const verifier::TrustStore> trust,
                              std::shared_ptr<const Clock> clock = nullptr,
                              bool allow_debug = false, int64_t lifetime = 28800) {
  EngineConfig c;
  c.issuer = kIssuer + "/";  // the trailing slash is dropped
  c.trust = std::move(trust);
  c.clock = std::move(clock);
  c.allow_debug = allow_debug;
  c.token_lifetime_seconds = lifetime;
  return AttestationEngine(std::move(c), shared_key());
}

const std::string kRuntime = R"({"keys":[{"kty":"RSA","e":"AQAB","n":"sXch","kid":"k1"}]})";

BodyParts sim_parts(const std::string& runtime = kRuntime,
                    const platform::sim::LaunchParams& params =
                        platform::testing::test_launch_params()) {
  testing::Evidence e = testing::simulated_evidence(as_span(runtime), params);
  BodyParts p;
  p.snp_report = e.report;
  p.vcek_chain_pem = e.chain_pem;
  p.runtime_data = to_bytes(std::string_view(runtime));
  return p;
}

// Verifies `token` against the engine's JWKS as a relying party would.
StatusOr<jose::VerifiedJwt> verify_token(const AttestationEngine& engine, const std::string& token,
                                         std::shared_ptr<const Clock> clock = nullptr) {
  auto set = jose::JwkSet::from_json(engine.jwks());
  if (!set.ok()) return set.status();
  jose::JwtVerifierOptions o;
  o.allowed_algs = {jose::JwsAlg::kRs256};
  o.issuers = {kIssuer};
  o.clock = std::move(clock);
  return jose::JwtVerifier(jose::key_set_resolver(*set), o).verify(token);
}

TEST(AttestationEngine, SimulatedEvidenceWithTrustedRootGetsAVerifiableToken) {
  AttestationEngine engine = make_engine(testing::trust_with_simulated_root());
  BodyParts p = sim_parts();
  p.nonce = json(uint64_t{18446744073709551615ull});
  auto issued = engine.attest_body(testing::make_body(p).dump());
  ASSERT_TRUE(issued.ok()) << issued.status().to_string();
  EXPECT_TRUE(issued->simulated);

  auto verified = verify_token(engine, issued->token);
  ASSERT_TRUE(verified.ok()) << verified.status().to_string();
  const json& h = verified->header;
  EXPECT_EQ(h.at("alg"), "RS256");
  EXPECT_EQ(h.at("typ"), "JWT");
  EXPECT_EQ(h.at("jku"), kIssuer + "/certs");
  EXPECT_EQ(h.at("kid"), shared_key()->kid);

  const json& c = verified->claims;
  EXPECT_EQ(c, issued->claims);
  auto report = snp::AttestationReport::parse(p.snp_report);
  ASSERT_TRUE(report.ok());
  const auto params = platform::testing::test_launch_params();
  EXPECT_EQ(c.at("iss"), kIssuer);
  EXPECT_EQ(c.at("iat"), c.at("nbf"));
  EXPECT_EQ(c.at("exp").get<int64_t>() - c.at("iat").get<int64_t>(), 28800);
  EXPECT_EQ(c.at("jti").get<std::string>().size(), 64u);
  EXPECT_TRUE(hex_decode(c.at("jti").get<std::string>()).ok());
  EXPECT_EQ(c.at("nonce"), "18446744073709551615");
  EXPECT_EQ(c.at("x-ms-ver"), "1.0");
  EXPECT_EQ(c.at("x-ms-attestation-type"), "sevsnpvm");
  EXPECT_EQ(c.at("x-ms-compliance-status"), "azure-compliant-uvm");
  EXPECT_EQ(c.at("x-ms-policy-hash"), policy_hash(engine.policy_text()));
  EXPECT_EQ(c.at("x-ms-runtime"), json::parse(kRuntime));
  EXPECT_EQ(c.at(kSimulatedClaim), true);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-hostdata"),
            hex_encode(ByteSpan(params.host_data.data(), params.host_data.size())));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-launchmeasurement"),
            hex_encode(ByteSpan(params.measurement.data(), params.measurement.size())));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-reportdata"),
            hex_encode(crypto::sha256(kRuntime)) + std::string(64, '0'));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-reportid"),
            hex_encode(ByteSpan(params.report_id.data(), params.report_id.size())));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-vmpl"), 0);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-guestsvn"), params.guest_svn);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-is-debuggable"), false);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-migration-allowed"), false);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-smt-allowed"), true);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-familyId"), std::string(32, '0'));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-imageId"), std::string(32, '0'));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-idkeydigest"), std::string(96, '0'));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-authorkeydigest"), std::string(96, '0'));
  const snp::TcbParts tcb = report->reported_tcb.parts(snp::Product::kMilan);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-bootloader-svn"), tcb.boot_loader);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-tee-svn"), tcb.tee);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-snpfw-svn"), tcb.snp);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-microcode-svn"), tcb.microcode);
  EXPECT_FALSE(c.contains("x-ms-inittime"));
}

TEST(AttestationEngine, SimulatedEvidenceIsRefusedWhenTheRootIsNotTrusted) {
  AttestationEngine engine = make_engine(nullptr);  // AMD's roots only
  auto issued = engine.attest_body(testing::make_body(sim_parts()).dump());
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(issued.status().message().find("SEV-SNP: ARK is not a trusted root"), std::string::npos)
      << issued.status().message();
}

TEST(AttestationEngine, RuntimeDataNotBoundByReportDataIsRefused) {
  AttestationEngine engine = make_engine(testing::trust_with_simulated_root());
  BodyParts p = sim_parts();
  p.runtime_data = to_bytes(std::string_view(R"({"keys":[]})"));  // not what REPORT_DATA hashes
  auto issued = engine.attest_body(testing::make_body(p).dump());
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(issued.status().message().find("REPORT_DATA does not bind the runtime data"),
            std::string::npos)
      << issued.status().message();
}

TEST(AttestationEngine, ProductionAciReportIsGenuine) {
  auto clock = std::make_shared<FixedClock>(testing::kAciTime);
  AttestationEngine engine = make_engine(testing::trust_with_simulated_root(), clock);
  testing::Evidence e = testing::aci_evidence();
  BodyParts p;
  p.snp_report = e.report;
  p.vcek_chain_pem = e.chain_pem;
  p.runtime_data = to_bytes(std::string_view(testing::kAciRuntimeData));
  auto issued = engine.attest_body(testing::make_body(p).dump());
  ASSERT_TRUE(issued.ok()) << issued.status().to_string();
  EXPECT_FALSE(issued->simulated);
  auto verified = verify_token(engine, issued->token, clock);
  ASSERT_TRUE(verified.ok()) << verified.status().to_string();
  const json& c = verified->claims;
  EXPECT_EQ(c.at(kSimulatedClaim), false);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-hostdata"), testing::kAciHostData);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-launchmeasurement"),
            "51068107cdc7ee3d89c7821b05bca6147eb77b2005ae759050fc049b65a1b0beabc65a9d857acecf2322"
            "5f5ec76849f5");
  EXPECT_EQ(c.at("x-ms-sevsnpvm-reportdata"),
            "ee986ff2bd7e3f22e29f640918627816cf8e23b9d9c312767168eab68c861c71" + std::string(64, '0'));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-idkeydigest"),
            "d3ed82823f890b10087105c472e2957541ede92fda7bbb6bbf8660c411c78fec8128955bc6e0efbb24c0c4a7"
            "81bfee59");
  EXPECT_EQ(c.at("x-ms-sevsnpvm-familyId"), "01000000000000000000000000000000");
  EXPECT_EQ(c.at("x-ms-sevsnpvm-imageId"), "02000000000000000000000000000000");
  EXPECT_EQ(c.at("x-ms-sevsnpvm-guestsvn"), 2);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-vmpl"), 0);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-bootloader-svn"), 3);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-tee-svn"), 0);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-snpfw-svn"), 8);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-microcode-svn"), 115);
  // POLICY 0x3001F: SMT allowed, no migration agent, not debuggable.
  EXPECT_EQ(c.at("x-ms-sevsnpvm-smt-allowed"), true);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-migration-allowed"), false);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-is-debuggable"), false);
  EXPECT_EQ(c.at("x-ms-runtime"), json({{"akey", "avalue"}}));
  EXPECT_EQ(c.at("iat"), testing::kAciTime);
  EXPECT_FALSE(c.contains("nonce"));
}

TEST(AttestationEngine, ProductionAciReportOutsideTheVcekValidityIsRefused) {
  auto clock = std::make_shared<FixedClock>(parse_rfc3339("2031-01-01").value());
  AttestationEngine engine = make_engine(nullptr, clock);
  testing::Evidence e = testing::aci_evidence();
  BodyParts p;
  p.snp_report = e.report;
  p.vcek_chain_pem = e.chain_pem;
  p.runtime_data = to_bytes(std::string_view(testing::kAciRuntimeData));
  auto issued = engine.attest_body(testing::make_body(p).dump());
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(issued.status().message().find("is not valid at"), std::string::npos)
      << issued.status().message();
}

TEST(AttestationEngine, TamperedReportIsRefused) {
  AttestationEngine engine = make_engine(testing::trust_with_simulated_root());
  BodyParts p = sim_parts();
  p.snp_report[snp::offset::kHostData] ^= 0x01;
  auto issued = engine.attest_body(testing::make_body(p).dump());
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(issued.status().message().find("SEV-SNP: report signature does not verify"),
            std::string::npos)
      << issued.status().message();
}

TEST(AttestationEngine, ChainWithoutTheVcekIsMalformedEvidence) {
  AttestationEngine engine = make_engine(testing::trust_with_simulated_root());
  BodyParts p = sim_parts();
  auto chip = platform::testing::shared_test_chip();
  p.vcek_chain_pem = chip->ask().pem() + chip->ark().pem();
  auto issued = engine.attest_body(testing::make_body(p).dump());
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(issued.status().message().find("SEV-SNP: no VCEK certificate given"), std::string::npos)
      << issued.status().message();
}

TEST(AttestationEngine, DebuggableGuestIsRefusedUnlessAllowed) {
  auto params = platform::testing::test_launch_params();
  params.policy |= 1ull << 19;
  BodyParts p = sim_parts(kRuntime, params);
  const std::string body = testing::make_body(p).dump();

  auto refused = make_engine(testing::trust_with_simulated_root()).attest_body(body);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("allows debugging"), std::string::npos)
      << refused.status().message();

  AttestationEngine lenient = make_engine(testing::trust_with_simulated_root(), nullptr, true);
  auto issued = lenient.attest_body(body);
  ASSERT_TRUE(issued.ok()) << issued.status().to_string();
  EXPECT_EQ(issued->claims.at("x-ms-sevsnpvm-is-debuggable"), true);
  // The policy in force differs, and the token says so.
  EXPECT_NE(issued->claims.at("x-ms-policy-hash"),
            policy_hash(make_engine(testing::trust_with_simulated_root()).policy_text()));
}

TEST(AttestationEngine, InitTimeDataMustHashToHostData) {
  const std::string policy_text = "package policy\nallow := true\n";
  auto params = platform::testing::test_launch_params();
  params.host_data = platform::sim::host_data_for_policy(as_span(policy_text));
  BodyParts p = sim_parts(kRuntime, params);
  p.init_time_data = to_bytes(std::string_view(policy_text));
  p.init_time_data_type = "Binary";
  AttestationEngine engine = make_engine(testing::trust_with_simulated_root());
  auto issued = engine.attest_body(testing::make_body(p).dump());
  ASSERT_TRUE(issued.ok()) << issued.status().to_string();
  EXPECT_FALSE(issued->claims.contains("x-ms-inittime"));  // Binary: not a claim

  p.init_time_data = to_bytes(std::string_view("package policy\nallow := false\n"));
  auto refused = engine.attest_body(testing::make_body(p).dump());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("init-time data: SHA-256 of initTimeData"),
            std::string::npos)
      << refused.status().message();
}

TEST(AttestationEngine, JsonInitTimeDataBecomesXMsInittime) {
  const std::string init = R"({"policy":"allow"})";
  auto params = platform::testing::test_launch_params();
  params.host_data = platform::sim::host_data_for_policy(as_span(init));
  BodyParts p = sim_parts(kRuntime, params);
  p.init_time_data = to_bytes(std::string_view(init));
  auto issued = make_engine(testing::trust_with_simulated_root()).attest_body(testing::make_body(p).dump());
  ASSERT_TRUE(issued.ok()) << issued.status().to_string();
  EXPECT_EQ(issued->claims.at("x-ms-inittime"), json::parse(init));
}

TEST(AttestationEngine, BinaryRuntimeDataIsBoundButNotAClaim) {
  const std::string runtime = std::string("\x00\x01\xfe\xff binary", 11);
  BodyParts p = sim_parts(runtime);
  p.data_type = "Binary";
  auto issued = make_engine(testing::trust_with_simulated_root()).attest_body(testing::make_body(p).dump());
  ASSERT_TRUE(issued.ok()) << issued.status().to_string();
  EXPECT_FALSE(issued->claims.contains("x-ms-runtime"));
  EXPECT_EQ(issued->claims.at("x-ms-sevsnpvm-reportdata"),
            hex_encode(crypto::sha256(runtime)) + std::string(64, '0'));
}

TEST(AttestationEngine, TokenLifetimeIsConfigurable) {
  AttestationEngine engine = make_engine(testing::trust_with_simulated_root(), nullptr, false, 600);
  auto issued = engine.attest_body(testing::make_body(sim_parts()).dump());
  ASSERT_TRUE(issued.ok()) << issued.status().to_string();
  EXPECT_EQ(issued->claims.at("exp").get<int64_t>() - issued->claims.at("iat").get<int64_t>(), 600);
}

TEST(AttestationEngine, EachTokenHasItsOwnJti) {
  AttestationEngine engine = make_engine(testing::trust_with_simulated_root());
  const std::string body = testing::make_body(sim_parts()).dump();
  auto a = engine.attest_body(body);
  auto b = engine.attest_body(body);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->claims.at("jti"), b->claims.at("jti"));
}

TEST(AttestationEngine, MalformedBodyIsInvalidArgument) {
  AttestationEngine engine = make_engine(nullptr);
  auto r = engine.attest_body("nope");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(AttestationEngine, PolicyHashFollowsMaasFormula) {
  // b64url(SHA-256(b64url(text))): "abc" -> b64url "YWJj".
  EXPECT_EQ(policy_hash("abc"), crypto::base64url_encode(crypto::sha256(std::string_view("YWJj"))));
  AttestationEngine amd_only = make_engine(nullptr);
  AttestationEngine with_sim = make_engine(testing::trust_with_simulated_root());
  EXPECT_NE(amd_only.policy_text(), with_sim.policy_text());  // the configured root is part of it
  EXPECT_NE(with_sim.policy_text().find(hex_encode(testing::simulated_ark().sha256_fingerprint())),
            std::string::npos);
}

TEST(AttestationEngine, OpenIdConfigurationAndJwks) {
  AttestationEngine engine = make_engine(nullptr);
  json oidc = engine.openid_configuration();
  EXPECT_EQ(oidc.at("issuer"), kIssuer);
  EXPECT_EQ(oidc.at("jwks_uri"), kIssuer + "/certs");
  EXPECT_EQ(oidc.at("id_token_signing_alg_values_supported"), json::array({"RS256"}));
  EXPECT_EQ(oidc.at("response_types_supported"), json::array({"token", "none"}));
  EXPECT_EQ(oidc.at("revocation_endpoint"), kIssuer + "/revoke");
  const json& claims = oidc.at("claims_supported");
  for (const char* name : {"x-ms-sevsnpvm-hostdata", "x-ms-runtime", "nonce", kSimulatedClaim}) {
    EXPECT_NE(std::find(claims.begin(), claims.end(), name), claims.end()) << name;
  }
  json jwks = engine.jwks();
  ASSERT_EQ(jwks.at("keys").size(), 1u);
  const json& k = jwks.at("keys")[0];
  EXPECT_EQ(k.at("kid"), shared_key()->kid);
  EXPECT_EQ(k.at("kty"), "RSA");
  EXPECT_EQ(k.at("use"), "sig");
  EXPECT_EQ(k.at("alg"), "RS256");
  EXPECT_FALSE(k.contains("d"));
}

TEST(AttestationEngine, EmptyIssuerIsABug) {
  EngineConfig c;
  EXPECT_THROW(AttestationEngine(c, shared_key()), std::logic_error);
  c.issuer = kIssuer;
  c.token_lifetime_seconds = 0;
  EXPECT_THROW(AttestationEngine(c, shared_key()), std::logic_error);
}

}  // namespace
}  // namespace mpcc::attestation
