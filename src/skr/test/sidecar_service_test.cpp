// The sidecar over HTTP against real upstreams in this process (skr_test_env.h):
// key release end to end, /attest/maa, /attest/raw, /attest/combined, /status,
// request refusals, the group token, the endpoint allowlist, a container
// without a TEE, refusals by the vault's release policy and access policy,
// identity failures, and SidecarClient against a running sidecar.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/rsa_oaep.h"
#include "crypto/x509.h"
#include "http/client.h"
#include "jose/jws.h"
#include "skr/sidecar_client.h"
#include "skr/test/skr_test_env.h"
#include "snp/report.h"

namespace mpcc::skr {
namespace {

using nlohmann::json;
using test_env::RunningSidecar;
using test_env::SkrTestEnv;

struct Answer {
  int status = 0;
  json body;  // null when not JSON
  std::string raw;
  std::string describe() const { return std::to_string(status) + " " + raw; }
};

std::string b64(const std::string& s) { return crypto::base64_encode(as_span(s)); }

class SidecarServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      env_ = new SkrTestEnv();
      confidential_ = env_->start_sidecar(env_->sidecar_config()).release();
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete confidential_;
    delete env_;
  }
  void SetUp() override {
    ASSERT_NE(confidential_, nullptr) << "environment setup failed: " << error_;
  }

  static SkrTestEnv& env() { return *env_; }

  // POST `path` to a sidecar; with the group token unless told otherwise.
  static Answer post(const std::string& url, const std::string& path, const std::string& body,
                     std::optional<std::string> token = test_env::kGroupToken) {
    http::ClientOptions o;
    o.read_timeout_ms = 60000;
    http::Headers headers;
    if (token) headers.emplace_back(kGroupTokenHeader, *token);
    auto r = http::Client(o).request("POST", url + path, body, "application/json", headers);
    if (!r.ok()) throw std::runtime_error(r.status().to_string());
    Answer a;
    a.status = r->status;
    a.raw = r->body;
    a.body = json::parse(r->body, nullptr, false);
    if (a.body.is_discarded()) a.body = nullptr;
    return a;
  }
  static Answer post(const std::string& path, const json& body) {
    return post(confidential_->url, path, body.dump());
  }

  static json release_body(const std::string& kid = test_env::kContosoKey) {
    return {{"maa_endpoint", env().maa_endpoint()},
            {"akv_endpoint", env().akv_endpoint()},
            {"kid", kid}};
  }

  static void expect_error(const Answer& a, int status, const std::string& step,
                           const std::string& mentions) {
    EXPECT_EQ(a.status, status) << a.describe();
    EXPECT_EQ(a.body["step"], step) << a.describe();
    ASSERT_TRUE(a.body["error"].is_string()) << a.describe();
    EXPECT_NE(a.body["error"].get<std::string>().find(mentions), std::string::npos) << a.describe();
  }

  static inline SkrTestEnv* env_ = nullptr;
  static inline RunningSidecar* confidential_ = nullptr;
  static inline std::string error_;
};

TEST_F(SidecarServiceTest, StatusAnswersWithoutTheGroupToken) {
  http::Client client;
  auto r = client.get(confidential_->url + "/status");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body), (json{{"message", "Status OK"}}));
}

TEST_F(SidecarServiceTest, KeyReleaseGivesTheVaultsPrivateKey) {
  const Answer a = post("/key/release", release_body());
  ASSERT_EQ(a.status, 200) << a.describe();
  ASSERT_TRUE(a.body["key"].is_string()) << "the JWK is a JSON string, as the Microsoft sidecar's";
  auto jwk = parse_released_key(a.raw);
  ASSERT_TRUE(jwk.ok()) << jwk.status().to_string();
  ASSERT_TRUE(jwk->is_private());

  const json bundle = env().get_key(test_env::kContosoKey);
  EXPECT_EQ(jwk->kid(), bundle["key"]["kid"]);
  EXPECT_EQ(crypto::base64url_encode(jwk->n()), bundle["key"]["n"]);
  EXPECT_EQ(crypto::base64url_encode(jwk->e()), bundle["key"]["e"]);
  EXPECT_EQ(json(jwk->key_ops()), bundle["key"]["key_ops"]);

  // It decrypts what was encrypted to the vault key's public part.
  json vault_jwk = bundle["key"];
  vault_jwk["kty"] = "RSA";  // RSA-HSM: the same members
  auto vault_public = jose::Jwk::from_json(vault_jwk)->to_public_key();
  ASSERT_TRUE(vault_public.ok());
  const std::string secret = "contoso's record key";
  auto ct = crypto::rsa_oaep_encrypt(*vault_public, crypto::HashAlg::kSha256, as_span(secret));
  ASSERT_TRUE(ct.ok());
  auto pt = crypto::rsa_oaep_decrypt(*jwk->to_private_key(), crypto::HashAlg::kSha256, *ct);
  ASSERT_TRUE(pt.ok()) << pt.status().to_string();
  EXPECT_EQ(std::string(pt->begin(), pt->end()), secret);

  // name/version works too.
  const std::string kid = bundle["key"]["kid"].get<std::string>();
  const std::string version = kid.substr(kid.rfind('/') + 1);
  const Answer versioned =
      post("/key/release", release_body(std::string(test_env::kContosoKey) + "/" + version));
  EXPECT_EQ(versioned.status, 200) << versioned.describe();
}

TEST_F(SidecarServiceTest, AttestMaaTokenCarriesTheRuntimeDataAndHostData) {
  const json runtime = {{"nonce", "1234"}, {"keys", json::array()}};
  const Answer a = post("/attest/maa", {{"maa_endpoint", env().maa_endpoint()},
                                        {"runtime_data", b64(runtime.dump())}});
  ASSERT_EQ(a.status, 200) << a.describe();
  auto jws = jose::jws_parse(a.body["token"].get<std::string>());
  ASSERT_TRUE(jws.ok()) << jws.status().to_string();
  const json claims = json::parse(jws->payload.begin(), jws->payload.end());
  EXPECT_EQ(claims["x-ms-runtime"], runtime);
  EXPECT_EQ(claims["x-ms-sevsnpvm-hostdata"], env().host_data_hex());
  EXPECT_EQ(claims["x-ms-attestation-type"], "sevsnpvm");
  EXPECT_EQ(claims["x-ms-sevsnpvm-is-debuggable"], false);
  EXPECT_EQ(claims["x-ms-sevsnpvm-reportdata"],
            hex_encode(crypto::sha256(runtime.dump())) + std::string(64, '0'));
  EXPECT_EQ(claims["iss"], "https://" + env().maa_endpoint());
}

TEST_F(SidecarServiceTest, AttestRawReportBindsTheRuntimeData) {
  const std::string runtime = "any bytes, not necessarily JSON";
  const Answer a = post("/attest/raw", {{"runtime_data", b64(runtime)}});
  ASSERT_EQ(a.status, 200) << a.describe();
  const std::string hex = a.body["report"].get<std::string>();
  EXPECT_EQ(hex.size(), 2368u);
  auto report = snp::AttestationReport::parse(*hex_decode(hex));
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  const Bytes digest = crypto::sha256(runtime);
  EXPECT_TRUE(std::equal(digest.begin(), digest.end(), report->report_data.begin()));
  EXPECT_TRUE(std::all_of(report->report_data.begin() + 32, report->report_data.end(),
                          [](uint8_t b) { return b == 0; }));
  EXPECT_EQ(hex_encode(report->host_data), env().host_data_hex());
}

TEST_F(SidecarServiceTest, AttestCombinedFields) {
  const Answer a = post("/attest/combined", {{"runtime_data", b64("{}")}});
  ASSERT_EQ(a.status, 200) << a.describe();
  EXPECT_EQ(a.body["endorsed_tcb"], env().chip().tcb().tcbm());
  auto evidence = crypto::base64_decode(a.body["evidence"].get<std::string>());
  ASSERT_TRUE(evidence.ok());
  EXPECT_EQ(evidence->size(), snp::kReportSize);
  auto pem = crypto::base64_decode(a.body["endorsements"].get<std::string>());
  ASSERT_TRUE(pem.ok());
  auto chain = crypto::Certificate::from_pem_bundle(to_string(*pem));
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0].der(), env().chip().vcek().der());
  EXPECT_EQ((*chain)[2].der(), env().chip().ark().der());
  EXPECT_EQ(a.body["uvm_endorsements"],
            crypto::base64_encode(as_span(std::string("COSE_Sign1 UVM endorsement (test)"))));
}

TEST_F(SidecarServiceTest, MalformedRequestsAre400NamingTheField) {
  const std::string url = confidential_->url;
  expect_error(post(url, "/attest/raw", "{nope"), 400, "request", "request body is not JSON");
  expect_error(post(url, "/attest/raw", "{}"), 400, "request", "runtime_data: missing");
  expect_error(post("/attest/raw", {{"runtime_data", "@@@"}}), 400, "request",
               "runtime_data: not standard base64");
  expect_error(post("/attest/maa", {{"runtime_data", b64("{}")}}), 400, "request",
               "maa_endpoint: missing");
  expect_error(post("/attest/maa", {{"maa_endpoint", "https://" + env().maa_endpoint()},
                                    {"runtime_data", b64("{}")}}),
               400, "request", "maa_endpoint: ");
  json no_kid = release_body();
  no_kid.erase("kid");
  expect_error(post("/key/release", no_kid), 400, "request", "kid: missing");
  json path_in_endpoint = release_body();
  path_in_endpoint["akv_endpoint"] = env().akv_endpoint() + "/keys";
  expect_error(post("/key/release", path_in_endpoint), 400, "request", "akv_endpoint: ");
  expect_error(post("/key/release", release_body("../secrets/x")), 400, "request", "kid: ");
}

TEST_F(SidecarServiceTest, GroupTokenIsRequiredBeforeAnyWork) {
  const json to_tripwire = {{"maa_endpoint", env().tripwire_endpoint()},
                            {"akv_endpoint", env().tripwire_endpoint()},
                            {"kid", "k"}};
  const int before = env().tripwire_hits();
  for (std::optional<std::string> token :
       {std::optional<std::string>(), std::optional<std::string>("wrong-token"),
        std::optional<std::string>("")}) {
    for (const char* path : {"/key/release", "/attest/maa", "/attest/raw", "/attest/combined"}) {
      json body = to_tripwire;
      body["runtime_data"] = b64("{}");
      const Answer a = post(confidential_->url, path, body.dump(), token);
      EXPECT_EQ(a.status, 403) << path << " " << a.describe();
      EXPECT_EQ(a.body, (json{{"error", "caller is not a member of this container group"},
                              {"step", "request"}}));
    }
  }
  EXPECT_EQ(env().tripwire_hits(), before) << "a refused caller caused an upstream call";

  // With the token, the same request reaches the (tripwire) attestation service.
  const Answer a = post("/key/release", to_tripwire);
  EXPECT_EQ(env().tripwire_hits(), before + 1);
  expect_error(a, 403, "attest", "answered HTTP 404: tripwire");
  EXPECT_EQ(a.body["upstream_status"], 404);
  EXPECT_EQ(a.body["detail"]["error"]["message"], "tripwire");
}

TEST_F(SidecarServiceTest, EndpointsOutsideTheAllowlistAreRefused) {
  json release = release_body();
  release["akv_endpoint"] = "127.0.0.1:1";
  expect_error(post("/key/release", release), 403, "request",
               "endpoint '127.0.0.1:1' is not allowed by this sidecar's configuration");
  release = release_body();
  release["maa_endpoint"] = "sharedeus.eus.attest.azure.net";
  expect_error(post("/key/release", release), 403, "request",
               "endpoint 'sharedeus.eus.attest.azure.net:443' is not allowed");
  expect_error(post("/attest/maa", {{"maa_endpoint", "localhost:9"}, {"runtime_data", b64("{}")}}),
               403, "request", "is not allowed");
}

TEST_F(SidecarServiceTest, AContainerWithoutATeeCannotAttestOrRelease) {
  auto snooper = env().start_sidecar(env().standard_config());
  http::Client client;
  EXPECT_EQ(client.get(snooper->url + "/status")->status, 200);
  const auto check = [&](const std::string& path, const json& body) {
    const Answer a = post(snooper->url, path, body.dump(), std::nullopt);
    expect_error(a, 500, "device", "not running in a TEE");
    EXPECT_NE(a.raw.find("no SEV-SNP guest device"), std::string::npos) << a.raw;
  };
  check("/attest/raw", {{"runtime_data", b64("x")}});
  check("/attest/combined", {{"runtime_data", b64("x")}});
  check("/attest/maa", {{"maa_endpoint", env().maa_endpoint()}, {"runtime_data", b64("{}")}});
  check("/key/release", release_body());
}

TEST_F(SidecarServiceTest, ReleasePolicyRefusalCarriesTheVaultsReason) {
  const Answer a = post("/key/release", release_body(test_env::kOtherHostKey));
  expect_error(a, 403, "release", "answered HTTP 403");
  EXPECT_EQ(a.body["upstream_status"], 403);
  const json& inner = a.body["detail"]["error"]["innererror"];
  EXPECT_EQ(inner["layer"], "release_policy") << a.describe();
  bool hostdata_clause = false;
  for (const json& clause : inner["evaluation"]["failedClauses"]) {
    if (clause["claim"] == "x-ms-sevsnpvm-hostdata") {
      hostdata_clause = true;
      EXPECT_EQ(clause["expected"], test_env::kOtherHostData);
      EXPECT_EQ(clause["actual"], env().host_data_hex());
    }
  }
  EXPECT_TRUE(hostdata_clause) << a.describe();
}

TEST_F(SidecarServiceTest, AnIdentityWithoutAccessIsRefusedByTheAccessPolicy) {
  SidecarConfig config = env().sidecar_config();
  config.identity_credential = to_secure(as_span(env().fabrikam_credential()));
  auto fabrikam = env().start_sidecar(std::move(config));
  const Answer a = post(fabrikam->url, "/key/release", release_body().dump());
  expect_error(a, 403, "release", "answered HTTP 403");
  EXPECT_EQ(a.body["detail"]["error"]["innererror"]["layer"], "access_policy") << a.describe();
}

TEST_F(SidecarServiceTest, IdentityFailures) {
  SidecarConfig wrong = env().sidecar_config();
  wrong.identity_credential = to_secure(as_span(std::string("not-the-credential")));
  auto bad_credential = env().start_sidecar(std::move(wrong));
  const Answer a = post(bad_credential->url, "/key/release", release_body().dump());
  expect_error(a, 403, "identity", "identity service");
  EXPECT_EQ(a.body["upstream_status"], 401) << a.describe();

  SidecarConfig none = env().sidecar_config();
  none.identity_endpoint.clear();
  auto no_identity = env().start_sidecar(std::move(none));
  expect_error(post(no_identity->url, "/key/release", release_body().dump()), 500, "identity",
               "no managed identity is configured");

  // A caller-supplied access_token needs no identity of the sidecar's own.
  json with_token = release_body();
  with_token["access_token"] = env().contoso_bearer();
  const Answer given = post(no_identity->url, "/key/release", with_token.dump());
  EXPECT_EQ(given.status, 200) << given.describe();
}

// An attestation service that cannot be reached: 503 naming it, with
// Retry-After; inside the backoff window the sidecar answers at once without
// trying; after it, it tries again.
TEST_F(SidecarServiceTest, AnUnreachableUpstreamIs503AndBackedOffFrom) {
  int closed_port = 0;
  {
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    http::Server probe(o);
    ASSERT_TRUE(probe.start().ok());
    closed_port = probe.port();
  }  // stopped: nothing listens there now
  const std::string dead = "127.0.0.1:" + std::to_string(closed_port);
  SidecarConfig config = env().sidecar_config();
  config.allowed_endpoints.push_back(dead);
  config.backoff = BackoffPolicy{std::chrono::seconds(2), std::chrono::seconds(2)};
  auto sidecar = env().start_sidecar(std::move(config));
  json body = release_body();
  body["maa_endpoint"] = dead;

  const Answer first = post(sidecar->url, "/key/release", body.dump());
  const auto t0 = std::chrono::steady_clock::now();
  expect_error(first, 503, "attest", "attestation service " + dead);
  EXPECT_EQ(first.body["retry_after_s"], 2) << first.describe();

  const Answer backed_off = post(sidecar->url, "/key/release", body.dump());
  expect_error(backed_off, 503, "attest", "is unavailable (1 failure in a row");
  EXPECT_NE(backed_off.raw.find("not retried for another"), std::string::npos)
      << backed_off.describe();

  // The window (2 s) passes: the next request tries the upstream again.
  std::this_thread::sleep_until(t0 + std::chrono::milliseconds(2100));
  const Answer retried = post(sidecar->url, "/key/release", body.dump());
  expect_error(retried, 503, "attest", "attestation service " + dead);
  EXPECT_EQ(retried.raw.find("not retried"), std::string::npos) << retried.describe();

  // Other upstreams are not affected: a release through the live service works.
  const Answer live = post(sidecar->url, "/key/release", release_body().dump());
  EXPECT_EQ(live.status, 200) << live.describe();
}

TEST_F(SidecarServiceTest, SidecarClientAgainstTheSidecar) {
  SidecarClient client(confidential_->url, std::string(test_env::kGroupToken));
  auto status = client.status();
  ASSERT_TRUE(status.ok()) << status.status().to_string();
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ((*status->json())["message"], "Status OK");

  auto released = client.release(env().maa_endpoint(), env().akv_endpoint(), test_env::kContosoKey);
  ASSERT_TRUE(released.ok()) << released.status().to_string();
  ASSERT_EQ(released->status, 200) << released->body;
  auto jwk = parse_released_key(released->body);
  ASSERT_TRUE(jwk.ok()) << jwk.status().to_string();
  EXPECT_EQ(jwk->kid(), env().get_key(test_env::kContosoKey)["key"]["kid"]);

  auto raw = client.attest_raw(b64("abc"));
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 200);

  SidecarClient outsider(confidential_->url, std::nullopt);
  auto refused =
      outsider.release(env().maa_endpoint(), env().akv_endpoint(), test_env::kContosoKey);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ((*refused->json())["step"], "request");
}

}  // namespace
}  // namespace mpcc::skr
