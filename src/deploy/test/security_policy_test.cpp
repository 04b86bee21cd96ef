// The security policy text: deterministic, hashed as ACI does (SHA-256 of the
// text = HOST_DATA), different whenever what runs differs; the
// security-context folder.
#include "deploy/security_policy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <set>

#include "common/bytes.h"
#include "common/testing/temp_dir.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace mpcc::deploy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

PolicyDocument contoso_doc() {
  PolicyContainer app;
  app.name = "party-contoso";
  app.command = {"/usr/bin/mpcc", "serve", "party", "--config", "/d/parties/contoso/party.json"};
  app.binary_sha256 = std::string(64, 'a');
  app.config_file = "/d/parties/contoso/party.json";
  app.config_sha256 = std::string(64, 'c');
  app.env_unset = {"MPCC_SEV_GUEST"};
  PolicyContainer skr;
  skr.name = "sidecar-contoso";
  skr.command = {"/usr/bin/mpcc", "serve", "skr", "--port", "9001"};
  skr.binary_sha256 = std::string(64, 'a');
  return PolicyDocument{"contoso", "Contoso", "owner", {app, skr}};
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

TEST(SecurityPolicy, IsDeterministicAndHashedLikeAci) {
  const std::string text = security_policy_text(contoso_doc());
  EXPECT_EQ(security_policy_text(contoso_doc()), text);
  const std::string host_data = policy_host_data(text);
  EXPECT_EQ(host_data, hex_encode(crypto::sha256(text)));
  EXPECT_EQ(host_data.size(), 64u);
  EXPECT_EQ(host_data.find_first_not_of("0123456789abcdef"), std::string::npos) << host_data;

  EXPECT_EQ(text.rfind("package policy\n", 0), 0u) << text;
  EXPECT_NE(text.find("api_version := \"0.10.0\""), std::string::npos);
  EXPECT_NE(text.find("reason := {\"errors\": data.framework.errors}"), std::string::npos);
  const std::size_t start = text.find("containers := ");
  ASSERT_NE(start, std::string::npos);
  const std::size_t end = text.find("\n]\n", start);
  ASSERT_NE(end, std::string::npos);
  const json containers = json::parse(text.substr(start + 14, end + 2 - start - 14));
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0]["name"], "party-contoso");
  EXPECT_EQ(containers[0]["command"][2], "party");
  EXPECT_EQ(containers[0]["binary"]["path"], "/usr/bin/mpcc");
  EXPECT_EQ(containers[0]["binary"]["sha256"], std::string(64, 'a'));
  EXPECT_EQ(containers[0]["config"]["sha256"], std::string(64, 'c'));
  EXPECT_EQ(containers[0]["env_unset"], json::array({"MPCC_SEV_GUEST"}));
  EXPECT_EQ(containers[1]["name"], "sidecar-contoso");
  EXPECT_FALSE(containers[1].contains("config")) << "the sidecar reads no config file";
}

TEST(SecurityPolicy, AnyDifferenceInWhatRunsChangesHostData) {
  const std::string base = policy_host_data(security_policy_text(contoso_doc()));
  std::vector<std::pair<std::string, std::function<void(PolicyDocument&)>>> changes = {
      {"party", [](PolicyDocument& d) { d.party = "fabrikam"; }},
      {"binary", [](PolicyDocument& d) { d.containers[0].binary_sha256 = std::string(64, 'b'); }},
      {"config", [](PolicyDocument& d) { d.containers[0].config_sha256 = std::string(64, 'd'); }},
      {"argv", [](PolicyDocument& d) { d.containers[1].command.back() = "9002"; }},
      {"env", [](PolicyDocument& d) { d.containers[1].env_unset = {"X"}; }},
      {"role", [](PolicyDocument& d) { d.role = "analyst"; }},
  };
  std::set<std::string> seen = {base};
  for (auto& [label, change] : changes) {
    PolicyDocument d = contoso_doc();
    change(d);
    EXPECT_TRUE(seen.insert(policy_host_data(security_policy_text(d))).second) << label;
  }
}

TEST(SecurityPolicy, TheContextFolderHoldsThePolicyAndTheHostCertificates) {
  mpcc::testing::TempDir tmp("security_context");
  const fs::path dir = tmp.path() / "parties" / "contoso" / "security-context";
  const std::string text = security_policy_text(contoso_doc());
  const json thim = {{"vcekCert", "PEM"},
                     {"certificateChain", "PEM PEM"},
                     {"tcbm", "0000000000000000"},
                     {"cacheControl", "86400"}};
  StatusOr<bool> first = write_security_context(dir, text, thim);
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  EXPECT_TRUE(*first);
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(dir / kPolicyFileName), 0600u);
  StatusOr<Bytes> policy = crypto::base64_decode(read_text(dir / kPolicyFileName));
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(to_string(*policy), text);
  StatusOr<Bytes> cert = crypto::base64_decode(read_text(dir / kHostCertFileName));
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(json::parse(to_string(*cert)), thim);

  const auto mtime = fs::last_write_time(dir / kPolicyFileName);
  StatusOr<bool> again = write_security_context(dir, text, thim);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "unchanged";
  EXPECT_EQ(fs::last_write_time(dir / kPolicyFileName), mtime) << "not rewritten";

  PolicyDocument other = contoso_doc();
  other.containers[0].binary_sha256 = std::string(64, 'e');
  StatusOr<bool> changed = write_security_context(dir, security_policy_text(other), thim);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
}

}  // namespace
}  // namespace mpcc::deploy
