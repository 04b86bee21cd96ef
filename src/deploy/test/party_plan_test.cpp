// The parties' plans from the embedded deployment file: each app's config
// (the exact file `mpcc serve party` reads), the sidecars' and apps' argv,
// the confidential parties' distinct policies, endpoints.json "parties".
#include "deploy/party_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/bytes.h"
#include "crypto/hash.h"

namespace mpcc::deploy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PartyPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<DeploymentFile> f = embedded_deployment_file();
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    file_ = *f;
    network_.identity_url = "https://127.0.0.1:7000";
    network_.attestation_url = "https://127.0.0.1:7001";
    network_.view_url = "https://127.0.0.1:9443";
    network_.vault_urls = {{"contoso", "https://127.0.0.1:7002"},
                           {"fabrikam", "https://127.0.0.1:7003"},
                           {"woodgrove", "https://127.0.0.1:7004"}};
    int port = 9001;
    for (const char* p : {"contoso", "fabrikam", "woodgrove", "snooper"}) {
      network_.sidecar_ports[p] = port;
      network_.app_ports[p] = port - 1000;
      ++port;
    }
    for (const char* id :
         {"deployer", "contoso", "fabrikam", "woodgrove", "contoso-admin", "fabrikam-admin"}) {
      identities_[id] = IdentityEndpoint{std::string("client-") + id, std::string("object-") + id,
                                         layout_.credential_file(id)};
    }
  }

  std::vector<PartyPlan> plans() const {
    StatusOr<std::vector<PartyPlan>> p =
        plan_parties(file_, layout_, network_, identities_, exe_, {"--log-level", "info"});
    EXPECT_TRUE(p.ok()) << p.status().to_string();
    return p.ok() ? *p : std::vector<PartyPlan>{};
  }

  static const PartyPlan& of(const std::vector<PartyPlan>& plans, const std::string& name) {
    auto it = std::find_if(plans.begin(), plans.end(),
                           [&](const PartyPlan& p) { return p.spec.name == name; });
    if (it == plans.end()) throw std::logic_error("no plan for " + name);
    return *it;
  }
  std::string d(const std::string& rel) const { return (layout_.root / rel).string(); }

  Layout layout_{"/state"};
  DeploymentFile file_;
  DeploymentNetwork network_;
  std::map<std::string, IdentityEndpoint> identities_;
  ExecutableInfo exe_{"/opt/mpcc/bin/mpcc", std::string(64, 'a')};
};

TEST_F(PartyPlanTest, ContosoConfigIsExactlyWhatTheAppReads) {
  const std::vector<PartyPlan> all = plans();
  ASSERT_EQ(all.size(), 4u);
  const PartyPlan& p = of(all, "contoso");
  const json expected = {
      {"party", "contoso"},
      {"display_name", "Contoso"},
      {"role", "owner"},
      {"sku", "confidential"},
      {"listen",
       {{"host", "127.0.0.1"},
        {"port", 8001},
        {"tls_cert", d("ca/party-contoso.pem")},
        {"tls_key", d("ca/party-contoso.key")}}},
      {"ca_cert", d("ca/ca.pem")},
      {"operator_token_file", d("parties/contoso/operator-token")},
      {"sidecar",
       {{"url", "http://127.0.0.1:9001"}, {"group_token_file", d("parties/contoso/group-token")}}},
      {"maa_endpoint", "127.0.0.1:7001"},
      {"key", {{"vault", "127.0.0.1:7002"}, {"name", "contoso-secret-key"}}},
      {"storage", {{"type", "directory"}, {"path", d("blobs")}}},
      {"container", "privateappdata"},
      {"csv_file", (embedded_deployment_dir() / "data" / "contoso-data.csv").string()},
      {"other_company",
       {{"name", "fabrikam"},
        {"display_name", "Fabrikam"},
        {"key", {{"vault", "127.0.0.1:7003"}, {"name", "fabrikam-secret-key"}}}}},
      {"partners", json::array()},
      {"identity",
       {{"endpoint", "https://127.0.0.1:7000"},
        {"credential_file", d("identity/credentials/contoso")},
        {"client_id", "client-contoso"}}},
      {"identity_issuer", "https://127.0.0.1:7000"},
      {"audience", "https://127.0.0.1:8001"},
      {"partner_readers",
       json::array({{{"name", "woodgrove"},
                     {"display_name", "Woodgrove Bank"},
                     {"object_id", "object-woodgrove"},
                     {"host_data", of(all, "woodgrove").host_data}}})},
      {"analysis", {{"min_group_size", 1}}},
      {"branding", file_.find("contoso")->branding},
      {"frame_ancestors", json::array({"https://127.0.0.1:9443"})},
      {"admin_identity",
       {{"credential_file", d("identity/credentials/contoso-admin")},
        {"client_id", "client-contoso-admin"}}},
  };
  EXPECT_EQ(p.config, expected) << p.config.dump(2);
  EXPECT_EQ(p.config_text, expected.dump(2) + "\n");
  EXPECT_EQ(p.app_url, "https://127.0.0.1:8001");
  EXPECT_EQ(p.sidecar_url, "http://127.0.0.1:9001");
}

TEST_F(PartyPlanTest, WoodgroveReadsItsPartnersAndTheSnooperPosesAsContoso) {
  const std::vector<PartyPlan> all = plans();
  const json& w = of(all, "woodgrove").config;
  EXPECT_EQ(w["role"], "analyst");
  EXPECT_TRUE(w["other_company"].is_null());
  EXPECT_TRUE(w["csv_file"].is_null());
  EXPECT_EQ(w["partner_readers"], json::array());
  EXPECT_EQ(w["partners"],
            json::array({{{"name", "contoso"},
                          {"display_name", "Contoso"},
                          {"key", {{"vault", "127.0.0.1:7002"}, {"name", "contoso-secret-key"}}},
                          {"app_url", "https://127.0.0.1:8001"}},
                         {{"name", "fabrikam"},
                          {"display_name", "Fabrikam"},
                          {"key", {{"vault", "127.0.0.1:7003"}, {"name", "fabrikam-secret-key"}}},
                          {"app_url", "https://127.0.0.1:8002"}}}));
  EXPECT_EQ(of(all, "fabrikam").config["partner_readers"][0]["name"], "woodgrove");

  const PartyPlan& s = of(all, "snooper");
  EXPECT_EQ(s.config["role"], "observer");
  EXPECT_EQ(s.config["sku"], "standard");
  EXPECT_EQ(s.config["key"], of(all, "contoso").config["key"]) << "Contoso's key name and vault";
  EXPECT_EQ(s.config["identity"], of(all, "contoso").config["identity"]) << "Contoso's identity";
  EXPECT_TRUE(s.config["other_company"].is_null());
  EXPECT_TRUE(s.config["csv_file"].is_null());
  EXPECT_EQ(s.config["partners"], json::array());
  EXPECT_EQ(s.config["partner_readers"], json::array());
  EXPECT_EQ(s.config["operator_token_file"], d("parties/snooper/operator-token"))
      << "its own tokens, never Contoso's";
  EXPECT_EQ(s.config["sidecar"]["group_token_file"], d("parties/snooper/group-token"));
  EXPECT_TRUE(s.policy_text.empty());
  EXPECT_TRUE(s.host_data.empty());
}

TEST_F(PartyPlanTest, CommandLinesFollowTheSidecarAndAppContracts) {
  const std::vector<PartyPlan> all = plans();
  const PartyPlan& c = of(all, "contoso");
  EXPECT_EQ(c.app_args, (std::vector<std::string>{"--log-level", "info", "serve", "party",
                                                  "--config", d("parties/contoso/party.json")}));
  EXPECT_EQ(c.sidecar_args, (std::vector<std::string>{"--log-level",
                                                      "info",
                                                      "serve",
                                                      "skr",
                                                      "--port",
                                                      "9001",
                                                      "--ca-cert",
                                                      d("ca/ca.pem"),
                                                      "--identity-endpoint",
                                                      "https://127.0.0.1:7000",
                                                      "--identity-credential-file",
                                                      d("identity/credentials/contoso"),
                                                      "--group-token-file",
                                                      d("parties/contoso/group-token"),
                                                      "--allow-endpoint",
                                                      "127.0.0.1:7001",
                                                      "--allow-endpoint",
                                                      "127.0.0.1:7002",
                                                      "--allow-endpoint",
                                                      "127.0.0.1:7003",
                                                      "--allow-endpoint",
                                                      "127.0.0.1:7004",
                                                      "--security-context",
                                                      d("parties/contoso/security-context"),
                                                      "--sev-guest",
                                                      d("psp/guests/contoso.sock")}));
  const PartyPlan& s = of(all, "snooper");
  EXPECT_EQ(std::count(s.sidecar_args.begin(), s.sidecar_args.end(), "--security-context"), 0);
  EXPECT_EQ(std::count(s.sidecar_args.begin(), s.sidecar_args.end(), "--sev-guest"), 0)
      << "standard SKU: no device";
  EXPECT_EQ(
      std::count(s.sidecar_args.begin(), s.sidecar_args.end(), d("identity/credentials/contoso")),
      1);
  // The supervisor recognises each process by its own file.
  EXPECT_EQ(app_signature(layout_, "contoso"),
            (std::vector<std::string>{"--config", d("parties/contoso/party.json")}));
  EXPECT_EQ(sidecar_signature(layout_, "snooper"),
            (std::vector<std::string>{"--group-token-file", d("parties/snooper/group-token")}));
  for (const std::string& name : party_env_unset()) {
    EXPECT_TRUE(name == "MPCC_SEV_GUEST" || name.rfind("UVM_", 0) == 0) << name;
  }
}

TEST_F(PartyPlanTest, PoliciesAreDeterministicDistinctAndCoverWhatRuns) {
  const std::vector<PartyPlan> first = plans();
  const std::vector<PartyPlan> second = plans();
  std::set<std::string> host_data;
  for (const char* name : {"contoso", "fabrikam", "woodgrove"}) {
    const PartyPlan& p = of(first, name);
    EXPECT_EQ(p.policy_text, of(second, name).policy_text) << name;
    ASSERT_EQ(p.host_data.size(), 64u) << name;
    EXPECT_EQ(p.host_data, hex_encode(crypto::sha256(p.policy_text)));
    host_data.insert(p.host_data);
    // The policy names the binary, its hash, the config's hash and both argv.
    EXPECT_NE(p.policy_text.find(exe_.sha256), std::string::npos) << name;
    EXPECT_NE(p.policy_text.find(exe_.path.string()), std::string::npos) << name;
    EXPECT_NE(p.policy_text.find(hex_encode(crypto::sha256(p.config_text))), std::string::npos)
        << name;
    EXPECT_NE(p.policy_text.find("\"skr\""), std::string::npos) << name;
    EXPECT_NE(p.policy_text.find(d("parties/" + std::string(name) + "/party.json")),
              std::string::npos);
  }
  EXPECT_EQ(host_data.size(), 3u) << "every confidential party has its own host_data";

  // Another binary, or another config (a port), is another policy.
  const std::string contoso = of(first, "contoso").host_data;
  exe_.sha256 = std::string(64, 'b');
  EXPECT_NE(of(plans(), "contoso").host_data, contoso);
  exe_.sha256 = std::string(64, 'a');
  network_.vault_urls["fabrikam"] = "https://127.0.0.1:7999";
  EXPECT_NE(of(plans(), "contoso").host_data, contoso) << "contoso's config names fabrikam's vault";
}

TEST_F(PartyPlanTest, EndpointsListEveryParty) {
  const std::vector<PartyPlan> all = plans();
  const json e = endpoints_parties(all, layout_, network_);
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e["contoso"], (json{{"app", "https://127.0.0.1:8001"},
                                {"display_name", "Contoso"},
                                {"sku", "confidential"},
                                {"role", "owner"},
                                {"vault", "https://127.0.0.1:7002"},
                                {"key", "contoso-secret-key"},
                                {"identity", "contoso"},
                                {"credential_file", d("parties/contoso/operator-token")},
                                {"sidecar", "http://127.0.0.1:9001"},
                                {"host_data", of(all, "contoso").host_data}}));
  EXPECT_TRUE(e["snooper"]["host_data"].is_null());
  EXPECT_EQ(e["snooper"]["vault"], "https://127.0.0.1:7002");
  EXPECT_EQ(e["snooper"]["identity"], "contoso");
  EXPECT_EQ(e["woodgrove"]["role"], "analyst");
}

TEST_F(PartyPlanTest, AMissingPortOrIdentityIsAFailedPrecondition) {
  network_.app_ports.erase("fabrikam");
  StatusOr<std::vector<PartyPlan>> p = plan_parties(file_, layout_, network_, identities_, exe_);
  EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(p.status().message().find("app port"), std::string::npos) << p.status().message();
  network_.app_ports["fabrikam"] = 8002;
  identities_.erase("woodgrove");
  p = plan_parties(file_, layout_, network_, identities_, exe_);
  EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(p.status().message().find("woodgrove"), std::string::npos) << p.status().message();
}

TEST(HostPort, IsHostColonPortOfAUrl) {
  EXPECT_EQ(*host_port("https://127.0.0.1:8443"), "127.0.0.1:8443");
  EXPECT_FALSE(host_port("not a url").ok());
}

}  // namespace
}  // namespace mpcc::deploy
