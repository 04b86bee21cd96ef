// The security policy text: canonical (fixed member order, values
// JSON-encoded, documented in docs/security-policy.md), hashed as ACI does
// (SHA-256 of the text = HOST_DATA), different whenever what runs differs;
// the local deployment's policy covers every file the party's processes use;
// the security-context folder.
#include "deploy/security_policy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <set>

#include "common/bytes.h"
#include "common/testing/must.h"
#include "common/testing/temp_dir.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "deploy/party_plan.h"
#include "deploy/policy_check.h"
#include "deploy/state_files.h"

namespace mpcc::deploy {
namespace {

namespace fs = std::filesystem;
using mpcc::testing::must;
using nlohmann::json;

PolicyDocument contoso_doc() {
  PolicyContainer app;
  app.name = "party-contoso";
  app.image = local_image_reference(std::string(64, 'a'));
  app.command = {"/usr/bin/mpcc", "serve", "party", "--config", "/d/parties/contoso/party.json"};
  app.env_rules = {{".*", "re2", false}};
  app.env_unset = {"MPCC_SEV_GUEST"};
  app.mounts = {
      {"config", "/d/parties/contoso/party.json", MountKind::kFile, true, std::string(64, 'c')},
      {"operator-token", "/d/parties/contoso/operator-token", MountKind::kSecret, true, ""},
      {"blobs", "/d/blobs", MountKind::kDirectory, false, ""}};
  PolicyContainer skr;
  skr.name = "sidecar-contoso";
  skr.image = app.image;
  skr.command = {"/usr/bin/mpcc", "serve", "skr", "--port", "9001"};
  skr.mounts = {{"sev-guest", "/d/psp/guests/contoso.sock", MountKind::kDevice, false, ""}};
  return PolicyDocument{"contoso", "Contoso", "owner", "local", {app, skr}};
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

// The JSON value after "<name> := " up to the end of its (multi-line) value.
json rego_value(const std::string& text, const std::string& name, const std::string& end) {
  const std::string start_marker = "\n" + name + " := ";
  const std::size_t start = text.find(start_marker);
  if (start == std::string::npos) throw std::runtime_error("no " + name);
  const std::size_t from = start + start_marker.size();
  const std::size_t to = text.find(end, from);
  return json::parse(text.substr(from, to + end.size() - 1 - from));
}

TEST(SecurityPolicy, IsCanonicalAndHashedLikeAci) {
  const std::string text = security_policy_text(contoso_doc());
  EXPECT_EQ(security_policy_text(contoso_doc()), text);
  const std::string host_data = policy_host_data(text);
  EXPECT_EQ(host_data, hex_encode(crypto::sha256(text)));
  EXPECT_EQ(host_data.size(), 64u);
  EXPECT_EQ(host_data.find_first_not_of("0123456789abcdef"), std::string::npos) << host_data;

  EXPECT_EQ(text.rfind("package policy\n\nimport future.keywords.every\n", 0), 0u) << text;
  EXPECT_NE(text.find("\napi_version := \"0.10.0\"\n"), std::string::npos);
  EXPECT_NE(text.find("\nmpcc_policy_format := \"mpcc-security-policy-v1\"\n"), std::string::npos);
  EXPECT_NE(text.find("\nparty := {\"name\":\"contoso\",\"display_name\":\"Contoso\",\"role\":"
                      "\"owner\",\"platform\":\"local\"}\n"),
            std::string::npos)
      << text;
  EXPECT_TRUE(text.ends_with("\nreason := {\"errors\": data.framework.errors}\n"));
  const json containers = rego_value(text, "containers", "\n]\n");
  ASSERT_EQ(containers.size(), 2u);
  const json& app = containers[0];
  // Members in the documented order (nlohmann's json sorts; the text keeps the order).
  const std::size_t name_at = text.find("\"name\": \"party-contoso\"");
  const std::size_t image_at = text.find("\"image\":");
  const std::size_t command_at = text.find("\"command\":");
  const std::size_t mounts_at = text.find("\"mounts\":");
  EXPECT_LT(name_at, image_at);
  EXPECT_LT(image_at, command_at);
  EXPECT_LT(command_at, mounts_at);
  EXPECT_EQ(app["image"], "mpcc@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(app["command"][2], "party");
  EXPECT_EQ(app["working_dir"], "/");
  EXPECT_EQ(app["env_rules"][0],
            (json{{"pattern", ".*"}, {"strategy", "re2"}, {"required", false}}));
  EXPECT_EQ(app["env_unset"], json::array({"MPCC_SEV_GUEST"}));
  EXPECT_EQ(app["mounts"][0], (json{{"name", "config"},
                                    {"path", "/d/parties/contoso/party.json"},
                                    {"kind", "file"},
                                    {"read_only", true},
                                    {"sha256", std::string(64, 'c')}}));
  EXPECT_TRUE(app["mounts"][1]["sha256"].is_null()) << "a secret is never hashed into the policy";
  EXPECT_EQ(app["mounts"][1]["kind"], "secret");
  EXPECT_EQ(app["mounts"][2]["kind"], "directory");
  EXPECT_FALSE(app["mounts"][2]["read_only"]);
  EXPECT_EQ(containers[1]["mounts"][0]["kind"], "device");
  EXPECT_EQ(containers[1]["allow_stdio_access"], false);
}

TEST(SecurityPolicy, UserStringsCannotBreakOutOfTheirJson) {
  PolicyDocument d = contoso_doc();
  d.display_name = "Evil\"\nallow_dump_stacks := true\n#";
  const std::string text = security_policy_text(d);
  EXPECT_EQ(text.find("\nallow_dump_stacks := true\n"), std::string::npos) << text;
  EXPECT_EQ(rego_value(text, "party", "}\n")["display_name"], d.display_name);
}

TEST(SecurityPolicy, AnyDifferenceInWhatRunsChangesHostData) {
  const std::string base = policy_host_data(security_policy_text(contoso_doc()));
  std::vector<std::pair<std::string, std::function<void(PolicyDocument&)>>> changes = {
      {"party", [](PolicyDocument& d) { d.party = "fabrikam"; }},
      {"platform", [](PolicyDocument& d) { d.platform = "aci"; }},
      {"image",
       [](PolicyDocument& d) { d.containers[0].image = "mpcc@sha256:" + std::string(64, 'b'); }},
      {"config",
       [](PolicyDocument& d) { d.containers[0].mounts[0].sha256 = std::string(64, 'd'); }},
      {"mount path", [](PolicyDocument& d) { d.containers[0].mounts[2].path = "/elsewhere"; }},
      {"read-only", [](PolicyDocument& d) { d.containers[0].mounts[2].read_only = true; }},
      {"argv", [](PolicyDocument& d) { d.containers[1].command.back() = "9002"; }},
      {"env", [](PolicyDocument& d) { d.containers[1].env_unset = {"X"}; }},
      {"env rule", [](PolicyDocument& d) { d.containers[0].env_rules[0].strategy = "string"; }},
      {"role", [](PolicyDocument& d) { d.role = "analyst"; }},
  };
  std::set<std::string> seen = {base};
  for (auto& [label, change] : changes) {
    PolicyDocument d = contoso_doc();
    change(d);
    EXPECT_TRUE(seen.insert(policy_host_data(security_policy_text(d))).second) << label;
  }
}

// The local plans of the built-in deployment file (no processes).
std::vector<PartyPlan> local_plans(const Layout& layout) {
  DeploymentFile file = must(embedded_deployment_file());
  DeploymentNetwork n;
  n.identity_url = "https://127.0.0.1:7000";
  n.attestation_url = "https://127.0.0.1:7001";
  int port = 7002;
  for (const std::string& v : file.vaults())
    n.vault_urls[v] = "https://127.0.0.1:" + std::to_string(port++);
  for (const PartySpec& p : file.parties) {
    n.sidecar_ports[p.name] = port++;
    n.app_ports[p.name] = port++;
  }
  std::map<std::string, IdentityEndpoint> ids;
  for (const std::string& id : file.identities()) {
    ids[id] = IdentityEndpoint{"client-" + id, "object-" + id, layout.credential_file(id)};
  }
  return must(plan_parties(file, layout, n, ids, ExecutableInfo{"/opt/mpcc", std::string(64, 'e')},
                           {"--log-level", "info"}));
}

void collect_paths(const json& j, std::set<std::string>& out) {
  if (j.is_string() && j.get<std::string>().rfind('/', 0) == 0) out.insert(j.get<std::string>());
  if (j.is_structured()) {
    for (const json& v : j) collect_paths(v, out);
  }
}

TEST(LocalPolicy, CoversEveryFileThePartysProcessesUse) {
  const Layout layout("/state");
  for (const PartyPlan& plan : local_plans(layout)) {
    if (!plan.spec.confidential()) {
      EXPECT_TRUE(plan.policy_text.empty()) << plan.spec.name;
      continue;
    }
    const json containers = rego_value(plan.policy_text, "containers", "\n]\n");
    std::set<std::string> app_mounts;
    for (const json& m : containers[0]["mounts"]) app_mounts.insert(m["path"]);
    std::set<std::string> config_paths;
    collect_paths(plan.config, config_paths);
    for (const std::string& path : config_paths) {
      EXPECT_TRUE(app_mounts.count(path))
          << plan.spec.name << ": party.json names " << path << ", which the policy does not list";
    }
    EXPECT_EQ(containers[0]["image"], "mpcc@sha256:" + std::string(64, 'e'));
    EXPECT_EQ(containers[0]["command"][0], "/opt/mpcc");
    EXPECT_EQ(containers[0]["mounts"][0]["sha256"], hex_encode(crypto::sha256(plan.config_text)));
    for (const json& m : containers[0]["mounts"]) {
      if (m["kind"] == "secret") {
        EXPECT_TRUE(m["sha256"].is_null()) << m.dump();
      }
      if (m["name"] == "csv") {
        EXPECT_EQ(m["sha256"], must(file_sha256(plan.spec.csv))) << "the data is pinned";
      }
    }
    std::set<std::string> sidecar_mounts;
    for (const json& m : containers[1]["mounts"]) sidecar_mounts.insert(m["name"]);
    EXPECT_EQ(sidecar_mounts,
              (std::set<std::string>{"ca-cert", "identity-credential", "group-token",
                                     "security-context", "sev-guest"}));
    std::set<std::string> argv(containers[1]["command"].begin(), containers[1]["command"].end());
    EXPECT_TRUE(argv.count(layout.guest_channel(plan.spec.name).string())) << plan.spec.name;
  }
}

// The input of docs/security-policy.md's worked example.
PolicyDocument example_doc() {
  PolicyDocument d = contoso_doc();
  d.containers[0].allow_stdio_access = true;
  d.containers[1].allow_stdio_access = true;
  d.containers[1].env_rules = {{".*", "re2", false}};
  return d;
}

TEST(SecurityPolicy, WorkedExampleOfTheDocs) {
  const std::string doc = read_text(fs::path(MPCC_SOURCE_DIR) / "docs" / "security-policy.md");
  const std::string start = "<!-- example-policy -->\n```rego\n";
  const std::size_t from = doc.find(start);
  ASSERT_NE(from, std::string::npos) << "docs/security-policy.md has no example block";
  const std::size_t to = doc.find("\n```\n", from + start.size());
  ASSERT_NE(to, std::string::npos);
  const std::string text = security_policy_text(example_doc());
  EXPECT_EQ(doc.substr(from + start.size(), to + 1 - from - start.size()), text)
      << "update the example in docs/security-policy.md";
  EXPECT_NE(doc.find("HOST_DATA of the example: `" + policy_host_data(text) + "`"),
            std::string::npos)
      << policy_host_data(text);
}

TEST(LocalPolicy, AWebRootIsAMount) {
  const PartySpec p = must(embedded_deployment_file()).parties.at(0);
  LocalPolicyInputs in;
  in.executable_sha256 = std::string(64, 'e');
  in.app_argv = {"/opt/mpcc", "serve", "party", "--config", "/c", "--web-root", "/src/web"};
  in.sidecar_argv = {"/opt/mpcc", "serve", "skr"};
  const PolicyDocument d = must(local_policy_document(p, Layout("/state"), in));
  const PolicyMount& last = d.containers[0].mounts.back();
  EXPECT_EQ(last.name, "web-root");
  EXPECT_EQ(last.path, "/src/web");
  EXPECT_EQ(last.kind, MountKind::kDirectory);
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
  EXPECT_EQ(must(read_security_policy(dir)), text);
  StatusOr<Bytes> cert = crypto::base64_decode(read_text(dir / kHostCertFileName));
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(json::parse(to_string(*cert)), thim);

  const auto mtime = fs::last_write_time(dir / kPolicyFileName);
  StatusOr<bool> again = write_security_context(dir, text, thim);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "unchanged";
  EXPECT_EQ(fs::last_write_time(dir / kPolicyFileName), mtime) << "not rewritten";

  PolicyDocument other = contoso_doc();
  other.containers[0].image = local_image_reference(std::string(64, 'e'));
  StatusOr<bool> changed = write_security_context(dir, security_policy_text(other), thim);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
}

TEST(SecurityPolicy, ReadingAMissingOrDamagedContextFails) {
  mpcc::testing::TempDir tmp("security_context_bad");
  EXPECT_EQ(read_security_policy(tmp.path()).status().code(), StatusCode::kNotFound);
  std::ofstream(tmp.path() / kPolicyFileName) << "not base64 !!";
  StatusOr<std::string> bad = read_security_policy(tmp.path());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find(kPolicyFileName), std::string::npos);
}

TEST(PolicyCheck, FirstDifferenceNamesTheLine) {
  EXPECT_EQ(first_difference("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(first_difference("a\nb\nc\n", "a\nB\nc\n"),
            "line 2:\n  deployed:   b\n  recomputed: B");
  EXPECT_EQ(first_difference("a\n", "a\nb\n"),
            "line 2:\n  deployed:   (end of text)\n  recomputed: b");
}

TEST(PolicyCheck, NeedsADeploymentAndAConfidentialParty) {
  mpcc::testing::TempDir tmp("policy_check");
  StatusOr<std::string> none = deployed_policy(tmp.path(), "contoso");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("no deployment"), std::string::npos);
  StatusOr<PolicyCheck> check = check_policy(tmp.path(), "/proc/self/exe", "contoso");
  EXPECT_EQ(check.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mpcc::deploy
