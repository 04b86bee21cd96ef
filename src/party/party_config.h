// File: party/party_config.h
//
// PartyConfig: everything one party app is told by its launcher, read from
// the JSON file given to `mpcc serve party --config FILE` (written by `mpcc
// up`, src/deploy). Nothing a request says can change it: the vault, key,
// attestation endpoint and partner URLs come only from here (no SSRF).
//
//   {"party": "contoso", "display_name": "Contoso", "role": "owner",
//    "sku": "confidential",
//    "listen": {"host", "port", "tls_cert", "tls_key"},
//    "ca_cert": "/abs/ca.pem",
//    "operator_token_file": "/abs/operator-token",
//    "sidecar": {"url": "http://127.0.0.1:9001", "group_token_file": "..."},
//    "maa_endpoint": "127.0.0.1:P",
//    "key": {"vault": "127.0.0.1:P", "name": "contoso-secret-key"},
//    "storage": {"type": "directory", "path": "/abs/blobs"}
//             | {"type": "azure", "connection_string_file": "/abs/file"},
//    "container": "privateappdata",
//    "csv_file": "/abs/contoso-data.csv",                 (optional)
//    "other_company": {"name", "display_name", "key": {"vault", "name"}},  (optional)
//    "partners": [{"name", "display_name", "key": {...}, "app_url"}],     (analyst)
//    "identity": {"endpoint", "credential_file", "client_id"},           (optional)
//    "identity_issuer": "https://...", "audience": "https://...",        (optional)
//    "partner_readers": [{"name", "object_id", "display_name"?, "host_data"?}],
//    "admin_identity": {"credential_file", "client_id"},      (owners, optional)
//    "branding": {"title", "subtitle", "icon", ...: strings},  (optional)
//    "frame_ancestors": ["https://127.0.0.1:P"],             (optional: the view)
//    "analysis": {"min_group_size": 1}}
//
// Roles: "owner" (Contoso, Fabrikam: own records), "analyst" (Woodgrove:
// partners' keys and the partner analysis), "observer" (the Snooper: reads
// the shared storage, owns nothing). SKU "confidential" or "standard".
//
// Errors: kInvalidArgument "party config: <field>: <why>" for the first bad
// field; kNotFound / file errors for the file itself. Secrets (operator token,
// group token, identity credential) are read from their files by
// load_party_secrets, which also refuses empty files.
//
// Thread-safety: plain values.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc::party {

enum class Role { kOwner, kAnalyst, kObserver };
std::string_view role_name(Role role);  // "owner", "analyst", "observer"

struct KeyLocation {
  std::string vault;  // host[:port], no scheme (as the sidecar takes it)
  std::string name;   // key name in that vault
};

struct PeerConfig {
  std::string name;          // "fabrikam"
  std::string display_name;  // "Fabrikam"
  KeyLocation key;
  std::string app_url;       // partners only: https://host:port of the partner's app
};

struct PartnerReader {
  std::string name;          // "woodgrove"
  std::string object_id;     // the identity's object id in its tokens (oid)
  std::string display_name;  // "Woodgrove Bank" (name when not given)
  std::string host_data;     // its HOST_DATA (hex), named in this owner's release policy
};

// An owner's administrator: may read and update the owner's key (its release
// policy), which the workload identity may not (the revoke button).
struct AdminIdentity {
  std::filesystem::path credential_file;
  std::string client_id;
};

struct StorageConfig {
  std::string type;  // "directory" or "azure"
  std::filesystem::path path;                    // directory
  std::filesystem::path connection_string_file;  // azure
};

struct IdentityConfig {
  std::string endpoint;  // identity service (IMDS shape) base URL
  std::filesystem::path credential_file;
  std::string client_id;
};

struct PartyConfig {
  std::string party;
  std::string display_name;
  Role role = Role::kOwner;
  bool confidential = false;  // sku
  std::string listen_host = "127.0.0.1";
  int listen_port = 0;
  std::filesystem::path tls_cert, tls_key;
  std::filesystem::path ca_cert;
  std::filesystem::path operator_token_file;
  std::string sidecar_url;
  std::filesystem::path group_token_file;
  std::string maa_endpoint;
  KeyLocation key;
  StorageConfig storage;
  std::string container = "privateappdata";
  std::optional<std::filesystem::path> csv_file;
  std::optional<PeerConfig> other_company;
  std::vector<PeerConfig> partners;
  std::optional<IdentityConfig> identity;
  std::string identity_issuer;
  std::string audience;
  std::vector<PartnerReader> partner_readers;
  int min_group_size = 1;
  std::optional<AdminIdentity> admin_identity;  // owners with analysts
  nlohmann::json branding = nlohmann::json::object();  // page look (strings only)
  std::vector<std::string> frame_ancestors;  // origins that may frame the page (the view)

  std::string sku() const { return confidential ? "confidential" : "standard"; }
  const PeerConfig* partner(std::string_view name) const;
};

StatusOr<PartyConfig> parse_party_config(const nlohmann::json& j);
StatusOr<PartyConfig> load_party_config(const std::filesystem::path& file);

struct PartySecrets {
  SecureBytes operator_token;
  std::optional<std::string> group_token;
  std::optional<std::string> identity_credential;
  std::optional<std::string> admin_credential;
};
StatusOr<PartySecrets> load_party_secrets(const PartyConfig& config);

}  // namespace mpcc::party
