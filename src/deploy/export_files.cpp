#include "deploy/export_files.h"

#include <fmt/format.h>

#include <map>

#include "common/bytes.h"
#include "common/file_io.h"
#include "crypto/hash.h"
#include "deploy/vault_keys.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

std::string json_file(const json& j) { return j.dump(2) + "\n"; }

void add_common_files(std::vector<ExportFile>& files, const CloudPlan& plan,
                      const std::string& readme) {
  for (const CloudGroup& g : plan.groups) {
    if (!g.policy_text.empty()) {
      files.push_back({"security-policy-" + g.spec.name + ".rego", g.policy_text});
    }
  }
  for (const auto& [key, policy] : plan.release_policies) {
    files.push_back({"release-policy-" + key + ".json", json_file(policy)});
  }
  files.push_back({"README.md", readme});

  std::map<std::string, std::string> hashes;
  for (const ExportFile& f : files) hashes[f.name] = hex_encode(crypto::sha256(f.content));
  json listed = json::array();
  for (const auto& [name, sha256] : hashes) listed.push_back({{"name", name}, {"sha256", sha256}});
  json parties = json::object();
  for (const CloudGroup& g : plan.groups) {
    parties[g.spec.name] = {{"sku", sku_name(g.spec.sku)},
                            {"host_data", g.host_data.empty() ? json(nullptr) : json(g.host_data)}};
  }
  files.push_back({"manifest.json", json_file({{"format", "mpcc-export-v1"},
                                               {"platform", platform_name(plan.platform)},
                                               {"image", plan.image},
                                               {"files", listed},
                                               {"parties", parties}})});
}

std::string party_table(const CloudPlan& plan,
                        const std::function<std::string(const CloudGroup&)>& file_of) {
  std::string out = "| party | file | SKU | host_data |\n|---|---|---|---|\n";
  for (const CloudGroup& g : plan.groups) {
    out += fmt::format("| {} | `{}` | {} | {} |\n", g.spec.display_name, file_of(g),
                       sku_name(g.spec.sku), g.host_data.empty() ? "-" : "`" + g.host_data + "`");
  }
  return out + "\n";
}

std::string azure_setup_commands(const CloudPlan& plan) {
  const DeploymentFile& file = plan.file;
  auto principal = [&](const std::string& identity) {
    return fmt::format("\"$(az identity show -g \"$RG\" -n {} --query principalId -o tsv)\"",
                       plan.identity_name(identity));
  };
  std::string out =
      "## 1. Check the policies\n\n"
      "HOST_DATA is the SHA-256 of a policy's text (docs/security-policy.md); the release\n"
      "policies and manifest.json name the same values:\n\n```sh\n"
      "for f in security-policy-*.rego; do echo \"$f $(mpcc policy hash \"$f\")\"; done\n```\n\n"
      "## 2. Secrets of each container group (keep them out of this folder)\n\n```sh\n"
      "mkdir -p secrets && chmod 700 secrets   # plus secrets/ca-cert and "
      "secrets/storage-connection-string\n";
  for (const CloudGroup& g : plan.groups) {
    out += fmt::format(
        "mkdir -p secrets/{0}\n"
        "openssl rand -base64 32 | tr '+/' '-_' | tr -d '=' > secrets/{0}/operator-token\n"
        "openssl rand -base64 32 | tr '+/' '-_' | tr -d '=' > secrets/{0}/group-token\n"
        "# secrets/{0}/tls-cert and tls-key: a certificate for {1}, signed by secrets/ca-cert\n",
        g.spec.name, g.app_url);
  }
  out += fmt::format(
      "```\n\n## 3. Identities, vaults, access policies, keys\n\n```sh\n"
      "RG=rg-{}\naz group create -n \"$RG\" -l {}\n",
      plan.options.prefix, plan.options.location);
  for (const std::string& identity : file.identities()) {
    if (identity == kDeployerIdentity) continue;
    out += fmt::format("az identity create -g \"$RG\" -n {}\n", plan.identity_name(identity));
  }
  out +=
      "```\n\nThe owners' apps accept an analyst's token by its object id: export again with\n"
      "them and your tenant before making the keys (this changes the owners' host_data):\n\n"
      "```sh\n";
  out += fmt::format(
      "mpcc export {} --state-dir DIR --out OUTDIR --image {} \\\n"
      "  --prefix {} --maa-endpoint {} {} \\\n"
      "  --tenant-id \"$(az account show --query tenantId -o tsv)\"",
      platform_name(plan.platform), plan.image, plan.options.prefix, plan.options.maa_endpoint,
      plan.platform == CloudPlatform::kAci ? "--location " + plan.options.location
                                           : "--runtime-class " + plan.options.runtime_class);
  for (const PartySpec& p : file.parties) {
    if (p.role == PartyRole::kAnalyst) {
      out += fmt::format(" \\\n  --object-id {}={}", p.identity, principal(p.identity));
    }
  }
  out += "\n```\n\n```sh\n";
  for (const std::string& vault : plan.vaults) {
    const std::string name = plan.vault_name(vault);
    out += fmt::format(
        "az keyvault create -g \"$RG\" -n {} -l {} --sku premium "
        "--enable-rbac-authorization false\n",
        name, plan.options.location);
    for (const AccessGrant& grant : file.access_grants(vault)) {
      if (grant.identity == kDeployerIdentity) continue;
      std::string permissions;
      for (const std::string& perm : grant.permissions) permissions += " " + perm;
      out += fmt::format("az keyvault set-policy -n {} --object-id {} --key-permissions{}\n", name,
                         principal(grant.identity), permissions);
    }
    const PartySpec* holder = file.key_holder(vault);
    out += fmt::format(
        "az keyvault key create --vault-name {} -n {} --kty RSA-HSM --size {} "
        "--ops wrapKey unwrapKey encrypt decrypt --exportable true "
        "--policy release-policy-{}.json\n",
        name, holder->key, kPartyKeySize, holder->key);
  }
  return out + "```\n\n";
}

Status write_export(const fs::path& out_dir, const std::vector<ExportFile>& files) {
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !fs::is_directory(out_dir, ec)) {
    return invalid_argument(out_dir.string() + " exists and is not a directory");
  }
  fs::create_directories(out_dir, ec);
  if (ec) return unavailable(fmt::format("cannot create {}: {}", out_dir.string(), ec.message()));
  constexpr fs::perms kReadable = fs::perms::owner_read | fs::perms::owner_write |
                                  fs::perms::group_read | fs::perms::others_read;
  for (const ExportFile& f : files) {
    MPCC_RETURN_IF_ERROR(write_file_atomic(out_dir / f.name, as_span(f.content), kReadable));
  }
  return ok_status();
}

}  // namespace mpcc::deploy
