#include "deploy/export_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "common/bytes.h"
#include "crypto/hash.h"
#include "deploy/state_files.h"
#include "deploy/vault_keys.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kImagePath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// What the platform adds to every container's environment (seed-app 12.1 for ACI).
std::vector<EnvRule> platform_env(CloudPlatform platform, bool sidecar) {
  std::vector<EnvRule> rules = {{kImagePath, "string", false}, {"HOSTNAME=.+", "re2", false}};
  if (platform == CloudPlatform::kK8s) {
    rules.push_back({"KUBERNETES_[A-Z0-9_]+=.+", "re2", false});
    return rules;
  }
  for (const char* p :
       {"(?i)(FABRIC)_.+=.+", "T(E)?MP=.+", "FabricPackageFileName=.+", "HostedServiceName=.+",
        "IDENTITY_[A-Z_]+=.+", "azurecontainerinstance_restarted_by=.+"}) {
    rules.push_back({p, "re2", false});
  }
  if (sidecar) rules.push_back({"UVM_[A-Z_]+=.+", "re2", false});  // the security context
  return rules;
}

std::string upper_env(std::string_view name) {
  std::string out;
  for (char c : name) out += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

std::string camel(std::string_view name) {
  std::string out;
  bool up = true;
  for (char c : name) {
    if (c == '-') {
      up = true;
    } else {
      out += up ? static_cast<char>(std::toupper(c)) : c;
      up = false;
    }
  }
  return out;
}

std::string secret_path(const char* file) { return fmt::format("{}/{}", kSecretsDir, file); }

class Planner {
 public:
  explicit Planner(CloudPlan& plan) : plan_(plan) {}

  std::string vault_host(const std::string& vault) const {
    return plan_.vault_name(vault) + ".vault.azure.net";
  }
  std::string app_url(const std::string& party) const {
    const std::string label = plan_.options.prefix + "-" + party;
    if (plan_.platform == CloudPlatform::kK8s) return "https://" + label;
    return fmt::format("https://{}.{}.azurecontainer.io", label, plan_.options.location);
  }
  std::string object_id(const std::string& identity) const {
    auto it = plan_.options.object_ids.find(identity);
    return it == plan_.options.object_ids.end() ? kPlaceholderGuid : it->second;
  }
  json key_of(const PartySpec& p) const {
    return {{"vault", vault_host(p.vault)}, {"name", p.key}};
  }

  std::vector<CloudEnv> env(const PartySpec& p) const {
    std::vector<CloudEnv> env = {{"SKR_KEY_NAME", p.key, "skrKeyName"},
                                 {"SKR_MAA_ENDPOINT", plan_.options.maa_endpoint, "skrMaaEndpoint"},
                                 {"SKR_AKV_ENDPOINT", vault_host(p.vault), "skrAkvEndpoint"}};
    for (const std::string& name : p.partners) {
      const PartySpec* partner = plan_.file.find(name);
      env.push_back({"PARTNER_" + upper_env(name) + "_AKV_ENDPOINT", vault_host(partner->vault),
                     "partner" + camel(name) + "AkvEndpoint"});
      env.push_back(
          {"PARTNER_" + upper_env(name) + "_URL", app_url(name), "partner" + camel(name) + "Url"});
    }
    return env;
  }

  // The app's party.json inside the container (party/party_config.h).
  json config(const PartySpec& p, const std::map<std::string, std::string>& host_data) const {
    const std::string app = app_url(p.name);
    json c = {
        {"party", p.name},
        {"display_name", p.display_name},
        {"role", role_name(p.role)},
        {"sku", sku_name(p.sku)},
        {"listen",
         {{"host", "0.0.0.0"},
          {"port", kCloudAppPort},
          {"tls_cert", secret_path("tls-cert")},
          {"tls_key", secret_path("tls-key")}}},
        {"ca_cert", secret_path("ca-cert")},
        {"operator_token_file", secret_path("operator-token")},
        {"sidecar",
         {{"url", fmt::format("http://127.0.0.1:{}", kCloudSidecarPort)},
          {"group_token_file", fmt::format("{}/{}", kGroupDir, kGroupTokenFile.file)}}},
        {"maa_endpoint", plan_.options.maa_endpoint},
        {"key", key_of(p)},
        {"storage",
         {{"type", "azure"}, {"connection_string_file", secret_path("storage-connection-string")}}},
        {"container", plan_.file.container},
        {"csv_file", p.csv.empty() ? json(nullptr) : json(csv_path(p))},
        {"other_company", nullptr},
        {"partners", json::array()},
        {"identity",
         {{"endpoint", kImdsEndpoint},
          {"credential_file", secret_path("identity-credential")},
          {"client_id", ""}}},
        {"identity_issuer", fmt::format("https://sts.windows.net/{}/", plan_.options.tenant_id)},
        {"audience", app},
        {"partner_readers", json::array()},
        {"analysis", {{"min_group_size", plan_.file.min_group_size}}},
        {"branding", p.branding},
        {"frame_ancestors", json::array()},
    };
    if (const PartySpec* other = plan_.file.find(p.other_company); other != nullptr) {
      c["other_company"] = {
          {"name", other->name}, {"display_name", other->display_name}, {"key", key_of(*other)}};
    }
    for (const std::string& name : p.partners) {
      const PartySpec* partner = plan_.file.find(name);
      c["partners"].push_back({{"name", partner->name},
                               {"display_name", partner->display_name},
                               {"key", key_of(*partner)},
                               {"app_url", app_url(name)}});
    }
    if (p.role == PartyRole::kOwner) {
      for (const PartySpec* analyst : plan_.file.analysts_of(p.name)) {
        auto hd = host_data.find(analyst->name);
        c["partner_readers"].push_back(
            {{"name", analyst->name},
             {"display_name", analyst->display_name},
             {"object_id", object_id(analyst->identity)},
             {"host_data", hd == host_data.end() ? json(nullptr) : json(hd->second)}});
      }
    }
    return c;
  }

  StatusOr<PolicyDocument> policy(const PartySpec& p, const std::string& config_text) const {
    auto file = [](std::string name, std::string path, std::string sha256 = "") {
      return PolicyMount{std::move(name), std::move(path), MountKind::kFile, true,
                         std::move(sha256)};
    };
    const std::string group_token = fmt::format("{}/{}", kGroupDir, kGroupTokenFile.file);
    PolicyContainer app;
    app.name = "party-" + p.name;
    app.image = plan_.image;
    app.command = {kCloudBinary, "serve", "party", "--config",
                   fmt::format("{}/party.json", kConfigDir)};
    for (const CloudEnv& e : env(p))
      app.env_rules.push_back({e.name + "=" + e.value, "string", true});
    for (const EnvRule& r : platform_env(plan_.platform, false)) app.env_rules.push_back(r);
    app.mounts.push_back(file("config", fmt::format("{}/party.json", kConfigDir),
                              hex_encode(crypto::sha256(config_text))));
    if (!p.csv.empty()) {
      MPCC_ASSIGN_OR_RETURN(std::string csv_sha256, file_sha256(p.csv));
      app.mounts.push_back(file("csv", csv_path(p), csv_sha256));
    }
    for (const SecretFile& s : app_secret_files()) {
      app.mounts.push_back(PolicyMount{s.file, secret_path(s.file),
                                       s.secret ? MountKind::kSecret : MountKind::kFile, true, ""});
    }
    app.mounts.push_back(PolicyMount{"group-token", group_token, MountKind::kSecret, true, ""});

    PolicyContainer skr;
    skr.name = "sidecar-" + p.name;
    skr.image = plan_.image;
    skr.command = {kCloudBinary,
                   "serve",
                   "skr",
                   "--port",
                   std::to_string(kCloudSidecarPort),
                   "--host",
                   "127.0.0.1",
                   "--identity-endpoint",
                   kImdsEndpoint,
                   "--group-token-file",
                   group_token,
                   "--allow-endpoint",
                   plan_.options.maa_endpoint};
    for (const std::string& v : plan_.vaults) {
      skr.command.insert(skr.command.end(), {"--allow-endpoint", vault_host(v)});
    }
    skr.env_rules = platform_env(plan_.platform, true);
    skr.mounts.push_back(PolicyMount{"group-token", group_token, MountKind::kSecret, true, ""});
    if (p.confidential()) {
      skr.mounts.push_back(
          PolicyMount{"sev-guest", "/dev/sev-guest", MountKind::kDevice, false, ""});
    }
    return PolicyDocument{p.name,
                          p.display_name,
                          std::string(role_name(p.role)),
                          std::string(platform_name(plan_.platform)),
                          {app, skr}};
  }

 private:
  static std::string csv_path(const PartySpec& p) {
    return fmt::format("{}/{}", kCloudDataDir, p.csv.filename().string());
  }
  CloudPlan& plan_;
};

}  // namespace

std::string_view platform_name(CloudPlatform platform) {
  return platform == CloudPlatform::kAci ? "aci" : "k8s";
}

const std::vector<SecretFile>& app_secret_files() {
  static const std::vector<SecretFile> kFiles = {
      {"operator-token", "operatorToken", true},
      {"tls-cert", "tlsCertificate", false},
      {"tls-key", "tlsKey", true},
      {"ca-cert", "caCertificate", false},
      {"storage-connection-string", "storageConnectionString", true},
      {"identity-credential", "identityCredential", true},
  };
  return kFiles;
}

StatusOr<const CloudGroup*> CloudPlan::find(std::string_view party) const {
  for (const CloudGroup& g : groups) {
    if (g.spec.name == party) return &g;
  }
  return not_found(fmt::format("no party \"{}\" in the deployment file", party));
}

std::string CloudPlan::vault_name(std::string_view vault) const {
  return fmt::format("kv-{}-{}", options.prefix, vault);
}

std::string CloudPlan::identity_name(std::string_view identity) const {
  return fmt::format("id-{}-{}", options.prefix, identity);
}

StatusOr<CloudPlan> plan_cloud(const DeploymentFile& file, CloudPlatform platform,
                               const ExportOptions& options) {
  MPCC_RETURN_IF_ERROR(check_export_options(options));
  CloudPlan plan;
  plan.platform = platform;
  plan.options = options;
  plan.file = file;
  plan.vaults = file.vaults();
  MPCC_ASSIGN_OR_RETURN(plan.image, resolve_image(options));
  const std::vector<std::string> identities = file.identities();
  for (const auto& [identity, oid] : options.object_ids) {
    if (std::find(identities.begin(), identities.end(), identity) == identities.end()) {
      return invalid_argument(
          fmt::format("--object-id {}: no such identity in the deployment file", identity));
    }
  }
  for (const std::string& v : plan.vaults) {
    const std::string name = plan.vault_name(v);
    if (name.size() > 24) {
      return invalid_argument(fmt::format(
          "vault {}: the Azure name {} is longer than 24 characters (use a shorter --prefix)", v,
          name));
    }
  }
  // Analysts first: an owner's config names its analysts' host_data.
  const Planner planner(plan);
  std::map<std::string, CloudGroup> planned;
  std::map<std::string, std::string> host_data;
  for (bool analysts : {true, false}) {
    for (const PartySpec& p : file.parties) {
      if ((p.role == PartyRole::kAnalyst) != analysts) continue;
      CloudGroup g;
      g.spec = p;
      g.dns_label = options.prefix + "-" + p.name;
      g.name = platform == CloudPlatform::kAci ? "aci-" + g.dns_label : g.dns_label;
      g.app_url = planner.app_url(p.name);
      g.vault_host = planner.vault_host(p.vault);
      g.identity_name = plan.identity_name(p.identity);
      g.env = planner.env(p);
      g.config_text = planner.config(p, host_data).dump(2) + "\n";
      MPCC_ASSIGN_OR_RETURN(g.policy, planner.policy(p, g.config_text));
      if (p.confidential()) {
        g.policy_text = security_policy_text(g.policy);
        g.host_data = policy_host_data(g.policy_text);
        host_data[p.name] = g.host_data;
      }
      planned[p.name] = std::move(g);
    }
  }
  for (const PartySpec& p : file.parties) plan.groups.push_back(std::move(planned.at(p.name)));
  for (const std::string& v : plan.vaults) {
    const PartySpec* holder = file.key_holder(v);
    MPCC_ASSIGN_OR_RETURN(
        json policy,
        key_release_policy(file, *holder, "https://" + options.maa_endpoint, host_data));
    plan.release_policies.emplace_back(holder->key, std::move(policy));
  }
  return plan;
}

}  // namespace mpcc::deploy
