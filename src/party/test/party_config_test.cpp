// PartyConfig: a good file of each role parses; each malformed field is
// refused naming the field; secrets are read from their files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/testing/temp_dir.h"
#include "party/party_config.h"

namespace mpcc::party {
namespace {

using nlohmann::json;

json owner_config() {
  return json::parse(R"({
    "party": "contoso", "display_name": "Contoso", "role": "owner", "sku": "confidential",
    "listen": {"host": "127.0.0.1", "port": 8001, "tls_cert": "/d/ca/p.pem", "tls_key": "/d/ca/p.key"},
    "ca_cert": "/d/ca/ca.pem", "operator_token_file": "/d/op",
    "sidecar": {"url": "http://127.0.0.1:9001", "group_token_file": "/d/group"},
    "maa_endpoint": "127.0.0.1:7000",
    "key": {"vault": "127.0.0.1:7001", "name": "contoso-secret-key"},
    "storage": {"type": "directory", "path": "/d/blobs"},
    "container": "privateappdata",
    "csv_file": "/d/contoso-data.csv",
    "other_company": {"name": "fabrikam", "display_name": "Fabrikam",
                      "key": {"vault": "127.0.0.1:7002", "name": "fabrikam-secret-key"}},
    "identity_issuer": "https://127.0.0.1:7003", "audience": "https://127.0.0.1:8001",
    "partner_readers": [{"name": "woodgrove", "object_id": "oid-w"}],
    "analysis": {"min_group_size": 3}})");
}

json analyst_config() {
  json j = owner_config();
  j["party"] = "woodgrove";
  j["role"] = "analyst";
  j.erase("other_company");
  j.erase("csv_file");
  j.erase("partner_readers");
  j["partners"] = json::array({{{"name", "contoso"},
                                {"key", {{"vault", "127.0.0.1:7001"}, {"name", "contoso-secret-key"}}},
                                {"app_url", "https://127.0.0.1:8001"}}});
  j["identity"] = {{"endpoint", "https://127.0.0.1:7003"}, {"credential_file", "/d/cred"}};
  return j;
}

TEST(PartyConfig, ParsesAnOwner) {
  auto c = parse_party_config(owner_config());
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->party, "contoso");
  EXPECT_EQ(c->role, Role::kOwner);
  EXPECT_TRUE(c->confidential);
  EXPECT_EQ(c->listen_port, 8001);
  EXPECT_EQ(c->key.vault, "127.0.0.1:7001");
  ASSERT_TRUE(c->other_company.has_value());
  EXPECT_EQ(c->other_company->key.name, "fabrikam-secret-key");
  ASSERT_EQ(c->partner_readers.size(), 1u);
  EXPECT_EQ(c->min_group_size, 3);
  EXPECT_EQ(c->sku(), "confidential");
}

TEST(PartyConfig, ParsesAnAnalyst) {
  auto c = parse_party_config(analyst_config());
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->role, Role::kAnalyst);
  ASSERT_NE(c->partner("contoso"), nullptr);
  EXPECT_EQ(c->partner("contoso")->app_url, "https://127.0.0.1:8001");
  EXPECT_EQ(c->partner("fabrikam"), nullptr);
}

struct BadCase {
  const char* what;
  std::function<void(json&)> change;
  const char* field;
};

TEST(PartyConfig, RefusesEachMalformedFieldByName) {
  const std::vector<BadCase> cases = {
      {"no party", [](json& j) { j.erase("party"); }, "party"},
      {"uppercase party", [](json& j) { j["party"] = "Contoso"; }, "party"},
      {"unknown role", [](json& j) { j["role"] = "admin"; }, "role"},
      {"unknown sku", [](json& j) { j["sku"] = "premium"; }, "sku"},
      {"relative cert", [](json& j) { j["listen"]["tls_cert"] = "p.pem"; }, "listen.tls_cert"},
      {"port out of range", [](json& j) { j["listen"]["port"] = 70000; }, "listen.port"},
      {"sidecar not on loopback", [](json& j) { j["sidecar"]["url"] = "http://10.0.0.1:9001"; }, "sidecar.url"},
      {"maa with scheme", [](json& j) { j["maa_endpoint"] = "https://x:1"; }, "maa_endpoint"},
      {"vault with path", [](json& j) { j["key"]["vault"] = "x:1/keys"; }, "key.vault"},
      {"bad key name", [](json& j) { j["key"]["name"] = "a/b"; }, "key.name"},
      {"unknown storage", [](json& j) { j["storage"]["type"] = "s3"; }, "storage.type"},
      {"owner with partners",
       [](json& j) { j["partners"] = analyst_config()["partners"]; }, "partners"},
      {"readers without issuer", [](json& j) { j.erase("identity_issuer"); }, "partner_readers"},
      {"group size 0", [](json& j) { j["analysis"]["min_group_size"] = 0; }, "analysis.min_group_size"},
      {"reader host_data not hex",
       [](json& j) { j["partner_readers"][0]["host_data"] = "XYZ"; }, "partner_readers[0].host_data"},
      {"branding not strings", [](json& j) { j["branding"] = {{"title", 5}}; }, "branding.title"},
      {"framed by a non-origin",
       [](json& j) { j["frame_ancestors"] = {"https://a.example/x"}; }, "frame_ancestors[0]"},
      {"administrator without identity",
       [](json& j) { j["admin_identity"] = {{"credential_file", "/d/admin"}}; }, "admin_identity"},
      {"administrator with a relative file",
       [](json& j) {
         j["identity"] = {{"endpoint", "https://127.0.0.1:7003"}, {"credential_file", "/d/cred"}};
         j["admin_identity"] = {{"credential_file", "admin"}};
       },
       "admin_identity.credential_file"},
  };
  for (const auto& c : cases) {
    json j = owner_config();
    c.change(j);
    auto parsed = parse_party_config(j);
    ASSERT_FALSE(parsed.ok()) << c.what;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << c.what;
    EXPECT_NE(parsed.status().message().find(c.field), std::string::npos)
        << c.what << ": " << parsed.status().message();
  }
  json analyst = analyst_config();
  analyst["partners"][0]["app_url"] = "http://127.0.0.1:8001";
  auto plain = parse_party_config(analyst);
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("TLS"), std::string::npos) << plain.status().message();
  analyst = analyst_config();
  analyst.erase("identity");
  EXPECT_FALSE(parse_party_config(analyst).ok());
}

TEST(PartyConfig, ParsesTheRevokeAndPageMembers) {
  json j = owner_config();
  const std::string host_data(64, 'a');
  j["partner_readers"][0]["host_data"] = host_data;
  j["partner_readers"][0]["display_name"] = "Woodgrove Bank";
  j["identity"] = {{"endpoint", "https://127.0.0.1:7003"}, {"credential_file", "/d/cred"}};
  j["admin_identity"] = {{"credential_file", "/d/admin"}, {"client_id", "c-1"}};
  j["branding"] = {{"title", "Contoso Corporation"}, {"theme", "contoso"}};
  j["frame_ancestors"] = {"https://127.0.0.1:9443"};
  auto c = parse_party_config(j);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->partner_readers[0].host_data, host_data);
  EXPECT_EQ(c->partner_readers[0].display_name, "Woodgrove Bank");
  ASSERT_TRUE(c->admin_identity.has_value());
  EXPECT_EQ(c->admin_identity->credential_file, "/d/admin");
  EXPECT_EQ(c->branding["title"], "Contoso Corporation");
  EXPECT_EQ(c->frame_ancestors, std::vector<std::string>{"https://127.0.0.1:9443"});
  // Without display_name a reader is shown by its name; an analyst has no administrator.
  EXPECT_EQ(parse_party_config(owner_config())->partner_readers[0].display_name, "woodgrove");
  json analyst = analyst_config();
  analyst["admin_identity"] = {{"credential_file", "/d/admin"}};
  EXPECT_FALSE(parse_party_config(analyst).ok());
}

TEST(PartyConfig, ReadsSecretsAndRefusesEmptyOrShortOnes) {
  testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() / name) << text;
    return (dir.path() / name).string();
  };
  json j = owner_config();
  j["operator_token_file"] = write("op", "0123456789abcdef0123456789abcdef\n");
  j["sidecar"]["group_token_file"] = write("group", "group-secret\n");
  auto c = parse_party_config(j);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  auto s = load_party_secrets(*c);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->operator_token.size(), 32u);
  EXPECT_EQ(s->group_token.value_or(""), "group-secret");

  j["operator_token_file"] = write("short", "abc");
  EXPECT_FALSE(load_party_secrets(*parse_party_config(j)).ok());
  j["operator_token_file"] = write("empty", "\n");
  EXPECT_FALSE(load_party_secrets(*parse_party_config(j)).ok());
  j["operator_token_file"] = (dir.path() / "missing").string();
  EXPECT_FALSE(load_party_secrets(*parse_party_config(j)).ok());
}

}  // namespace
}  // namespace mpcc::party
