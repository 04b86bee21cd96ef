// The seed's demo script, step by step, against a real local deployment
// (`mpcc up --detach`: psp, identity, attestation, three vaults, and per
// party an SKR sidecar and the party app), over each app's HTTPS API with
// the operator's bearer token from endpoints.json. The tests share one
// deployment and run in order; the suite's teardown stops it and kills any
// process left behind (every one has the state directory in its argv).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/file_io.h"
#include "common/testing/run_command.h"
#include "deploy/supervisor.h"
#include "http/client.h"
#include "records/csv.h"
#include "records/record.h"
#include "tests/parties/running_deployment.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using mpcc::parties_test::read_text;
using mpcc::parties_test::Reply;
using mpcc::parties_test::run_mpcc;
using mpcc::parties_test::RunningDeployment;

class PartyDemo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    deployment_ = new RunningDeployment("mpcc_parties");
    dir_ = deployment_->dir();
    up_ = deployment_->up_result();
    endpoints_ = deployment_->endpoints();
  }
  static void TearDownTestSuite() {
    delete deployment_;
    deployment_ = nullptr;
  }
  void SetUp() override {
    ASSERT_EQ(up_.code, 0) << up_.output;
    ASSERT_TRUE(endpoints_.is_object() && endpoints_.contains("parties"));
  }

  static mpcc::http::Client client(int read_timeout_ms = 60000) {
    return deployment_->client(read_timeout_ms);
  }
  static const json& party(const std::string& name) { return deployment_->party(name); }
  static std::string operator_token(const std::string& name) {
    return deployment_->operator_token(name);
  }
  // A request to `name`'s app as its operator (or with `token` when given).
  static Reply call(const std::string& name, const std::string& method, const std::string& path,
                    const json& body = nullptr, std::optional<std::string> token = std::nullopt) {
    return deployment_->call(name, method, path, body, std::move(token));
  }
  static std::vector<mpcc::records::Record> csv_rows(const std::string& file) {
    auto text = mpcc::read_text_file(fs::path(MPCC_SHARED_DATA) / file);
    EXPECT_TRUE(text.ok());
    auto rows = mpcc::records::parse_records_csv(*text);
    EXPECT_TRUE(rows.ok()) << rows.status().to_string();
    return rows.ok() ? *rows : std::vector<mpcc::records::Record>{};
  }
  // The server-sent events of a stream, parsed.
  static std::vector<json> sse_events(const std::string& text) {
    std::vector<json> events;
    std::size_t pos = 0;
    while ((pos = text.find("data: ", pos)) != std::string::npos) {
      const std::size_t end = text.find("\n\n", pos);
      events.push_back(json::parse(text.substr(pos + 6, end - pos - 6), nullptr, false));
      pos = end == std::string::npos ? text.size() : end;
    }
    return events;
  }

  static inline RunningDeployment* deployment_ = nullptr;
  static inline fs::path dir_;
  static inline mpcc::testing::CommandResult up_;
  static inline json endpoints_;
};


TEST_F(PartyDemo, EveryPartyIsUpAndTheApiNeedsTheOperatorToken) {
  for (const char* p : {"contoso", "fabrikam", "woodgrove", "snooper"}) {
    const json& e = party(p);
    for (const char* field : {"app", "sku", "vault", "key", "identity", "credential_file"}) {
      EXPECT_TRUE(e.contains(field)) << p << " lacks " << field;
    }
    EXPECT_EQ(e["app"].get<std::string>().rfind("https://127.0.0.1:", 0), 0u) << e.dump();
    Reply health = call(p, "GET", "/health", nullptr, std::string());
    EXPECT_EQ(health.status, 200) << health.text;
    EXPECT_EQ(health.body.value("party", ""), p);
    // No token, a wrong token, another party's token: refused, saying why.
    Reply none = call(p, "GET", "/skr/config", nullptr, std::string());
    EXPECT_EQ(none.status, 401) << none.text;
    EXPECT_NE(none.body.value("message", "").find("Authorization"), std::string::npos) << none.text;
    Reply wrong = call(p, "GET", "/company/list", nullptr, std::string("not-the-token-at-all"));
    EXPECT_EQ(wrong.status, 401) << wrong.text;
  }
  Reply cross = call("fabrikam", "GET", "/skr/config", nullptr, operator_token("contoso"));
  EXPECT_EQ(cross.status, 401) << cross.text;
  EXPECT_EQ(party("snooper")["sku"], "standard");
  EXPECT_EQ(party("contoso")["sku"], "confidential");
  Reply config = call("woodgrove", "GET", "/skr/config");
  ASSERT_EQ(config.status, 200) << config.text;
  EXPECT_TRUE(config.body["is_woodgrove"].get<bool>());
  EXPECT_TRUE(config.body["partner_configs"].contains("contoso"));
}

// Each sidecar serves only its own container group: another party's process
// (holding its own group token, or none) is refused before anything runs.
TEST_F(PartyDemo, ASidecarRefusesProcessesOfOtherParties) {
  const std::string contoso_sidecar = party("contoso")["sidecar"].get<std::string>();
  const std::string fabrikam_token = read_text(dir_ / "parties" / "fabrikam" / "group-token");
  const std::string contoso_token = read_text(dir_ / "parties" / "contoso" / "group-token");
  ASSERT_FALSE(fabrikam_token.empty());
  ASSERT_NE(fabrikam_token, contoso_token);
  const json body = {{"maa_endpoint", "127.0.0.1:1"}, {"akv_endpoint", "127.0.0.1:1"}, {"kid", "contoso-secret-key"}};
  mpcc::http::Client plain;
  for (const std::optional<std::string>& token : {std::optional<std::string>(fabrikam_token), std::optional<std::string>()}) {
    mpcc::http::Headers headers;
    if (token) headers.emplace_back("X-Mpcc-Group-Token", *token);
    auto r = plain.request("POST", contoso_sidecar + "/key/release", body.dump(), "application/json", headers);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->status, 403) << r->body;
    EXPECT_NE(r->body.find("not a member of this container group"), std::string::npos) << r->body;
  }
  // Its own group's token is accepted.
  auto own = plain.request("POST", contoso_sidecar + "/attest/raw",
                           json{{"runtime_data", "eyJhIjoxfQ=="}}.dump(), "application/json",
                           {{"X-Mpcc-Group-Token", contoso_token}});
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->status, 200) << own->body;
}

TEST_F(PartyDemo, ConfidentialPartyAttests) {
  Reply maa = call("contoso", "POST", "/attest/maa", json::object());
  ASSERT_EQ(maa.status, 200) << maa.text;
  const std::string token = maa.body["attestation_token"].get<std::string>();
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << "a bare JWT, not the sidecar's JSON";
  const json& claims = maa.body["claims"];
  EXPECT_EQ(claims.value("x-ms-attestation-type", ""), "sevsnpvm") << claims.dump();
  EXPECT_EQ(claims.value("x-ms-sevsnpvm-hostdata", ""), party("contoso")["host_data"]) << claims.dump();

  Reply raw = call("fabrikam", "POST", "/attest/raw", json::object());
  ASSERT_EQ(raw.status, 200) << raw.text;
  EXPECT_EQ(raw.body["attestation_report"].get<std::string>().size(), 2368u);
  // A request cannot point the app at another attestation service.
  Reply ssrf = call("contoso", "POST", "/attest/maa", {{"maa_endpoint", "evil.example:443"}});
  EXPECT_EQ(ssrf.status, 400) << ssrf.text;
}

TEST_F(PartyDemo, ConfidentialPartyReleasesItsKeyWhichStaysInside) {
  for (const char* p : {"contoso", "fabrikam", "woodgrove"}) {
    Reply r = call(p, "POST", "/skr/release");
    ASSERT_EQ(r.status, 200) << p << ": " << r.text;
    EXPECT_EQ(r.body["status"], "success");
    const json& key = r.body["key"];
    EXPECT_EQ(key.value("kty", ""), "RSA");
    for (const char* priv : {"d", "p", "q", "dp", "dq", "qi"}) {
      EXPECT_FALSE(key.contains(priv)) << p << " returned private member " << priv;
    }
    EXPECT_EQ(r.text.find("\"d\""), std::string::npos) << r.text;
    Reply status = call(p, "GET", "/skr/key-status");
    EXPECT_TRUE(status.body.value("released", false)) << status.text;
  }
  // Requests cannot choose another vault or key (SSRF / key theft).
  Reply other_vault = call("contoso", "POST", "/skr/release",
                           {{"akv_endpoint", party("fabrikam")["vault"].get<std::string>().substr(8)}});
  EXPECT_EQ(other_vault.status, 400) << other_vault.text;
  Reply other_key = call("woodgrove", "POST", "/skr/release", {{"kid", "contoso-secret-key"}});
  EXPECT_EQ(other_key.status, 400) << other_key.text;
  // The logs hold no private key material.
  for (const auto& entry : fs::directory_iterator(dir_ / "logs")) {
    const std::string log = read_text(entry.path());
    EXPECT_EQ(log.find("\"d\":"), std::string::npos) << entry.path();
    EXPECT_EQ(log.find("PRIVATE KEY"), std::string::npos) << entry.path();
  }
}

TEST_F(PartyDemo, SnooperCannotAttestReleaseOrDecrypt) {
  Reply maa = call("snooper", "POST", "/attest/maa", json::object());
  EXPECT_GE(maa.status, 400) << maa.text;
  EXPECT_NE(maa.body.value("failure_reason", "").find("not running in a TEE"), std::string::npos) << maa.text;
  Reply raw = call("snooper", "POST", "/attest/raw", json::object());
  EXPECT_GE(raw.status, 400) << raw.text;
  Reply release = call("snooper", "POST", "/skr/release");
  EXPECT_GE(release.status, 400) << release.text;
  EXPECT_NE(release.body.value("failure_reason", "").find("TEE"), std::string::npos) << release.text;
  EXPECT_TRUE(release.body.contains("diagnosis")) << release.text;
  Reply decrypt = call("snooper", "POST", "/decrypt", {{"ciphertext", "a.b.c.d.e"}});
  EXPECT_EQ(decrypt.status, 400) << decrypt.text;
  EXPECT_NE(decrypt.body.value("message", "").find("No key released"), std::string::npos) << decrypt.text;
  Reply info = call("snooper", "GET", "/info");
  ASSERT_EQ(info.status, 200) << info.text;
  EXPECT_FALSE(info.body["status"]["attestation_works"].get<bool>()) << info.text;
}

TEST_F(PartyDemo, CrossCompanyReleaseIsDeniedWithTheVaultsReasons) {
  for (auto [us, them] : {std::pair{"contoso", "Fabrikam"}, std::pair{"fabrikam", "Contoso"}}) {
    Reply r = call(us, "POST", "/skr/release-other");
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["status"], "access_denied") << r.text;
    EXPECT_EQ(r.body["other_company"], them);
    EXPECT_EQ(r.body["http_status"], 403) << r.text;
    const json& reason = r.body["vault_reason"];
    ASSERT_TRUE(reason.is_object()) << r.text;
    EXPECT_EQ(reason.value("layer", ""), "access_policy") << r.text;
  }
  Reply woodgrove = call("woodgrove", "POST", "/skr/release-other");
  EXPECT_EQ(woodgrove.status, 400) << woodgrove.text;
}

// Defence in depth: even if Fabrikam's vault granted Contoso's identity
// release (an access-policy mistake), Fabrikam's release policy admits only
// Fabrikam's and Woodgrove's attested code, so Contoso is still refused, and
// the vault names the failed claim.
TEST_F(PartyDemo, CrossCompanyReleaseIsDeniedByTheReleasePolicyEvenWithAccess) {
  const std::string vault_dir = (dir_ / "vaults" / "fabrikam").string();
  const std::string contoso_oid = endpoints_["identities"]["contoso"]["object_id"].get<std::string>();
  auto grant = run_mpcc("keyvault access set --state-dir " + vault_dir + " --object-id " + contoso_oid +
                        " --display-name contoso-by-mistake --permissions get,release");
  ASSERT_EQ(grant.code, 0) << grant.output;
  Reply r = call("contoso", "POST", "/skr/release-other");
  auto revoke = run_mpcc("keyvault access remove --state-dir " + vault_dir + " --object-id " + contoso_oid);
  EXPECT_EQ(revoke.code, 0) << revoke.output;
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["status"], "access_denied") << r.text;
  const json& reason = r.body["vault_reason"];
  EXPECT_EQ(reason.value("layer", ""), "release_policy") << r.text;
  EXPECT_NE(reason.dump().find("x-ms-sevsnpvm-hostdata"), std::string::npos) << r.text;
  EXPECT_NE(r.body.value("failure_reason", "").find("release policy"), std::string::npos) << r.text;
}

TEST_F(PartyDemo, PopulateIsIdempotentAndListShowsCiphertext) {
  for (const char* p : {"contoso", "fabrikam"}) {
    Reply first = call(p, "POST", "/company/populate");
    ASSERT_EQ(first.status, 200) << first.text;
    EXPECT_EQ(first.body["records_added"], 50) << first.text;
    Reply again = call(p, "POST", "/company/populate");
    ASSERT_EQ(again.status, 200) << again.text;
    EXPECT_EQ(again.body["records_added"], 0) << again.text;
    EXPECT_EQ(again.body["records_already_present"], 50) << again.text;
    EXPECT_EQ(again.body["total_records"], 50) << again.text;

    Reply list = call(p, "GET", "/company/list");
    ASSERT_EQ(list.status, 200) << list.text;
    ASSERT_EQ(list.body["records"].size(), 50u);
    for (const json& r : list.body["records"]) {
      const std::string ct = r["ciphertext"].get<std::string>();
      EXPECT_EQ(std::count(ct.begin(), ct.end(), '.'), 4) << "a compact JWE";
      EXPECT_EQ(r["company"], p);
    }
  }
  Reply woodgrove = call("woodgrove", "POST", "/company/populate");
  EXPECT_EQ(woodgrove.status, 404) << woodgrove.text;
}

TEST_F(PartyDemo, DecryptToggleShowsTheOwnRecordsOnly) {
  const auto rows = csv_rows("contoso-data.csv");
  std::map<std::string, std::string> phone_of;
  for (const auto& r : rows) phone_of[r.name] = r.phone;
  Reply list = call("contoso", "GET", "/company/list");
  ASSERT_EQ(list.status, 200);
  std::size_t checked = 0;
  for (const json& r : list.body["records"]) {
    Reply d = call("contoso", "POST", "/decrypt",
                   {{"ciphertext", r["ciphertext"]}, {"record_id", r["record_id"]}});
    ASSERT_EQ(d.status, 200) << d.text;
    const json& rec = d.body["record"];
    ASSERT_TRUE(phone_of.count(rec["name"].get<std::string>())) << rec.dump();
    EXPECT_EQ(rec["phone"], phone_of[rec["name"].get<std::string>()]);
    if (++checked == 10) break;
  }
  // The whole page decrypted in one call (the operator's own records only).
  Reply opened = call("contoso", "GET", "/company/list?max_results=50&decrypt=true");
  ASSERT_EQ(opened.status, 200) << opened.text;
  ASSERT_EQ(opened.body["records"].size(), 50u);
  for (const json& r : opened.body["records"]) {
    ASSERT_TRUE(r.contains("record")) << r.dump();
    EXPECT_FALSE(r.contains("ciphertext")) << r.dump();
    const std::string name = r["record"]["name"].get<std::string>();
    ASSERT_TRUE(phone_of.count(name)) << r.dump();
    EXPECT_EQ(r["record"]["phone"], phone_of[name]);
  }
  // Fabrikam cannot open Contoso's record, even holding it.
  const json& first = list.body["records"][0];
  Reply other = call("fabrikam", "POST", "/decrypt",
                     {{"ciphertext", first["ciphertext"]}, {"record_id", first["record_id"]}});
  EXPECT_EQ(other.status, 403) << other.text;
  // /encrypt then /decrypt round trip.
  Reply enc = call("contoso", "POST", "/encrypt", {{"plaintext", "hello, world"}});
  ASSERT_EQ(enc.status, 200) << enc.text;
  Reply dec = call("contoso", "POST", "/decrypt", {{"ciphertext", enc.body["ciphertext"]}});
  ASSERT_EQ(dec.status, 200) << dec.text;
  EXPECT_EQ(dec.body["plaintext"], "hello, world");
}

TEST_F(PartyDemo, SnooperSeesEveryBlobAndOnlyCiphertext) {
  Reply list = call("snooper", "GET", "/storage/list");
  ASSERT_EQ(list.status, 200) << list.text;
  std::size_t records = 0;
  std::string a_record;
  for (const json& b : list.body["blobs"]) {
    const std::string name = b["name"].get<std::string>();
    if (name.rfind("records/", 0) == 0) {
      ++records;
      a_record = name;
    }
  }
  EXPECT_GE(records, 100u) << "both companies' records are visible";
  Reply blob = call("snooper", "GET", "/storage/download/" + a_record);
  ASSERT_EQ(blob.status, 200) << blob.text;
  const std::string content = blob.body["content"].get<std::string>();
  EXPECT_EQ(std::count(content.begin(), content.end(), '.'), 4) << content;
  for (const auto& r : csv_rows("contoso-data.csv")) {
    EXPECT_EQ(content.find(r.name), std::string::npos);
    EXPECT_EQ(content.find(r.city), std::string::npos);
  }
  // The raw storage on disk holds no plaintext either.
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "blobs")) {
    if (!entry.is_regular_file()) continue;
    const std::string data = read_text(entry.path());
    EXPECT_EQ(data.find("Quebec City"), std::string::npos) << entry.path();
  }
}

TEST_F(PartyDemo, WoodgroveReleasesPartnerKeysAndAnalysesBothDataSets) {
  // Contoso cannot play Woodgrove.
  Reply not_analyst = call("contoso", "POST", "/skr/release-partner", {{"partner", "fabrikam"}});
  EXPECT_EQ(not_analyst.status, 403) << not_analyst.text;
  for (const char* p : {"contoso", "Fabrikam"}) {
    Reply r = call("woodgrove", "POST", "/skr/release-partner", {{"partner", p}});
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_TRUE(r.body["key_released"].get<bool>());
    EXPECT_FALSE(r.body.contains("key")) << "partner keys are never returned";
  }
  Reply unknown = call("woodgrove", "POST", "/skr/release-partner", {{"partner", "snooper"}});
  EXPECT_EQ(unknown.status, 400) << unknown.text;
  // The stream: fetch, decrypt with progress, analyze, complete.
  Reply stream = call("woodgrove", "GET", "/partner/analyze-stream");
  ASSERT_EQ(stream.status, 200) << stream.text;
  auto events = sse_events(stream.text);
  ASSERT_GE(events.size(), 5u) << stream.text;
  EXPECT_EQ(events.front()["phase"], "fetch");
  int fetches = 0, progress = 0;
  for (const json& e : events) {
    fetches += e["type"] == "fetch";
    progress += e["type"] == "progress";
  }
  EXPECT_EQ(fetches, 2);
  EXPECT_GE(progress, 2);
  const json& done = events.back();
  ASSERT_EQ(done["type"], "complete") << done.dump();
  EXPECT_EQ(done["contoso_count"], 50);
  EXPECT_EQ(done["fabrikam_count"], 50);
  EXPECT_EQ(done["total_count"], 100);
  EXPECT_EQ(done["avg_salaries"]["Contoso"], 96024);
  EXPECT_EQ(done["avg_salaries"]["Fabrikam"], 101733);
  EXPECT_EQ(done["avg_salaries"]["Combined"], 98879);
  // seed-app.md Appendix A.1: countries, counts, top cities (ties in first-seen order).
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Canada 12", "Quebec City 4, Calgary 3, Edmonton 2"},
      {"Italy 8", "Rome 3, Florence 2, Naples 1"},
      {"Australia 8", "Melbourne 2, Newcastle 2, Perth 1"},
      {"Brazil 7", "Sao Paulo 3, Belo Horizonte 2, Manaus 1"},
      {"Nigeria 6", "Abuja 2, Warri 1, Ibadan 1"},
      {"UAE 6", "Ajman 2, Abu Dhabi 1, Umm Al Quwain 1"},
      {"China 5", "Xian 2, Guangzhou 1, Hangzhou 1"},
      {"United States 5", "New York 1, Denver 1, Los Angeles 1"},
      {"South Africa 5", "Johannesburg 2, Pretoria 1, Kimberley 1"},
      {"United Kingdom 4", "Sheffield 3, Glasgow 1"}};
  ASSERT_EQ(done["top_10_countries"].size(), expected.size()) << done.dump();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const json& c = done["top_10_countries"][i];
    std::string cities;
    for (const json& city : c["top_cities"]) {
      cities += (cities.empty() ? "" : ", ") + city["city"].get<std::string>() + " " +
                std::to_string(city["count"].get<int>());
    }
    EXPECT_EQ(c["country"].get<std::string>() + " " + std::to_string(c["count"].get<int>()), expected[i].first);
    EXPECT_EQ(cities, expected[i].second) << c.dump();
  }
  EXPECT_EQ(done["eye_colors"]["most_common"]["color"], "Brown");
  EXPECT_EQ(done["eye_colors"]["most_common"]["count"], 59);
  EXPECT_TRUE(done["errors"].is_null()) << done.dump();

  Reply json_form = call("woodgrove", "POST", "/partner/analyze", json::object());
  ASSERT_EQ(json_form.status, 200) << json_form.text;
  EXPECT_EQ(json_form.body["total_count"], 100);
  // Partner URLs cannot come from the request.
  Reply ssrf = call("woodgrove", "POST", "/partner/analyze", {{"contoso_url", "https://evil.example"}});
  EXPECT_EQ(ssrf.status, 400) << ssrf.text;
  Reply other = call("fabrikam", "GET", "/partner/analyze-stream");
  EXPECT_EQ(other.status, 403) << other.text;
}

TEST_F(PartyDemo, PartnerReadNeedsTheAnalystsIdentity) {
  // Fabrikam's identity token (not a partner reader of Contoso) is refused
  // by Contoso's /company/list; Woodgrove's was accepted above.
  const std::string credential = read_text(endpoints_["identities"]["fabrikam"]["credential_file"].get<std::string>());
  const std::string contoso_app = party("contoso")["app"].get<std::string>();
  auto r = client().get(endpoints_["identity"].get<std::string>() +
                            "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" +
                            mpcc::http::encode_query_value(contoso_app),
                        {{"Metadata", "true"}, {"X-IDENTITY-HEADER", credential}});
  ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().to_string());
  const std::string token = json::parse(r->body)["access_token"].get<std::string>();
  Reply refused = call("contoso", "GET", "/company/list", nullptr, token);
  EXPECT_EQ(refused.status, 403) << refused.text;
  EXPECT_NE(refused.body.value("message", "").find("not a partner reader"), std::string::npos) << refused.text;

  // Woodgrove, a partner reader, gets ciphertext, never Contoso's plaintext.
  const std::string woodgrove_credential =
      read_text(endpoints_["identities"]["woodgrove"]["credential_file"].get<std::string>());
  auto w = client().get(endpoints_["identity"].get<std::string>() +
                            "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" +
                            mpcc::http::encode_query_value(contoso_app),
                        {{"Metadata", "true"}, {"X-IDENTITY-HEADER", woodgrove_credential}});
  ASSERT_TRUE(w.ok() && w->status == 200) << (w.ok() ? w->body : w.status().to_string());
  const std::string partner_token = json::parse(w->body)["access_token"].get<std::string>();
  Reply ciphertext = call("contoso", "GET", "/company/list?max_results=1", nullptr, partner_token);
  EXPECT_EQ(ciphertext.status, 200) << ciphertext.text;
  Reply plaintext = call("contoso", "GET", "/company/list?max_results=1&decrypt=true", nullptr, partner_token);
  EXPECT_EQ(plaintext.status, 403) << plaintext.text;
  EXPECT_EQ(plaintext.text.find("\"record\""), std::string::npos) << plaintext.text;
}

TEST_F(PartyDemo, TamperedAndSwappedRecordsAreDetected) {
  Reply list = call("contoso", "GET", "/company/list?max_results=2");
  ASSERT_EQ(list.status, 200) << list.text;
  ASSERT_EQ(list.body["records"].size(), 2u);
  const json a = list.body["records"][0];
  const json b = list.body["records"][1];
  // Swapped: record b's ciphertext presented as record a.
  Reply swapped = call("contoso", "POST", "/decrypt", {{"ciphertext", b["ciphertext"]}, {"record_id", a["record_id"]}});
  EXPECT_EQ(swapped.status, 403) << swapped.text;
  EXPECT_NE(swapped.body.value("message", "").find("swapped"), std::string::npos) << swapped.text;
  // Tampered: one character of the ciphertext segment changed.
  std::string ct = a["ciphertext"].get<std::string>();
  const std::size_t at = ct.rfind('.') - 5;
  ct[at] = ct[at] == 'A' ? 'B' : 'A';
  Reply tampered = call("contoso", "POST", "/decrypt", {{"ciphertext", ct}, {"record_id", a["record_id"]}});
  EXPECT_EQ(tampered.status, 403) << tampered.text;
}

TEST_F(PartyDemo, TwoPartiesSavingAtOnceLoseNothing) {
  constexpr int kPerParty = 500;
  std::atomic<int> failures{0};
  auto writer = [&](const std::string& p, int thread, int threads) {
    for (int i = thread; i < kPerParty; i += threads) {
      Reply r = call(p, "POST", "/company/save",
                     {{"name", p + " person " + std::to_string(i)}, {"phone", "+1 555-000-" + std::to_string(i)}});
      if (r.status != 200) {
        if (failures++ < 5) ADD_FAILURE() << p << ": " << r.text;
      }
    }
  };
  std::vector<std::thread> threads;
  for (const char* p : {"contoso", "fabrikam"}) {
    for (int t = 0; t < 4; ++t) threads.emplace_back(writer, p, t, 4);
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (const char* p : {"contoso", "fabrikam"}) {
    Reply status = call(p, "GET", "/company/encrypted-status");
    ASSERT_EQ(status.status, 200) << status.text;
    EXPECT_EQ(status.body["record_count"], 50 + kPerParty) << p;
  }
}


// Beyond the seed: each release reports its time per step (the sidecar's
// Server-Timing), on a refusal too.
TEST_F(PartyDemo, KeyReleasesReportTheirTimePerStep) {
  Reply ok = call("contoso", "POST", "/skr/release");
  ASSERT_EQ(ok.status, 200) << ok.text;
  const json& t = ok.body["timings_ms"];
  for (const char* step : {"report", "token", "identity", "vault", "unwrap", "total"}) {
    ASSERT_TRUE(t.contains(step) && t[step].is_number()) << step << ": " << ok.text;
    EXPECT_GE(t[step].get<double>(), 0.0) << step;
  }
  EXPECT_GE(t["total"].get<double>(), t["vault"].get<double>());
  Reply denied = call("contoso", "POST", "/skr/release-other");
  ASSERT_EQ(denied.status, 200) << denied.text;
  EXPECT_TRUE(denied.body["timings_ms"].contains("vault")) << denied.text;
  EXPECT_FALSE(denied.body["timings_ms"].contains("unwrap")) << "refused before unwrapping";
  Reply snooper = call("snooper", "POST", "/skr/release");
  EXPECT_EQ(snooper.body.value("step", ""), "device") << snooper.text;
  EXPECT_TRUE(snooper.body["timings_ms"].empty())
      << "without a TEE the sidecar refuses before any work (no transfer key): " << snooper.text;
}

// The what-if panel: a party's own token against its own key's policy is
// released; against another party's policy it is denied naming the hostdata
// clause with expected and actual values. Bad input is a 400.
TEST_F(PartyDemo, PolicyWhatIfExplainsDecisionsClauseByClause) {
  ASSERT_EQ(call("contoso", "POST", "/attest/maa", json::object()).status, 200);
  Reply own = call("contoso", "POST", "/policy/what-if");
  ASSERT_EQ(own.status, 200) << own.text;
  EXPECT_EQ(own.body["decision"], "release") << own.text;
  EXPECT_EQ(own.body["signature_checked"], false);

  Reply fabrikam_policy = call("fabrikam", "GET", "/policy/release");
  ASSERT_EQ(fabrikam_policy.status, 200) << fabrikam_policy.text;
  EXPECT_EQ(fabrikam_policy.body["key_name"], "fabrikam-secret-key");
  Reply foreign = call("contoso", "POST", "/policy/what-if", json{{"policy", fabrikam_policy.body["policy"]}});
  ASSERT_EQ(foreign.status, 200) << foreign.text;
  EXPECT_EQ(foreign.body["decision"], "deny") << foreign.text;
  bool hostdata_clause = false;
  for (const json& c : foreign.body["failedClauses"]) {
    if (c.value("claim", "") != "x-ms-sevsnpvm-hostdata") continue;
    hostdata_clause = true;
    EXPECT_EQ(c["actual"], party("contoso")["host_data"]) << c.dump();
    EXPECT_TRUE(c["expected"] == party("fabrikam")["host_data"] ||
                c["expected"] == party("woodgrove")["host_data"])
        << c.dump();
  }
  EXPECT_TRUE(hostdata_clause) << foreign.text;

  EXPECT_EQ(call("contoso", "POST", "/policy/what-if", json{{"token", "not-a-jwt"}}).status, 400);
  EXPECT_EQ(call("contoso", "POST", "/policy/what-if", json{{"policy", {{"version", "9"}}}}).status, 400);
  EXPECT_EQ(call("contoso", "POST", "/policy/what-if", json{{"claims", "x"}}).status, 400);
}

// The revoke button: Contoso's administrator withdraws Woodgrove's entry
// from Contoso's key's release policy, live; Woodgrove's next release of
// Contoso's key is refused by the release policy (attestation, not
// identity), and Fabrikam's still works; restoring admits it again. The
// Snooper (Contoso's workload identity, no administrator) cannot do it.
TEST_F(PartyDemo, RevokingWoodgrovesGrantFailsItsNextReleaseUntilRestored) {
  Reply grants = call("contoso", "GET", "/grants");
  ASSERT_EQ(grants.status, 200) << grants.text;
  ASSERT_EQ(grants.body["grants"].size(), 1u) << grants.text;
  EXPECT_EQ(grants.body["grants"][0]["analyst"], "woodgrove");
  EXPECT_EQ(grants.body["grants"][0]["granted"], true);

  EXPECT_EQ(call("snooper", "POST", "/grants/woodgrove/revoke").status, 403);
  EXPECT_EQ(call("woodgrove", "POST", "/grants/woodgrove/revoke").status, 403);
  EXPECT_EQ(call("contoso", "POST", "/grants/nobody/revoke").status, 404);

  Reply revoked = call("contoso", "POST", "/grants/woodgrove/revoke");
  ASSERT_EQ(revoked.status, 200) << revoked.text;
  EXPECT_EQ(revoked.body["grants"][0]["granted"], false);
  EXPECT_EQ(revoked.body["changed"], true);
  Reply denied = call("woodgrove", "POST", "/skr/release-partner", json{{"partner", "contoso"}});
  Reply fabrikam = call("woodgrove", "POST", "/skr/release-partner", json{{"partner", "fabrikam"}});
  Reply restored = call("contoso", "POST", "/grants/woodgrove/restore");
  EXPECT_EQ(denied.status, 403) << denied.text;
  EXPECT_EQ(denied.body["vault_reason"].value("layer", ""), "release_policy") << denied.text;
  EXPECT_NE(denied.body["vault_reason"].dump().find("x-ms-sevsnpvm-hostdata"), std::string::npos);
  EXPECT_EQ(fabrikam.status, 200) << fabrikam.text;
  ASSERT_EQ(restored.status, 200) << restored.text;
  EXPECT_EQ(restored.body["grants"][0]["granted"], true);
  Reply again = call("woodgrove", "POST", "/skr/release-partner", json{{"partner", "contoso"}});
  EXPECT_EQ(again.status, 200) << again.text;
  EXPECT_EQ(call("contoso", "POST", "/grants/woodgrove/restore").body["changed"], false);
}

// The page: served without a token, with a CSP that allows no inline code
// and framing only by the deployment's view; the view serves its config
// without any credential.
TEST_F(PartyDemo, PagesAreServedWithTheirContentSecurityPolicy) {
  const std::string view = endpoints_["view"]["url"].get<std::string>();
  auto page = client().get(party("contoso")["app"].get<std::string>() + "/");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 200);
  const std::string csp = page->header("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("frame-ancestors 'self' " + view), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  auto config = client().get(view + "/view/config");
  ASSERT_TRUE(config.ok());
  ASSERT_EQ(config->status, 200);
  for (const char* p : {"contoso", "fabrikam", "woodgrove", "snooper"}) {
    EXPECT_EQ(config->body.find(operator_token(p)), std::string::npos) << "no token of " << p;
  }
  EXPECT_EQ(json::parse(config->body)["parties"].size(), 4u);
}

}  // namespace
