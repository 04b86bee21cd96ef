// `mpcc export aci|k8s` as documents, from the built-in deployment file (no
// processes): the seed's ARM template shape (Confidential SKU with ccePolicy,
// the Snooper Standard without, Woodgrove's partner parameters), the
// Kubernetes manifests (runtime class, policy annotation, sidecar beside the
// app, Service, Secrets by name), that every policy's SHA-256 is the host_data
// its key's release policy names, no secret anywhere, byte-identical output,
// and the refusals.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "common/bytes.h"
#include "common/testing/must.h"
#include "common/testing/temp_dir.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "deploy/export_aci.h"
#include "deploy/export_k8s.h"
#include "party/party_config.h"

namespace mpcc::deploy {
namespace {

namespace fs = std::filesystem;
using mpcc::testing::must;
using nlohmann::json;

const std::string kImage = "example.azurecr.io/mpcc@sha256:" + std::string(64, 'f');
const std::vector<std::string> kConfidential = {"contoso", "fabrikam", "woodgrove"};

ExportOptions options() {
  ExportOptions o;
  o.image = kImage;
  o.object_ids = {{"woodgrove", "11111111-2222-3333-4444-555555555555"}};
  return o;
}

CloudPlan plan(CloudPlatform platform, const ExportOptions& o = options()) {
  return must(plan_cloud(must(embedded_deployment_file()), platform, o));
}

std::map<std::string, std::string> by_name(const std::vector<ExportFile>& files) {
  std::map<std::string, std::string> out;
  for (const ExportFile& f : files) out[f.name] = f.content;
  return out;
}

std::string decode(const json& b64) {
  return to_string(must(crypto::base64_decode(b64.get<std::string>())));
}

std::string sha256_hex(const std::string& s) { return hex_encode(crypto::sha256(s)); }

// The x-ms-sevsnpvm-hostdata values a release policy names, in order.
std::vector<std::string> hostdata_in(const json& policy) {
  std::vector<std::string> out;
  for (const json& entry : policy["anyOf"]) {
    EXPECT_EQ(entry["authority"], "https://sharedeus.eus.attest.azure.net");
    EXPECT_EQ(entry["allOf"][0],
              (json{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}}));
    EXPECT_EQ(entry["allOf"][2],
              (json{{"claim", "x-ms-sevsnpvm-is-debuggable"}, {"equals", false}}));
    out.push_back(entry["allOf"][1]["equals"]);
  }
  return out;
}

// Each key's release policy names its holder's and Woodgrove's policy hashes.
void expect_release_policies_match(const std::map<std::string, std::string>& files,
                                   const std::map<std::string, std::string>& host_data) {
  auto policy = [&](const std::string& key) {
    return json::parse(files.at("release-policy-" + key + ".json"));
  };
  EXPECT_EQ(hostdata_in(policy("contoso-secret-key")),
            (std::vector<std::string>{host_data.at("contoso"), host_data.at("woodgrove")}));
  EXPECT_EQ(hostdata_in(policy("fabrikam-secret-key")),
            (std::vector<std::string>{host_data.at("fabrikam"), host_data.at("woodgrove")}));
  EXPECT_EQ(hostdata_in(policy("woodgrove-secret-key")),
            (std::vector<std::string>{host_data.at("woodgrove")}));
  const json manifest = json::parse(files.at("manifest.json"));
  for (const auto& [party, hd] : host_data) EXPECT_EQ(manifest["parties"][party]["host_data"], hd);
  EXPECT_TRUE(manifest["parties"]["snooper"]["host_data"].is_null());
  for (const json& f : manifest["files"]) {
    EXPECT_EQ(f["sha256"], sha256_hex(files.at(f["name"]))) << f["name"];
  }
  EXPECT_EQ(manifest["files"].size(), files.size() - 1) << "every file but itself";
}

// Nothing secret: no key material, no credential value, no secure default.
void expect_no_secrets(const std::map<std::string, std::string>& files) {
  for (const auto& [name, content] : files) {
    for (const char* marker : {"PRIVATE KEY", "BEGIN CERTIFICATE", "AccountKey=", "Bearer "}) {
      EXPECT_EQ(content.find(marker), std::string::npos) << name << " contains " << marker;
    }
  }
}

TEST(ExportAci, TemplatesHaveTheSeedsShape) {
  const CloudPlan p = plan(CloudPlatform::kAci);
  const auto files = by_name(export_aci(p));
  for (const char* party : {"contoso", "fabrikam", "woodgrove", "snooper"}) {
    SCOPED_TRACE(party);
    const json t = json::parse(files.at(std::string("deployment-template-") + party + ".json"));
    ASSERT_EQ(t["resources"].size(), 1u);
    const json& r = t["resources"][0];
    EXPECT_EQ(r["type"], "Microsoft.ContainerInstance/containerGroups");
    EXPECT_EQ(r["apiVersion"], "2023-05-01");
    EXPECT_EQ(r["identity"]["type"], "UserAssigned");
    EXPECT_TRUE(
        r["identity"]["userAssignedIdentities"].contains("[parameters('identityResourceId')]"));
    const json& props = r["properties"];
    const bool confidential = std::string(party) != "snooper";
    EXPECT_EQ(props["sku"], confidential ? "Confidential" : "Standard");
    EXPECT_EQ(props.contains("confidentialComputeProperties"), confidential);
    EXPECT_EQ(props["osType"], "Linux");
    EXPECT_EQ(props["ipAddress"]["ports"], json::parse(R"([{"protocol":"TCP","port":443}])"));
    ASSERT_EQ(props["containers"].size(), 2u);
    const json& app = props["containers"][0];
    const json& skr = props["containers"][1];
    EXPECT_EQ(app["name"], std::string("party-") + party);
    EXPECT_EQ(app["properties"]["image"], "[parameters('image')]");
    EXPECT_EQ(t["parameters"]["image"]["defaultValue"], kImage);
    EXPECT_EQ(
        app["properties"]["command"],
        json::parse(
            R"(["/usr/local/bin/mpcc","serve","party","--config","/etc/mpcc/config/party.json"])"));
    EXPECT_EQ(app["properties"]["ports"], json::parse(R"([{"protocol":"TCP","port":443}])"));
    EXPECT_EQ(skr["name"], std::string("sidecar-") + party);
    EXPECT_EQ(skr["properties"]["ports"], json::array()) << "the sidecar is not exposed";
    const json& argv = skr["properties"]["command"];
    EXPECT_EQ(argv[2], "skr");
    EXPECT_EQ(argv[6], "127.0.0.1") << argv.dump();
    std::set<std::string> env;
    for (const json& e : app["properties"]["environmentVariables"]) {
      env.insert(e["name"]);
      EXPECT_EQ(e["value"].get<std::string>().rfind("[parameters('", 0), 0u) << e.dump();
    }
    std::set<std::string> expected = {"SKR_KEY_NAME", "SKR_MAA_ENDPOINT", "SKR_AKV_ENDPOINT"};
    if (std::string(party) == "woodgrove") {
      expected.insert({"PARTNER_CONTOSO_AKV_ENDPOINT", "PARTNER_FABRIKAM_AKV_ENDPOINT",
                       "PARTNER_CONTOSO_URL", "PARTNER_FABRIKAM_URL"});
    }
    EXPECT_EQ(env, expected);
    EXPECT_TRUE(t["outputs"].contains("containerGroupId"));
    EXPECT_TRUE(t["outputs"].contains("fqdn"));
    EXPECT_EQ(props["imageRegistryCredentials"][0]["server"], "example.azurecr.io");
  }
  const json w = json::parse(files.at("deployment-template-woodgrove.json"))["parameters"];
  EXPECT_EQ(w["partnerContosoAkvEndpoint"]["defaultValue"], "kv-mpcc-contoso.vault.azure.net");
  EXPECT_EQ(w["partnerFabrikamAkvEndpoint"]["defaultValue"], "kv-mpcc-fabrikam.vault.azure.net");
  EXPECT_EQ(w["partnerContosoUrl"]["defaultValue"],
            "https://mpcc-contoso.eastus.azurecontainer.io");
  EXPECT_EQ(w["partnerFabrikamUrl"]["defaultValue"],
            "https://mpcc-fabrikam.eastus.azurecontainer.io");
  const json s = json::parse(files.at("deployment-template-snooper.json"))["parameters"];
  EXPECT_EQ(s["skrKeyName"]["defaultValue"], "contoso-secret-key") << "Contoso's key";
  EXPECT_EQ(s["skrAkvEndpoint"]["defaultValue"], "kv-mpcc-contoso.vault.azure.net");
  EXPECT_NE(files.at("README.md")
                .find("az keyvault key create --vault-name kv-mpcc-contoso -n "
                      "contoso-secret-key"),
            std::string::npos);
}

TEST(ExportAci, PoliciesPinTheTemplateAndHashToTheReleasePolicies) {
  const CloudPlan p = plan(CloudPlatform::kAci);
  const auto files = by_name(export_aci(p));
  std::map<std::string, std::string> host_data;
  for (const std::string& party : kConfidential) {
    SCOPED_TRACE(party);
    const json t = json::parse(files.at("deployment-template-" + party + ".json"));
    const json& props = t["resources"][0]["properties"];
    const std::string text = decode(props["confidentialComputeProperties"]["ccePolicy"]);
    host_data[party] = sha256_hex(text);
    EXPECT_EQ(t["outputs"]["hostData"]["value"], host_data[party]);
    EXPECT_EQ(files.at("security-policy-" + party + ".rego"), text);
    EXPECT_NE(text.find("\"platform\":\"aci\""), std::string::npos);
    // Every env value the app gets is its parameter's default, pinned exactly.
    for (const json& e : props["containers"][0]["properties"]["environmentVariables"]) {
      const std::string param = e["value"].get<std::string>().substr(13);
      const std::string value = t["parameters"][param.substr(0, param.find('\''))]["defaultValue"];
      const std::string pinned = json(e["name"].get<std::string>() + "=" + value).dump();
      EXPECT_NE(text.find("\"pattern\": " + pinned + ",\n        \"strategy\": \"string\""),
                std::string::npos)
          << pinned;
    }
    // The config the app reads is the volume's, pinned by its SHA-256, and valid.
    const std::string config = decode(props["volumes"][0]["secret"]["party.json"]);
    EXPECT_NE(text.find(sha256_hex(config)), std::string::npos);
    EXPECT_NE(text.find(kImage), std::string::npos);
  }
  expect_release_policies_match(files, host_data);
  EXPECT_EQ(
      std::set<std::string>({host_data["contoso"], host_data["fabrikam"], host_data["woodgrove"]})
          .size(),
      3u);
}

TEST(ExportAci, NothingSecretIsWritten) {
  const auto files = by_name(export_aci(plan(CloudPlatform::kAci)));
  expect_no_secrets(files);
  for (const char* party : {"contoso", "woodgrove", "snooper"}) {
    const json t = json::parse(files.at(std::string("deployment-template-") + party + ".json"));
    for (const auto& [name, param] : t["parameters"].items()) {
      if (param["type"] == "secureString") {
        EXPECT_FALSE(param.contains("defaultValue")) << party << ": " << name;
      }
    }
    for (const char* secret : {"operatorToken", "groupToken", "tlsKey", "storageConnectionString",
                               "identityCredential"}) {
      EXPECT_EQ(t["parameters"][secret]["type"], "secureString") << party << ": " << secret;
    }
    for (const json& v : t["resources"][0]["properties"]["volumes"]) {
      if (v["name"] == "mpcc-config") continue;
      for (const auto& [file, value] : v["secret"].items()) {
        EXPECT_EQ(value.get<std::string>().rfind("[base64(parameters('", 0), 0u) << file;
      }
    }
  }
}

TEST(ExportK8s, ManifestsRunTheSidecarBesideTheAppUnderKataCc) {
  const CloudPlan p = plan(CloudPlatform::kK8s);
  const auto files = by_name(export_k8s(p));
  expect_no_secrets(files);
  std::map<std::string, std::string> host_data;
  for (const char* party : {"contoso", "fabrikam", "woodgrove", "snooper"}) {
    SCOPED_TRACE(party);
    const json list = json::parse(files.at(std::string("party-") + party + ".json"));
    EXPECT_EQ(list["kind"], "List");
    ASSERT_EQ(list["items"].size(), 3u);
    std::vector<std::string> kinds;
    for (const json& item : list["items"]) kinds.push_back(item["kind"]);
    EXPECT_EQ(kinds, (std::vector<std::string>{"ConfigMap", "Deployment", "Service"}))
        << "Secrets are referenced, never included";
    const json& pod = list["items"][1]["spec"]["template"];
    const bool confidential = std::string(party) != "snooper";
    EXPECT_EQ(pod["spec"].contains("runtimeClassName"), confidential);
    EXPECT_EQ(pod["metadata"].contains("annotations"), confidential);
    if (confidential) {
      EXPECT_EQ(pod["spec"]["runtimeClassName"], "kata-cc-isolation");
      const std::string text =
          decode(pod["metadata"]["annotations"]["io.katacontainers.config.agent.policy"]);
      host_data[party] = sha256_hex(text);
      EXPECT_NE(text.find("\"platform\":\"k8s\""), std::string::npos);
      EXPECT_NE(text.find(sha256_hex(list["items"][0]["data"]["party.json"])), std::string::npos)
          << "the ConfigMap's config is pinned";
    }
    const json& containers = pod["spec"]["containers"];
    ASSERT_EQ(containers.size(), 2u);
    EXPECT_EQ(containers[0]["name"], std::string("party-") + party);
    EXPECT_EQ(containers[0]["ports"][0]["containerPort"], 443);
    EXPECT_EQ(containers[0]["image"], kImage);
    EXPECT_EQ(containers[1]["name"], std::string("sidecar-") + party);
    EXPECT_FALSE(containers[1].contains("ports"));
    EXPECT_EQ(pod["spec"]["volumes"][1]["secret"]["secretName"],
              std::string("mpcc-") + party + "-secrets");
    const json& service = list["items"][2];
    EXPECT_EQ(service["spec"]["ports"][0]["port"], 443);
    EXPECT_EQ(service["spec"]["selector"], list["items"][1]["spec"]["selector"]["matchLabels"]);
  }
  expect_release_policies_match(files, host_data);
  const CloudPlan aci = plan(CloudPlatform::kAci);
  EXPECT_NE(host_data["contoso"], aci.find("contoso").value()->host_data)
      << "another platform, another policy";
}

TEST(Export, ConfigsAreValidPartyConfigs) {
  for (CloudPlatform platform : {CloudPlatform::kAci, CloudPlatform::kK8s}) {
    for (const CloudGroup& g : plan(platform).groups) {
      StatusOr<party::PartyConfig> c = party::parse_party_config(json::parse(g.config_text));
      ASSERT_TRUE(c.ok()) << g.spec.name << ": " << c.status().to_string();
      EXPECT_EQ(c->listen_port, 443);
      EXPECT_EQ(c->sidecar_url, "http://127.0.0.1:8080");
    }
  }
  const CloudPlan aci = plan(CloudPlatform::kAci);
  const json c = json::parse(aci.find("contoso").value()->config_text);
  EXPECT_EQ(c["partner_readers"][0]["object_id"], "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(c["partner_readers"][0]["host_data"], aci.find("woodgrove").value()->host_data);
}

TEST(Export, IsDeterministicOnDisk) {
  mpcc::testing::TempDir tmp("export");
  for (CloudPlatform platform : {CloudPlatform::kAci, CloudPlatform::kK8s}) {
    auto files = [&] {
      const CloudPlan p = plan(platform);
      return platform == CloudPlatform::kAci ? export_aci(p) : export_k8s(p);
    };
    const std::vector<ExportFile> first = files();
    const fs::path a = tmp.path() / (std::string(platform_name(platform)) + "-a");
    const fs::path b = tmp.path() / (std::string(platform_name(platform)) + "-b");
    ASSERT_TRUE(write_export(a, first).ok());
    ASSERT_TRUE(write_export(b, files()).ok());
    for (const ExportFile& f : first) {
      std::ifstream fa(a / f.name, std::ios::binary);
      std::ifstream fb(b / f.name, std::ios::binary);
      const std::string ca((std::istreambuf_iterator<char>(fa)), std::istreambuf_iterator<char>());
      const std::string cb((std::istreambuf_iterator<char>(fb)), std::istreambuf_iterator<char>());
      EXPECT_EQ(ca, f.content) << f.name;
      EXPECT_EQ(ca, cb) << f.name;
    }
  }
}

TEST(Export, RefusesBadInputs) {
  EXPECT_EQ(plan(CloudPlatform::kAci).find("nobody").status().code(), StatusCode::kNotFound);
  const DeploymentFile file = must(embedded_deployment_file());
  auto refused = [&](const std::function<void(ExportOptions&)>& change, const std::string& text) {
    ExportOptions o = options();
    change(o);
    StatusOr<CloudPlan> p = plan_cloud(file, CloudPlatform::kAci, o);
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(p.status().message().find(text), std::string::npos) << p.status().message();
  };
  refused([](ExportOptions& o) { o.image = "example.azurecr.io/mpcc:latest"; }, "--image");
  refused([](ExportOptions& o) { o.image = "mpcc@sha256:abc"; }, "sha256:<64 lowercase hex>");
  refused([](ExportOptions& o) { o.image = "mpcc"; }, "binary's SHA-256 is unknown");
  refused([](ExportOptions& o) { o.maa_endpoint = "https://sharedeus.eus.attest.azure.net"; },
          "without https://");
  refused([](ExportOptions& o) { o.prefix = "Bad_Prefix"; }, "--prefix");
  refused([](ExportOptions& o) { o.prefix = "muchtoolong"; }, "--prefix");
  refused([](ExportOptions& o) { o.location = "East US"; }, "--location");
  refused([](ExportOptions& o) { o.tenant_id = "tenant"; }, "--tenant-id");
  refused([](ExportOptions& o) { o.object_ids["nobody"] = kPlaceholderGuid; }, "no such identity");
  refused([](ExportOptions& o) { o.object_ids["woodgrove"] = "x"; }, "not a GUID");
  refused([](ExportOptions& o) { o.runtime_class = "Kata CC"; }, "--runtime-class");

  ExportOptions local = options();
  local.image = "mpcc";
  local.binary_sha256 = std::string(64, '1');
  EXPECT_EQ(must(plan_cloud(file, CloudPlatform::kAci, local)).image,
            "mpcc@sha256:" + std::string(64, '1'));

  mpcc::testing::TempDir tmp("export_bad");
  std::ofstream(tmp.path() / "file") << "x";
  Status s = write_export(tmp.path() / "file", {{"a.json", "{}"}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
  s = write_export(tmp.path() / "file" / "sub", {{"a.json", "{}"}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot create"), std::string::npos) << s.to_string();
}

}  // namespace
}  // namespace mpcc::deploy
