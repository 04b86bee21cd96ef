#include "deploy/policy_check.h"

#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "deploy/deployment_record.h"
#include "deploy/endpoints.h"
#include "deploy/local_deployment.h"
#include "deploy/party_plan.h"
#include "deploy/security_policy.h"
#include "deploy/state_files.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;

namespace {

std::string party_names(const DeploymentFile& file) {
  std::string out;
  for (const PartySpec& p : file.parties) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

// The deployment in DIR and the confidential party `party` of it.
struct DeployedParty {
  Layout layout;
  DeploymentFile file;
  PartySpec spec;
};

StatusOr<DeployedParty> find_party(const fs::path& state_dir, const fs::path& executable,
                                   const std::string& party) {
  const LocalDeployment deployment(state_dir, executable);
  const Layout& layout = deployment.layout();
  std::error_code ec;
  if (!fs::exists(layout.deployment_json(), ec) || !fs::exists(layout.deployment_file_copy(), ec)) {
    return not_found(fmt::format("no deployment in {} (run `mpcc up --state-dir {}` first)",
                                 layout.root.string(), layout.root.string()));
  }
  MPCC_ASSIGN_OR_RETURN(DeploymentFile file, read_deployment_file(layout.deployment_file_copy()));
  const PartySpec* spec = file.find(party);
  if (spec == nullptr) {
    return not_found(fmt::format("no party \"{}\" in the deployment in {} (parties: {})", party,
                                 layout.root.string(), party_names(file)));
  }
  if (!spec->confidential()) {
    return failed_precondition(
        fmt::format("party {} runs on the {} SKU: it has no security policy and no host_data",
                    party, sku_name(spec->sku)));
  }
  PartySpec copy = *spec;
  return DeployedParty{layout, std::move(file), std::move(copy)};
}

// The --web-root up gave the apps (not recorded elsewhere): from the app's
// command in the deployed policy, where a verifier sees it anyway.
std::optional<fs::path> web_root_of(const std::string& deployed_policy) {
  StatusOr<nlohmann::json> containers = policy_containers(deployed_policy);
  if (!containers.ok() || containers->empty()) return std::nullopt;
  const nlohmann::json& argv = (*containers)[0].value("command", nlohmann::json::array());
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "--web-root" && argv[i + 1].is_string()) {
      return fs::path(argv[i + 1].get<std::string>());
    }
  }
  return std::nullopt;
}

}  // namespace

StatusOr<std::string> deployed_policy(const fs::path& state_dir, const std::string& party) {
  MPCC_ASSIGN_OR_RETURN(DeployedParty d, find_party(state_dir, "mpcc", party));
  return read_security_policy(d.layout.security_context_dir(party));
}

StatusOr<PolicyCheck> check_policy(const fs::path& state_dir, const fs::path& executable,
                                   const std::string& party) {
  MPCC_ASSIGN_OR_RETURN(DeployedParty d, find_party(state_dir, executable, party));
  MPCC_ASSIGN_OR_RETURN(std::optional<DeploymentRecord> record,
                        read_deployment_record(d.layout.deployment_json()));
  if (!record) return not_found("no deployment record " + d.layout.deployment_json().string());
  MPCC_ASSIGN_OR_RETURN(Endpoints endpoints, read_endpoints(d.layout.endpoints_json()));
  StatusOr<DeploymentNetwork> network = deployment_network(d.file, record->ports);
  if (!network.ok()) return network.status().with_context(d.layout.deployment_json().string());
  MPCC_ASSIGN_OR_RETURN(std::string deployed,
                        read_security_policy(d.layout.security_context_dir(party)));
  MPCC_ASSIGN_OR_RETURN(std::string exe_sha256, file_sha256(executable));
  MPCC_ASSIGN_OR_RETURN(std::vector<PartyPlan> plans,
                        plan_parties(d.file, d.layout, *network, endpoints.identities,
                                     ExecutableInfo{executable, exe_sha256}, child_common_args(),
                                     web_root_of(deployed)));
  PolicyCheck c;
  c.party = party;
  for (const PartyPlan& plan : plans) {
    if (plan.spec.name == party) c.recomputed_text = plan.policy_text;
  }
  c.recomputed_host_data = policy_host_data(c.recomputed_text);
  c.deployed_host_data = policy_host_data(deployed);
  if (deployed != c.recomputed_text) {
    c.differences.push_back(fmt::format(
        "the deployed policy ({}) hashes to {}, the recomputed one to {}; first difference, {}",
        (d.layout.security_context_dir(party) / kPolicyFileName).string(), c.deployed_host_data,
        c.recomputed_host_data, first_difference(deployed, c.recomputed_text)));
  }
  if (endpoints.parties.contains(party) && endpoints.parties[party].contains("host_data") &&
      endpoints.parties[party]["host_data"].is_string()) {
    c.endpoints_host_data = endpoints.parties[party]["host_data"].get<std::string>();
  }
  if (c.endpoints_host_data != c.recomputed_host_data) {
    c.differences.push_back(fmt::format(
        "{} parties.{}.host_data is {}, the recomputed policy hashes to {}",
        d.layout.endpoints_json().string(), party,
        c.endpoints_host_data.empty() ? "missing" : c.endpoints_host_data, c.recomputed_host_data));
  }
  return c;
}

std::string first_difference(const std::string& deployed, const std::string& recomputed) {
  std::istringstream a(deployed);
  std::istringstream b(recomputed);
  std::string la;
  std::string lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return deployed == recomputed ? "" : "line endings differ";
    if (!more_a) la = "(end of text)";
    if (!more_b) lb = "(end of text)";
    if (!more_a || !more_b || la != lb) {
      return fmt::format("line {}:\n  deployed:   {}\n  recomputed: {}", line, la, lb);
    }
  }
}

}  // namespace mpcc::deploy
