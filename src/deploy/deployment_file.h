// File: deploy/deployment_file.h
//
// DeploymentFile: the description of a deployment's parties (deploy/local.json,
// embedded in the binary; `mpcc up --deployment-file F` overrides it). It is
// the single source of the parties' names, roles, SKUs, identities, vaults,
// keys and grants; everything else (which identities exist, which vaults run,
// who may do what on which vault) is derived from it here.
//
//   {"parties": [
//     {"name": "contoso", "display_name": "Contoso", "role": "owner", "sku": "confidential",
//      "identity": "contoso", "vault": "contoso", "key": "contoso-secret-key",
//      "csv": "data/contoso-data.csv", "other_company": "fabrikam"},
//     {"name": "woodgrove", ..., "role": "analyst", "partners": ["contoso", "fabrikam"]},
//     {"name": "snooper", ..., "role": "observer", "sku": "standard",
//      "identity": "contoso", "vault": "contoso", "key": "contoso-secret-key"}],
//    "storage": {"type": "directory"}, "container": "privateappdata",
//    "analysis": {"min_group_size": 1}}
//
//   MPCC_ASSIGN_OR_RETURN(DeploymentFile f, read_deployment_file("deploy/local.json"));
//   for (const std::string& v : f.vaults()) ... f.access_grants(v) ...
//
// Roles: an owner holds records and a key (csv, other_company); an analyst
// holds a key and reads its partners' keys (partners); an observer holds
// nothing: it runs with another party's identity, vault and key name (the
// Snooper: it proves that attestation, not identity, is the barrier).
//
// Validation (kInvalidArgument "deployment file: <field>: <what>", the field
// as a path such as "parties[2].partners[0]"): unknown or missing members,
// names outside [a-z0-9-]{1,63} (party, identity, vault) or
// [0-9a-zA-Z-]{1,127} (key), an unknown role or sku, duplicate party names,
// two key-holding parties on one vault, an owner or analyst that is not
// confidential (its key's release policy needs its host_data), a partner that
// is not an owner, an other_company that is not another owner, an observer
// whose vault and key no key-holding party holds, the identity "deployer"
// (reserved for the operator), storage other than {"type": "directory"},
// min_group_size < 1. csv paths are resolved against the file's directory;
// whether they exist is checked by check_files().
//
// Thread-safety: plain values and reentrant functions.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mpcc::deploy {

inline constexpr const char* kDeployerIdentity = "deployer";

enum class PartyRole { kOwner, kAnalyst, kObserver };
enum class PartySku { kConfidential, kStandard };

std::string_view role_name(PartyRole role);  // "owner", "analyst", "observer"
std::string_view sku_name(PartySku sku);     // "confidential", "standard"

struct PartySpec {
  std::string name;          // "contoso": process, directory and psp guest names
  std::string display_name;  // "Contoso"
  PartyRole role = PartyRole::kOwner;
  PartySku sku = PartySku::kConfidential;
  std::string identity;               // managed identity it runs with
  std::string vault;                  // the vault holding its key
  std::string key;                    // the key's name in that vault
  std::filesystem::path csv;          // absolute; empty when none
  std::string other_company;          // owners: another owner ("" when none)
  std::vector<std::string> partners;  // analysts: owners whose keys it reads
  // How its page looks (seed-app 9.2): {"title", "subtitle", "icon",
  // "header_from", "header_to", "body_from", "body_to" (#rrggbb),
  // "favicon_letter", "favicon_color", "theme"}; members not given take
  // neutral defaults (title = display_name, theme = name).
  nlohmann::json branding;

  bool confidential() const { return sku == PartySku::kConfidential; }
  bool holds_key() const { return role != PartyRole::kObserver; }
};

// One access-policy grant on a vault.
struct AccessGrant {
  std::string identity;                  // identity name
  std::vector<std::string> permissions;  // Key Vault key permission names
  bool operator==(const AccessGrant&) const = default;
};

// The identity of an owner's administrator ("<party>-admin"): it may read and
// update the owner's key (its release policy), which the owner's workload
// identity may not. Only the owner's app gets its credential.
std::string admin_identity(const PartySpec& owner);

struct DeploymentFile {
  std::vector<PartySpec> parties;  // in file order (also the start order)
  std::string storage_type = "directory";
  std::string container = "privateappdata";
  int min_group_size = 1;

  // nullptr when no party has that name.
  const PartySpec* find(std::string_view name) const;
  // The key-holding party of `vault` (nullptr when none).
  const PartySpec* key_holder(std::string_view vault) const;
  // "deployer", then every identity a party names (first mention order), then
  // the administrator of each owner that has analysts.
  std::vector<std::string> identities() const;
  // The distinct vaults of key-holding parties, in party order.
  std::vector<std::string> vaults() const;
  // The analysts that list `owner` among their partners, in party order.
  std::vector<const PartySpec*> analysts_of(std::string_view owner) const;
  // Grants on `vault`: the deployer everything ("all"); each key-holding
  // party on its own vault get, list, release; each analyst get, release on
  // its partners' vaults. Observers get nothing of their own.
  std::vector<AccessGrant> access_grants(std::string_view vault) const;
};

// Parses and validates (see the file comment); relative csv paths are
// resolved against `base_dir`.
StatusOr<DeploymentFile> parse_deployment_file(const nlohmann::json& j,
                                               const std::filesystem::path& base_dir);
// Reads a file (kNotFound when absent, kInvalidArgument "<path>: ..." when
// not JSON or invalid); csv paths relative to its directory.
StatusOr<DeploymentFile> read_deployment_file(const std::filesystem::path& path);
// The deployment file built into the binary (deploy/local.json), csv paths
// resolved against the source tree's deploy/ directory.
StatusOr<DeploymentFile> embedded_deployment_file();
// The source tree's deploy/ directory the embedded file refers to.
std::filesystem::path embedded_deployment_dir();

// kFailedPrecondition naming the party and the path when a csv file is
// missing or not a regular file.
Status check_files(const DeploymentFile& file);

// The file as JSON with absolute csv paths (what `mpcc up` records in DIR);
// parse_deployment_file(to_json(f), any) gives back f.
nlohmann::json deployment_file_to_json(const DeploymentFile& file);

}  // namespace mpcc::deploy
