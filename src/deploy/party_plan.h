// File: deploy/party_plan.h
//
// PartyPlan: everything `mpcc up` decides about one party before it writes a
// file or starts a process: the party app's configuration file (the exact
// JSON `mpcc serve party --config` reads), the argv of its app and of its SKR
// sidecar, and for a confidential party its security policy and HOST_DATA
// (security_policy.h), which cover those argv and the config file's hash.
// Deterministic: the same inputs (and the same csv files, whose SHA-256 the
// policies pin) give the same plans, byte for byte.
//
//   MPCC_ASSIGN_OR_RETURN(std::vector<PartyPlan> plans,
//                         plan_parties(file, layout, network, identities, exe));
//   for (const PartyPlan& p : plans) ... write p.config_text, launch with p.host_data ...
//
// The app's config (party.json; members that are null may be omitted by readers):
//   {"party", "display_name", "role", "sku",
//    "listen": {"host": "127.0.0.1", "port", "tls_cert", "tls_key"}, "ca_cert",
//    "operator_token_file", "sidecar": {"url", "group_token_file"},
//    "maa_endpoint": "127.0.0.1:<attestation port>",
//    "key": {"vault": "127.0.0.1:<port>", "name"},
//    "storage": {"type": "directory", "path": DIR/blobs}, "container", "csv_file" | null,
//    "other_company": {"name", "display_name", "key": {...}} | null,
//    "partners": [{"name", "display_name", "key": {...}, "app_url"}],
//    "identity": {"endpoint", "credential_file", "client_id"}, "identity_issuer",
//    "audience": the app's URL,
//    "partner_readers": [{"name", "display_name", "object_id", "host_data"}],
//    "analysis": {"min_group_size"}, "branding": {...} (deployment_file.h),
//    "frame_ancestors": [the view's origin]}
//
// Errors: kFailedPrecondition when a port, vault URL or identity the plan
// needs is unknown (a bug in the caller's order of things).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "deploy/deployment_file.h"
#include "deploy/endpoints.h"
#include "deploy/layout.h"

namespace mpcc::deploy {

// Where the deployment's services listen (all on 127.0.0.1).
struct DeploymentNetwork {
  std::string identity_url;                       // https://127.0.0.1:P
  std::string attestation_url;                    // https://127.0.0.1:P
  std::map<std::string, std::string> vault_urls;  // vault name -> https://127.0.0.1:P
  std::map<std::string, int> app_ports;           // party -> port of its app
  std::map<std::string, int> sidecar_ports;       // party -> port of its sidecar
  std::string view_url;                           // https://127.0.0.1:P of the four-pane view
};

// The binary every process runs, and its SHA-256 (hex).
struct ExecutableInfo {
  std::filesystem::path path;
  std::string sha256;
};

// Variables a party process never inherits from `mpcc up`: a guest channel
// or security context only the launcher hands out (the Snooper must not
// find one in its environment).
const std::vector<std::string>& party_env_unset();

struct PartyPlan {
  PartySpec spec;
  std::string app_url;      // https://127.0.0.1:P
  std::string sidecar_url;  // http://127.0.0.1:P
  nlohmann::json config;
  std::string config_text;                // what party.json holds (config, indented)
  std::vector<std::string> app_args;      // argv after the executable
  std::vector<std::string> sidecar_args;  // argv after the executable
  std::string policy_text;                // "" for a standard party
  std::string host_data;                  // hex SHA-256 of policy_text; "" for standard
};

// `common_args` go first in every argv (e.g. {"--log-level", "info"});
// `web_root`, when set, is given to the apps (--web-root: pages from disk).
StatusOr<std::vector<PartyPlan>> plan_parties(
    const DeploymentFile& file, const Layout& layout, const DeploymentNetwork& network,
    const std::map<std::string, IdentityEndpoint>& identities, const ExecutableInfo& exe,
    const std::vector<std::string>& common_args = {},
    const std::optional<std::filesystem::path>& web_root = std::nullopt);

// The four-pane view: its config (web/view_service.h: title, listen on
// 127.0.0.1:<port> with DIR/ca/view.pem, and per party its app URL, vault
// URL, key, role, SKU and host_data: nothing secret), the argv after the
// executable, and its URL.
struct ViewPlan {
  std::string url;  // https://127.0.0.1:P
  nlohmann::json config;
  std::string config_text;
  std::vector<std::string> args;
};
ViewPlan plan_view(const std::vector<PartyPlan>& plans, const Layout& layout,
                   const DeploymentNetwork& network, int port,
                   const std::vector<std::string>& common_args = {},
                   const std::optional<std::filesystem::path>& web_root = std::nullopt);
std::vector<std::string> view_signature(const Layout& layout);

// "127.0.0.1:P" of an https URL (what the apps and sidecars call an endpoint).
StatusOr<std::string> host_port(const std::string& url);

// The signatures (supervisor.h) of a party's processes, from its name alone
// (so `down` finds them without a plan).
std::vector<std::string> app_signature(const Layout& layout, const std::string& party);
std::vector<std::string> sidecar_signature(const Layout& layout, const std::string& party);

// endpoints.json "parties": {"<party>": {"app", "display_name", "sku", "role", "vault",
// "key", "identity", "credential_file" (the operator token), "sidecar",
// "host_data" (hex or null)}}.
nlohmann::json endpoints_parties(const std::vector<PartyPlan>& plans, const Layout& layout,
                                 const DeploymentNetwork& network);

}  // namespace mpcc::deploy
