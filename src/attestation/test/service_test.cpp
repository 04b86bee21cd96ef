// AttestationService in process over TLS (127.0.0.1, ephemeral port, a local
// CA): the relying party's path (openid-configuration -> jwks_uri -> verify),
// refusals as JSON naming the failed check or field, both path spellings and
// api-versions, /certs contents, and a signing key that survives a restart.
#include "attestation/service.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <utility>

#include "attestation/test/test_util.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "http/client.h"
#include "http/tls.h"
#include "jose/jwt.h"
#include "platform/test/test_support.h"

namespace mpcc::attestation {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::BodyParts;

const std::string kRuntime = R"({"keys":[{"kty":"RSA","e":"AQAB","n":"sXch","kid":"k1"}]})";
const std::string kAttestPath = "/attest/SevSnpVm?api-version=2022-08-01";

// One local CA and server certificate per test process.
struct Tls {
  platform::testing::TempDir dir;
  http::LocalCaFiles ca;
  http::TlsFiles server;
};

const Tls& tls() {
  static Tls* t = [] {
    auto* x = new Tls();
    auto ca = http::ensure_local_ca(x->dir.path() / "ca");
    if (!ca.ok()) throw std::runtime_error(ca.status().to_string());
    x->ca = *ca;
    auto server = http::ensure_server_certificate(*ca, x->dir.path() / "tls", "attestation",
                                                  {"localhost"}, {"127.0.0.1"});
    if (!server.ok()) throw std::runtime_error(server.status().to_string());
    x->server = *server;
    return x;
  }();
  return *t;
}

http::Client client() {
  http::ClientOptions o;
  o.ca_cert_path = tls().ca.ca_cert.string();
  return http::Client(o);
}

class Running {
 public:
  explicit Running(std::shared_ptr<const verifier::TrustStore> trust,
                   std::shared_ptr<const Clock> clock = nullptr, fs::path state_dir = {}) {
    ServiceConfig c;
    c.state_dir = state_dir.empty() ? tmp_.path() / "state" : state_dir;
    c.server.host = "127.0.0.1";
    c.server.port = 0;
    c.server.tls = tls().server;
    c.trust = std::move(trust);
    c.clock = std::move(clock);
    auto s = AttestationService::create(std::move(c));
    if (!s.ok()) throw std::runtime_error(s.status().to_string());
    service_ = std::move(s).value();
    Status started = service_->start();
    if (!started.ok()) throw std::runtime_error(started.to_string());
  }
  AttestationService& operator*() { return *service_; }
  AttestationService* operator->() { return service_.get(); }
  std::string url(const std::string& path) const { return service_->base_url() + path; }

 private:
  platform::testing::TempDir tmp_;
  std::unique_ptr<AttestationService> service_;
};

BodyParts sim_parts(const std::string& runtime = kRuntime) {
  testing::Evidence e = testing::simulated_evidence(as_span(runtime));
  BodyParts p;
  p.snp_report = e.report;
  p.vcek_chain_pem = e.chain_pem;
  p.runtime_data = to_bytes(std::string_view(runtime));
  return p;
}

http::ClientResponse post(const std::string& url, const json& body) {
  auto r = client().post_json(url, body);
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  return *r;
}

http::ClientResponse get(const std::string& url) {
  auto r = client().get(url);
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  return *r;
}

// Asserts an error response: status, error.code, and a message substring.
void expect_error(const http::ClientResponse& r, int status, const std::string& code,
                  const std::string& substring) {
  EXPECT_EQ(r.status, status) << r.body;
  auto j = r.json();
  ASSERT_TRUE(j.ok()) << r.body;
  ASSERT_TRUE(j->contains("error")) << r.body;
  EXPECT_EQ(j->at("error").value("code", ""), code) << r.body;
  EXPECT_NE(j->at("error").value("message", "").find(substring), std::string::npos)
      << "body: " << r.body << "\nexpected: " << substring;
}

// The relying party's recipe (spec 8.5): issuer's openid-configuration ->
// jwks_uri -> the key named by the token's kid -> RS256 signature, iss, times.
StatusOr<jose::VerifiedJwt> verify_like_a_relying_party(const std::string& base_url,
                                                        const std::string& token,
                                                        std::shared_ptr<const Clock> clock,
                                                        json* jwks_out = nullptr) {
  http::ClientResponse oidc = get(base_url + "/.well-known/openid-configuration");
  if (oidc.status != 200) return internal_error("openid-configuration: " + oidc.body);
  MPCC_ASSIGN_OR_RETURN(json meta, oidc.json());
  http::ClientResponse certs = get(meta.at("jwks_uri").get<std::string>());
  if (certs.status != 200) return internal_error("certs: " + certs.body);
  MPCC_ASSIGN_OR_RETURN(json jwks, certs.json());
  if (jwks_out) *jwks_out = jwks;
  MPCC_ASSIGN_OR_RETURN(jose::JwkSet set, jose::JwkSet::from_json(jwks));
  jose::JwtVerifierOptions o;
  o.allowed_algs = {jose::JwsAlg::kRs256};
  o.issuers = {meta.at("issuer").get<std::string>()};
  o.clock = std::move(clock);
  return jose::JwtVerifier(jose::key_set_resolver(set), o).verify(token);
}

TEST(AttestationService, SimulatedEvidenceOverTlsVerifiesAgainstThePublishedJwks) {
  Running svc(testing::trust_with_simulated_root());
  EXPECT_EQ(svc->issuer(), svc->base_url());
  EXPECT_EQ(svc->base_url().rfind("https://127.0.0.1:", 0), 0u) << svc->base_url();

  BodyParts p = sim_parts();
  p.nonce = json(uint64_t{7394904505194784658ull});
  http::ClientResponse r = post(svc.url(kAttestPath), testing::make_body(p));
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = r.json();
  ASSERT_TRUE(body.ok());
  const std::string token = body->at("token").get<std::string>();

  auto verified = verify_like_a_relying_party(svc->base_url(), token, nullptr);
  ASSERT_TRUE(verified.ok()) << verified.status().to_string();
  const json& h = verified->header;
  EXPECT_EQ(h.at("alg"), "RS256");
  EXPECT_EQ(h.at("typ"), "JWT");
  EXPECT_EQ(h.at("jku"), svc->base_url() + "/certs");
  const json& c = verified->claims;
  const auto params = platform::testing::test_launch_params();
  EXPECT_EQ(c.at("iss"), svc->base_url());
  EXPECT_EQ(c.at("exp").get<int64_t>() - c.at("iat").get<int64_t>(), 28800);
  EXPECT_EQ(c.at("nonce"), "7394904505194784658");
  EXPECT_EQ(c.at("x-ms-attestation-type"), "sevsnpvm");
  EXPECT_EQ(c.at("x-ms-runtime"), json::parse(kRuntime));
  EXPECT_EQ(c.at(kSimulatedClaim), true);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-hostdata"),
            hex_encode(ByteSpan(params.host_data.data(), params.host_data.size())));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-launchmeasurement"),
            hex_encode(ByteSpan(params.measurement.data(), params.measurement.size())));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-reportdata"),
            hex_encode(crypto::sha256(kRuntime)) + std::string(64, '0'));
  EXPECT_EQ(c.at("x-ms-sevsnpvm-vmpl"), params.vmpl);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-is-debuggable"), false);
  const snp::TcbParts tcb = platform::testing::shared_test_chip()->tcb().parts(snp::Product::kMilan);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-bootloader-svn"), tcb.boot_loader);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-tee-svn"), tcb.tee);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-snpfw-svn"), tcb.snp);
  EXPECT_EQ(c.at("x-ms-sevsnpvm-microcode-svn"), tcb.microcode);
}

TEST(AttestationService, SimulatedEvidenceWithoutTheSimulatedRootIsRefused) {
  Running svc(nullptr);
  http::ClientResponse r = post(svc.url(kAttestPath), testing::make_body(sim_parts()));
  expect_error(r, 403, "AttestationFailure", "SEV-SNP: ARK is not a trusted root");
}

TEST(AttestationService, RuntimeDataNotBoundIsRefused) {
  Running svc(testing::trust_with_simulated_root());
  BodyParts p = sim_parts();
  p.runtime_data = to_bytes(std::string_view(R"({"keys":[{"kty":"RSA","n":"other"}]})"));
  http::ClientResponse r = post(svc.url(kAttestPath), testing::make_body(p));
  expect_error(r, 403, "AttestationFailure", "REPORT_DATA does not bind the runtime data");
}

TEST(AttestationService, MalformedRequestsAreBadRequestsNamingTheField) {
  Running svc(testing::trust_with_simulated_root());
  const json good = testing::make_body(sim_parts());

  auto raw = client().request("POST", svc.url(kAttestPath), "{not json", "application/json");
  ASSERT_TRUE(raw.ok()) << raw.status().to_string();
  expect_error(*raw, 400, "InvalidParameter", "request body is not JSON");

  json b = good;
  b.erase("report");
  expect_error(post(svc.url(kAttestPath), b), 400, "InvalidParameter", "report: is required");

  b = good;
  b["report"] = "***";
  expect_error(post(svc.url(kAttestPath), b), 400, "InvalidParameter",
               "report: is not base64url or base64");

  BodyParts p = sim_parts();
  p.snp_report.resize(1000);
  expect_error(post(svc.url(kAttestPath), testing::make_body(p)), 400, "InvalidParameter",
               "report.SnpReport: decodes to 1000 bytes");

  p = sim_parts();
  p.vcek_chain_pem = "garbage";
  expect_error(post(svc.url(kAttestPath), testing::make_body(p)), 400, "InvalidParameter",
               "report.VcekCertChain: is not a PEM certificate chain");

  b = good;
  b["runtimeData"]["dataType"] = "Yaml";
  expect_error(post(svc.url(kAttestPath), b), 400, "InvalidParameter",
               "runtimeData.dataType: must be JSON or Binary, got 'Yaml'");

  expect_error(post(svc.url("/attest/SevSnpVm?api-version=2018-09-01-preview"), good), 400,
               "InvalidParameter", "api-version: '2018-09-01-preview' is not supported");
  expect_error(post(svc.url("/attest/SevSnpVm"), good), 400, "InvalidParameter",
               "api-version: the query parameter is required");
  expect_error(post(svc.url("/attest/SgxEnclave?api-version=2022-08-01"), good), 400,
               "InvalidParameter", "attestation type 'SgxEnclave' is not supported");
}

TEST(AttestationService, ProductionAciReportIsGenuine) {
  auto clock = std::make_shared<FixedClock>(testing::kAciTime);
  Running svc(testing::trust_with_simulated_root(), clock);
  testing::Evidence e = testing::aci_evidence();
  BodyParts p;
  p.snp_report = e.report;
  p.vcek_chain_pem = e.chain_pem;
  p.runtime_data = to_bytes(std::string_view(testing::kAciRuntimeData));
  // The sidecar's spelling and api-version.
  http::ClientResponse r =
      post(svc.url("/attest/SevSnpVM?api-version=2020-10-01"), testing::make_body(p));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string token = r.json()->at("token").get<std::string>();
  auto verified = verify_like_a_relying_party(svc->base_url(), token, clock);
  ASSERT_TRUE(verified.ok()) << verified.status().to_string();
  EXPECT_EQ(verified->claims.at(kSimulatedClaim), false);
  EXPECT_EQ(verified->claims.at("x-ms-sevsnpvm-hostdata"), testing::kAciHostData);
  EXPECT_EQ(verified->claims.at("x-ms-runtime"), json({{"akey", "avalue"}}));
}

TEST(AttestationService, BothPathSpellingsAndBothApiVersions) {
  Running svc(testing::trust_with_simulated_root());
  const json body = testing::make_body(sim_parts());
  for (const char* type : {"SevSnpVm", "SevSnpVM"}) {
    for (const char* version : {kApiVersion2020, kApiVersion2022}) {
      const std::string path = std::string("/attest/") + type + "?api-version=" + version;
      http::ClientResponse r = post(svc.url(path), body);
      EXPECT_EQ(r.status, 200) << path << ": " << r.body;
      EXPECT_TRUE(r.json().ok() && r.json()->contains("token")) << path;
    }
  }
}

TEST(AttestationService, CertsEntriesCarryKidKtyAndX5cMatchingNAndE) {
  Running svc(nullptr);
  http::ClientResponse r = get(svc.url("/certs"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto jwks = r.json();
  ASSERT_TRUE(jwks.ok());
  ASSERT_EQ(jwks->at("keys").size(), 1u);
  for (const json& k : jwks->at("keys")) {
    EXPECT_TRUE(k.contains("kid"));
    EXPECT_EQ(k.at("kty"), "RSA");
    EXPECT_EQ(k.at("use"), "sig");
    EXPECT_EQ(k.at("alg"), "RS256");
    ASSERT_EQ(k.at("x5c").size(), 1u);
    auto der = crypto::base64_decode(k.at("x5c")[0].get<std::string>());
    ASSERT_TRUE(der.ok());
    auto cert = crypto::Certificate::from_der(*der);
    ASSERT_TRUE(cert.ok());
    auto rsa = cert->public_key().rsa();
    ASSERT_TRUE(rsa.ok());
    EXPECT_EQ(k.at("n"), crypto::base64url_encode(rsa->n));
    EXPECT_EQ(k.at("e"), crypto::base64url_encode(rsa->e));
    EXPECT_FALSE(k.contains("d"));
  }
  EXPECT_TRUE(jose::JwkSet::from_json(*jwks).ok());
}

TEST(AttestationService, OpenIdConfigurationHealthAndUnknownPaths) {
  Running svc(nullptr);
  http::ClientResponse r = get(svc.url("/.well-known/openid-configuration"));
  ASSERT_EQ(r.status, 200) << r.body;
  json meta = *r.json();
  EXPECT_EQ(meta.at("issuer"), svc->base_url());
  EXPECT_EQ(meta.at("jwks_uri"), svc->base_url() + "/certs");
  EXPECT_EQ(meta.at("id_token_signing_alg_values_supported"), json::array({"RS256"}));
  EXPECT_TRUE(meta.at("claims_supported").is_array());
  EXPECT_TRUE(meta.contains("response_types_supported"));
  EXPECT_TRUE(meta.contains("revocation_endpoint"));

  http::ClientResponse health = get(svc.url("/health"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json()->at("status"), "ok");
  EXPECT_EQ(get(svc.url("/nope")).status, 404);
  EXPECT_EQ(get(svc.url(kAttestPath)).status, 405);
}

TEST(AttestationService, SigningKeyPersistsAcrossARestart) {
  platform::testing::TempDir state;
  std::string kid_before;
  {
    Running svc(nullptr, nullptr, state.path());
    http::ClientResponse r = get(svc.url("/certs"));
    ASSERT_EQ(r.status, 200);
    kid_before = r.json()->at("keys")[0].at("kid").get<std::string>();
  }
  EXPECT_EQ(fs::status(state.path() / "token-signing.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(fs::exists(state.path() / "token-signing.pem"));
  Running again(nullptr, nullptr, state.path());
  http::ClientResponse r = get(again.url("/certs"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()->at("keys")[0].at("kid").get<std::string>(), kid_before);
}

TEST(AttestationService, DamagedSigningKeyFilesAreRefused) {
  platform::testing::TempDir a, b;
  ServiceConfig c;
  c.allow_insecure_http = true;
  c.state_dir = a.path();
  ASSERT_TRUE(AttestationService::create(c).ok());
  c.state_dir = b.path();
  ASSERT_TRUE(AttestationService::create(c).ok());
  // a's key with b's certificate.
  fs::copy_file(b.path() / "token-signing.pem", a.path() / "token-signing.pem",
                fs::copy_options::overwrite_existing);
  c.state_dir = a.path();
  auto r = AttestationService::create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
}

TEST(AttestationService, ConfiguredIssuerIsUsedForIssAndJku) {
  platform::testing::TempDir tmp;
  ServiceConfig c;
  c.state_dir = tmp.path();
  c.server.tls = tls().server;
  c.issuer = "https://maa.mpcc.test";
  c.trust = testing::trust_with_simulated_root();
  auto svc = AttestationService::create(std::move(c));
  ASSERT_TRUE(svc.ok()) << svc.status().to_string();
  // Handlers work before start() when the issuer is configured.
  http::Request req;
  req.method = http::Method::kPost;
  req.path_params = {"SevSnpVm"};
  req.query.emplace("api-version", kApiVersion2022);
  req.body = testing::make_body(sim_parts()).dump();
  http::Response resp = (*svc)->handle_attest(req);
  ASSERT_EQ(resp.status, 200) << resp.body;
  auto token = jose::jws_parse(json::parse(resp.body).at("token").get<std::string>());
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->header.at("jku"), "https://maa.mpcc.test/certs");
  EXPECT_EQ(json::parse(token->payload).at("iss"), "https://maa.mpcc.test");
}

TEST(AttestationService, PlainHttpOnlyWhenExplicitlyAllowed) {
  platform::testing::TempDir tmp;
  ServiceConfig c;
  c.state_dir = tmp.path();
  auto refused = AttestationService::create(c);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("TLS"), std::string::npos);

  c.allow_insecure_http = true;
  auto svc = AttestationService::create(c);
  ASSERT_TRUE(svc.ok()) << svc.status().to_string();
  ASSERT_TRUE((*svc)->start().ok());
  EXPECT_EQ((*svc)->base_url().rfind("http://127.0.0.1:", 0), 0u);
  auto r = http::Client().get((*svc)->base_url() + "/health");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->status, 200);
}

// Runs `cmd`, returning its exit status and stdout.
std::pair<int, std::string> run_command(const std::string& cmd) {
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return {-1, out};
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// The npm `jose` package as the relying party (maa_interop.mjs). Skipped when
// node or the package is not installed (scripts/deps installs it).
TEST(AttestationService, TokenVerifiesWithNpmJose) {
  if (run_command("node --version >/dev/null 2>&1").first != 0) GTEST_SKIP() << "node not found";
  Running svc(testing::trust_with_simulated_root());
  BodyParts p = sim_parts();
  p.nonce = json("interop");
  http::ClientResponse r = post(svc.url(kAttestPath), testing::make_body(p));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string token = r.json()->at("token").get<std::string>();
  const std::string script = std::string(MPCC_SOURCE_DIR) + "/src/attestation/test/maa_interop.mjs";
  auto [code, out] = run_command("NODE_EXTRA_CA_CERTS='" + tls().ca.ca_cert.string() + "' node '" +
                                 script + "' '" + svc->base_url() + "' '" + token + "'");
  if (code == 3) GTEST_SKIP() << "the npm package jose is not installed";
  ASSERT_EQ(code, 0) << out;
  json result = json::parse(out);
  EXPECT_EQ(result.at("header").at("kid"), jose::jws_parse(token)->kid().value());
  EXPECT_EQ(result.at("claims").at("nonce"), "interop");
  EXPECT_EQ(result.at("claims").at(kSimulatedClaim), true);
  EXPECT_EQ(result.at("claims").at("x-ms-runtime"), json::parse(kRuntime));
}

TEST(AttestationService, ConfigurationErrors) {
  ServiceConfig c;
  c.allow_insecure_http = true;
  EXPECT_EQ(AttestationService::create(c).status().code(), StatusCode::kInvalidArgument);
  platform::testing::TempDir tmp;
  c.state_dir = tmp.path();
  c.token_lifetime_seconds = 0;
  EXPECT_EQ(AttestationService::create(c).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mpcc::attestation
