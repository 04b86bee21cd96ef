#include "deploy/party_plan.h"

#include <fmt/format.h>

#include "crypto/hash.h"
#include "deploy/security_policy.h"
#include "http/client.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kLoopback = "127.0.0.1";

template <typename Map>
StatusOr<typename Map::mapped_type> lookup(const Map& map, const std::string& key,
                                           const std::string& what) {
  auto it = map.find(key);
  if (it == map.end()) return failed_precondition(fmt::format("no {} for {}", what, key));
  return it->second;
}

// Everything one party's plan is built from.
class Planner {
 public:
  Planner(const DeploymentFile& file, const Layout& layout, const DeploymentNetwork& network,
          const std::map<std::string, IdentityEndpoint>& identities)
      : file_(file), layout_(layout), network_(network), identities_(identities) {}

  StatusOr<std::string> app_url(const std::string& party) const {
    MPCC_ASSIGN_OR_RETURN(int port, lookup(network_.app_ports, party, "app port"));
    return fmt::format("https://{}:{}", kLoopback, port);
  }
  StatusOr<std::string> sidecar_url(const std::string& party) const {
    MPCC_ASSIGN_OR_RETURN(int port, lookup(network_.sidecar_ports, party, "sidecar port"));
    return fmt::format("http://{}:{}", kLoopback, port);
  }
  StatusOr<std::string> vault_endpoint(const std::string& vault) const {
    MPCC_ASSIGN_OR_RETURN(std::string url, lookup(network_.vault_urls, vault, "URL of vault"));
    return host_port(url);
  }
  StatusOr<json> key_of(const PartySpec& p) const {
    MPCC_ASSIGN_OR_RETURN(std::string vault, vault_endpoint(p.vault));
    return json{{"vault", vault}, {"name", p.key}};
  }
  StatusOr<IdentityEndpoint> identity(const std::string& name) const {
    return lookup(identities_, name, "identity");
  }

  // `host_data`: the analysts' (planned before the owners).
  StatusOr<json> config(const PartySpec& p,
                        const std::map<std::string, std::string>& host_data) const {
    MPCC_ASSIGN_OR_RETURN(int app_port, lookup(network_.app_ports, p.name, "app port"));
    MPCC_ASSIGN_OR_RETURN(std::string app, app_url(p.name));
    MPCC_ASSIGN_OR_RETURN(std::string sidecar, sidecar_url(p.name));
    MPCC_ASSIGN_OR_RETURN(std::string maa, host_port(network_.attestation_url));
    MPCC_ASSIGN_OR_RETURN(json key, key_of(p));
    MPCC_ASSIGN_OR_RETURN(IdentityEndpoint id, identity(p.identity));
    const std::string cert_name = "party-" + p.name;
    json c = {
        {"party", p.name},
        {"display_name", p.display_name},
        {"role", role_name(p.role)},
        {"sku", sku_name(p.sku)},
        {"listen",
         {{"host", kLoopback},
          {"port", app_port},
          {"tls_cert", (layout_.ca_dir() / (cert_name + ".pem")).string()},
          {"tls_key", (layout_.ca_dir() / (cert_name + ".key")).string()}}},
        {"ca_cert", layout_.ca_cert().string()},
        {"operator_token_file", layout_.operator_token(p.name).string()},
        {"sidecar", {{"url", sidecar}, {"group_token_file", layout_.group_token(p.name).string()}}},
        {"maa_endpoint", maa},
        {"key", key},
        {"storage", {{"type", file_.storage_type}, {"path", layout_.blobs_dir().string()}}},
        {"container", file_.container},
        {"csv_file", p.csv.empty() ? json(nullptr) : json(p.csv.string())},
        {"other_company", nullptr},
        {"partners", json::array()},
        {"identity",
         {{"endpoint", network_.identity_url},
          {"credential_file", id.credential_file.string()},
          {"client_id", id.client_id}}},
        {"identity_issuer", network_.identity_url},
        {"audience", app},
        {"partner_readers", json::array()},
        {"analysis", {{"min_group_size", file_.min_group_size}}},
        {"branding", p.branding},
        {"frame_ancestors", network_.view_url.empty() ? json::array()
                                                      : json::array({network_.view_url})},
    };
    if (const PartySpec* other = file_.find(p.other_company); other != nullptr) {
      MPCC_ASSIGN_OR_RETURN(json other_key, key_of(*other));
      c["other_company"] = {
          {"name", other->name}, {"display_name", other->display_name}, {"key", other_key}};
    }
    for (const std::string& name : p.partners) {
      const PartySpec* partner = file_.find(name);
      if (partner == nullptr) return failed_precondition("no party " + name);
      MPCC_ASSIGN_OR_RETURN(json partner_key, key_of(*partner));
      MPCC_ASSIGN_OR_RETURN(std::string partner_app, app_url(name));
      c["partners"].push_back({{"name", partner->name},
                               {"display_name", partner->display_name},
                               {"key", partner_key},
                               {"app_url", partner_app}});
    }
    if (p.role == PartyRole::kOwner && !file_.analysts_of(p.name).empty()) {
      MPCC_ASSIGN_OR_RETURN(IdentityEndpoint admin, identity(admin_identity(p)));
      c["admin_identity"] = {{"credential_file", admin.credential_file.string()},
                             {"client_id", admin.client_id}};
    }
    if (p.role == PartyRole::kOwner) {
      for (const PartySpec* analyst : file_.analysts_of(p.name)) {
        MPCC_ASSIGN_OR_RETURN(IdentityEndpoint reader, identity(analyst->identity));
        auto analyst_host_data = host_data.find(analyst->name);
        c["partner_readers"].push_back(
            {{"name", analyst->name},
             {"display_name", analyst->display_name},
             {"object_id", reader.object_id},
             {"host_data", analyst_host_data == host_data.end() ? json(nullptr)
                                                                : json(analyst_host_data->second)}});
      }
    }
    return c;
  }

  StatusOr<std::vector<std::string>> sidecar_args(const PartySpec& p) const {
    MPCC_ASSIGN_OR_RETURN(int port, lookup(network_.sidecar_ports, p.name, "sidecar port"));
    MPCC_ASSIGN_OR_RETURN(IdentityEndpoint id, identity(p.identity));
    MPCC_ASSIGN_OR_RETURN(std::string maa, host_port(network_.attestation_url));
    std::vector<std::string> a = {"serve",
                                  "skr",
                                  "--port",
                                  std::to_string(port),
                                  "--ca-cert",
                                  layout_.ca_cert().string(),
                                  "--identity-endpoint",
                                  network_.identity_url,
                                  "--identity-credential-file",
                                  id.credential_file.string(),
                                  "--group-token-file",
                                  layout_.group_token(p.name).string(),
                                  "--allow-endpoint",
                                  maa};
    for (const std::string& vault : file_.vaults()) {
      MPCC_ASSIGN_OR_RETURN(std::string endpoint, vault_endpoint(vault));
      a.insert(a.end(), {"--allow-endpoint", endpoint});
    }
    if (p.confidential()) {
      a.insert(a.end(), {"--security-context", layout_.security_context_dir(p.name).string(),
                         "--sev-guest", layout_.guest_channel(p.name).string()});
    }
    return a;
  }

 private:
  const DeploymentFile& file_;
  const Layout& layout_;
  const DeploymentNetwork& network_;
  const std::map<std::string, IdentityEndpoint>& identities_;
};

std::vector<std::string> with_common(const std::vector<std::string>& common,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> out = common;
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

std::vector<std::string> with_executable(const ExecutableInfo& exe,
                                         const std::vector<std::string>& args) {
  return with_common({exe.path.string()}, args);
}

}  // namespace

const std::vector<std::string>& party_env_unset() {
  static const std::vector<std::string> kNames = {"MPCC_SEV_GUEST", "UVM_SECURITY_CONTEXT_DIR",
                                                  "UVM_SECURITY_POLICY", "UVM_HOST_AMD_CERTIFICATE",
                                                  "UVM_REFERENCE_INFO"};
  return kNames;
}

StatusOr<std::string> host_port(const std::string& url) {
  MPCC_ASSIGN_OR_RETURN(http::Url u, http::Url::parse(url));
  return fmt::format("{}:{}", u.host, u.port);
}

std::vector<std::string> app_signature(const Layout& layout, const std::string& party) {
  return {"--config", layout.party_config(party).string()};
}

std::vector<std::string> sidecar_signature(const Layout& layout, const std::string& party) {
  return {"--group-token-file", layout.group_token(party).string()};
}

StatusOr<std::vector<PartyPlan>> plan_parties(
    const DeploymentFile& file, const Layout& layout, const DeploymentNetwork& network,
    const std::map<std::string, IdentityEndpoint>& identities, const ExecutableInfo& exe,
    const std::vector<std::string>& common_args, const std::optional<fs::path>& web_root) {
  const Planner planner(file, layout, network, identities);
  // Analysts first: an owner's config names its analysts' host_data (so the
  // owner can withdraw and restore their grant); the plans come out in the
  // file's order.
  std::vector<PartySpec> ordered;
  for (const PartySpec& p : file.parties) {
    if (p.role == PartyRole::kAnalyst) ordered.push_back(p);
  }
  for (const PartySpec& p : file.parties) {
    if (p.role != PartyRole::kAnalyst) ordered.push_back(p);
  }
  std::map<std::string, std::string> host_data;
  std::map<std::string, PartyPlan> planned;
  for (const PartySpec& p : ordered) {
    PartyPlan plan;
    plan.spec = p;
    MPCC_ASSIGN_OR_RETURN(plan.app_url, planner.app_url(p.name));
    MPCC_ASSIGN_OR_RETURN(plan.sidecar_url, planner.sidecar_url(p.name));
    MPCC_ASSIGN_OR_RETURN(plan.config, planner.config(p, host_data));
    plan.config_text = plan.config.dump(2) + "\n";
    plan.app_args = with_common(
        common_args, {"serve", "party", "--config", layout.party_config(p.name).string()});
    if (web_root) plan.app_args.insert(plan.app_args.end(), {"--web-root", web_root->string()});
    MPCC_ASSIGN_OR_RETURN(std::vector<std::string> sidecar, planner.sidecar_args(p));
    plan.sidecar_args = with_common(common_args, sidecar);
    if (p.confidential()) {
      // The policy covers both argv, the image (binary) and every file they use.
      MPCC_ASSIGN_OR_RETURN(IdentityEndpoint id, planner.identity(p.identity));
      LocalPolicyInputs in;
      in.executable_sha256 = exe.sha256;
      in.app_argv = with_executable(exe, plan.app_args);
      in.sidecar_argv = with_executable(exe, plan.sidecar_args);
      in.config_text = plan.config_text;
      in.identity_credential = id.credential_file;
      if (p.role == PartyRole::kOwner && !file.analysts_of(p.name).empty()) {
        MPCC_ASSIGN_OR_RETURN(IdentityEndpoint admin, planner.identity(admin_identity(p)));
        in.admin_credential = admin.credential_file;
      }
      in.env_unset = party_env_unset();
      MPCC_ASSIGN_OR_RETURN(PolicyDocument doc, local_policy_document(p, layout, in));
      plan.policy_text = security_policy_text(doc);
      plan.host_data = policy_host_data(plan.policy_text);
    }
    if (!plan.host_data.empty()) host_data[p.name] = plan.host_data;
    planned[p.name] = std::move(plan);
  }
  std::vector<PartyPlan> plans;
  for (const PartySpec& p : file.parties) plans.push_back(std::move(planned.at(p.name)));
  return plans;
}

json endpoints_parties(const std::vector<PartyPlan>& plans, const Layout& layout,
                       const DeploymentNetwork& network) {
  json out = json::object();
  for (const PartyPlan& plan : plans) {
    const PartySpec& p = plan.spec;
    auto vault = network.vault_urls.find(p.vault);
    out[p.name] = {
        {"app", plan.app_url},
        {"display_name", p.display_name},
        {"sku", sku_name(p.sku)},
        {"role", role_name(p.role)},
        {"vault", vault == network.vault_urls.end() ? "" : vault->second},
        {"key", p.key},
        {"identity", p.identity},
        {"credential_file", layout.operator_token(p.name).string()},
        {"sidecar", plan.sidecar_url},
        {"host_data", plan.host_data.empty() ? json(nullptr) : json(plan.host_data)},
    };
  }
  return out;
}

ViewPlan plan_view(const std::vector<PartyPlan>& plans, const Layout& layout,
                   const DeploymentNetwork& network, int port,
                   const std::vector<std::string>& common_args,
                   const std::optional<fs::path>& web_root) {
  ViewPlan v;
  v.url = fmt::format("https://{}:{}", kLoopback, port);
  json parties = json::array();
  for (const PartyPlan& plan : plans) {
    auto vault = network.vault_urls.find(plan.spec.vault);
    parties.push_back(
        {{"name", plan.spec.name},
         {"display_name", plan.spec.display_name},
         {"role", role_name(plan.spec.role)},
         {"sku", sku_name(plan.spec.sku)},
         {"app", plan.app_url},
         {"vault", vault == network.vault_urls.end() ? "" : vault->second},
         {"key", plan.spec.key},
         {"host_data", plan.host_data.empty() ? json(nullptr) : json(plan.host_data)}});
  }
  v.config = {{"title", "Multi-Party Confidential Computing Demonstration"},
              {"listen",
               {{"host", kLoopback},
                {"port", port},
                {"tls_cert", (layout.ca_dir() / "view.pem").string()},
                {"tls_key", (layout.ca_dir() / "view.key").string()}}},
              {"parties", parties}};
  v.config_text = v.config.dump(2) + "\n";
  v.args = with_common(common_args, view_signature(layout));
  v.args.insert(v.args.begin() + static_cast<std::ptrdiff_t>(common_args.size()),
                {"serve", "view"});
  if (web_root) v.args.insert(v.args.end(), {"--web-root", web_root->string()});
  return v;
}

std::vector<std::string> view_signature(const Layout& layout) {
  return {"--config", layout.view_config().string()};
}

}  // namespace mpcc::deploy
