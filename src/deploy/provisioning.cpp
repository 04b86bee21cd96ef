#include "deploy/provisioning.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "common/file_io.h"
#include "deploy/security_policy.h"
#include "deploy/state_files.h"
#include "identity/identity_registry.h"
#include "keyvault/key_registry.h"
#include "platform/sim/simulated_chip.h"
#include "platform/sim/thim.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxChainFile = 1u << 20;

}  // namespace

StatusOr<http::LocalCaFiles> ensure_ca(const Layout& layout) {
  StatusOr<http::LocalCaFiles> ca = http::ensure_local_ca(layout.ca_dir());
  if (!ca.ok()) return ca.status().with_context("local CA");
  return ca;
}

StatusOr<http::TlsFiles> ensure_service_certificate(const Layout& layout,
                                                    const http::LocalCaFiles& ca,
                                                    const std::string& service) {
  StatusOr<http::TlsFiles> files =
      http::ensure_server_certificate(ca, layout.ca_dir(), service, {"localhost"}, {"127.0.0.1"});
  if (!files.ok()) return files.status().with_context("certificate for " + service);
  return files;
}

Status ensure_chip(const Layout& layout, bool& created) {
  namespace sim = platform::sim;
  created = false;
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.psp_dir()));
  if (!sim::SimulatedChip::exists(layout.psp_dir())) {
    MPCC_ASSIGN_OR_RETURN(sim::SimulatedChip chip, sim::SimulatedChip::create(sim::ChipConfig{}));
    MPCC_RETURN_IF_ERROR(chip.save(layout.psp_dir(), /*overwrite=*/false).with_context("psp"));
    created = true;
  }
  StatusOr<sim::SimulatedChip> chip = sim::SimulatedChip::load(layout.psp_dir());
  if (!chip.ok()) return chip.status().with_context("psp");
  const std::string chain = chip->vcek().pem() + chip->ask().pem() + chip->ark().pem();
  StatusOr<std::string> existing = read_text_file(layout.psp_chain(), kMaxChainFile);
  if (existing.ok() && *existing == chain) return ok_status();
  const fs::perms public_file = fs::perms::owner_read | fs::perms::owner_write |
                                fs::perms::group_read | fs::perms::others_read;
  return write_file_atomic(layout.psp_chain(), as_span(chain), public_file);
}

StatusOr<nlohmann::json> host_certification(const Layout& layout) {
  StatusOr<platform::sim::SimulatedChip> chip =
      platform::sim::SimulatedChip::load(layout.psp_dir());
  if (!chip.ok()) return chip.status().with_context("psp");
  return platform::sim::thim_certification(*chip);
}

StatusOr<std::map<std::string, IdentityEndpoint>> ensure_identities(
    const Layout& layout, const std::vector<std::string>& names, std::vector<std::string>& notes) {
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.identity_dir()));
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.credentials_dir()));
  StatusOr<std::unique_ptr<identity::IdentityRegistry>> registry =
      identity::IdentityRegistry::open(layout.identity_dir());
  if (!registry.ok()) return registry.status().with_context("identity registry");
  std::map<std::string, IdentityEndpoint> out;
  for (const std::string& name : names) {
    const fs::path credential = layout.credential_file(name);
    identity::Identity id;
    StatusOr<identity::Identity> found = (*registry)->find_by_name(name);
    if (found.ok()) {
      id = *found;
      std::error_code ec;
      if (!fs::exists(credential, ec)) {
        notes.push_back(fmt::format(
            "identity {}: its credential file {} is missing and cannot be recovered (only its hash "
            "is stored)",
            name, credential.string()));
      }
    } else if (found.status().code() == StatusCode::kNotFound) {
      MPCC_ASSIGN_OR_RETURN(identity::ProvisionedIdentity p, (*registry)->provision(name));
      MPCC_RETURN_IF_ERROR(write_file_atomic(credential, as_span(p.credential)));
      id = p.identity;
    } else {
      return found.status();
    }
    out[name] = IdentityEndpoint{id.client_id, id.object_id, credential};
  }
  return out;
}

Status apply_access_policies(const Layout& layout, const std::string& vault,
                             const std::vector<AccessGrant>& grants,
                             const std::map<std::string, IdentityEndpoint>& identities) {
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.vaults_dir()));
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.vault_dir(vault)));
  StatusOr<std::unique_ptr<keyvault::KeyRegistry>> registry =
      keyvault::KeyRegistry::open(layout.vault_db(vault));
  if (!registry.ok()) return registry.status().with_context("vault " + vault);
  for (const AccessGrant& grant : grants) {
    auto id = identities.find(grant.identity);
    if (id == identities.end()) {
      return not_found(fmt::format("vault {}: no identity named {}", vault, grant.identity));
    }
    keyvault::AccessPolicy policy;
    policy.object_id = id->second.object_id;
    policy.display_name = grant.identity;
    MPCC_ASSIGN_OR_RETURN(policy.key_permissions,
                          keyvault::parse_key_permissions(grant.permissions));
    Status s = (*registry)->set_access_policy(policy);
    if (!s.ok())
      return s.with_context(fmt::format("vault {}: access policy for {}", vault, grant.identity));
  }
  return ok_status();
}

StatusOr<bool> write_party_files(const Layout& layout, const PartyPlan& plan,
                                 const nlohmann::json& thim) {
  const std::string& party = plan.spec.name;
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.blobs_dir()));
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.parties_dir()));
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.party_dir(party)));
  MPCC_RETURN_IF_ERROR(ensure_random_token(layout.group_token(party)).status());
  MPCC_RETURN_IF_ERROR(ensure_random_token(layout.operator_token(party)).status());
  MPCC_ASSIGN_OR_RETURN(bool changed,
                        write_if_changed(layout.party_config(party), plan.config_text));
  if (plan.spec.confidential()) {
    MPCC_ASSIGN_OR_RETURN(
        bool policy_changed,
        write_security_context(layout.security_context_dir(party), plan.policy_text, thim));
    changed = changed || policy_changed;
  } else {
    std::error_code ec;
    fs::remove_all(layout.security_context_dir(party), ec);
    if (ec) {
      return unavailable(fmt::format("{}: cannot remove: {}",
                                     layout.security_context_dir(party).string(), ec.message()));
    }
  }
  return changed;
}

}  // namespace mpcc::deploy
