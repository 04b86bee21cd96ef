// File: deploy/export_plan.h
//
// The deployment beyond one machine (`mpcc export aci|k8s`): from the
// deployment file, per party a "container group" with two containers from
// one image, the party app (`mpcc serve party --config ...`, HTTPS on 443)
// and its SKR sidecar (`mpcc serve skr ...`, loopback only), their
// environment, the app's config file as it is inside the container, and for
// a confidential party its security policy text (security_policy.h, platform
// "aci" or "k8s") and host_data; plus each key's release policy bound to
// those host_data (vault_keys.h). export_aci.h and export_k8s.h turn the
// plan into documents. Deterministic: the same inputs give the same plan
// (it reads the csv files, to pin them by SHA-256; nothing else).
//
//   ExportOptions o; o.binary_sha256 = hex;   // the image digest when --image names none
//   MPCC_ASSIGN_OR_RETURN(CloudPlan plan, plan_cloud(file, CloudPlatform::kAci, o));
//
// Names (prefix "mpcc"): container group "aci-mpcc-<party>" (ACI) or
// Deployment/Service "mpcc-<party>" (k8s); DNS label "mpcc-<party>", app URL
// https://mpcc-<party>.<location>.azurecontainer.io (ACI) or
// https://mpcc-<party> (k8s, the Service); vault "kv-mpcc-<vault>"
// (<vault host> = kv-mpcc-<vault>.vault.azure.net); identity "id-mpcc-<identity>".
// Nothing secret is in a plan: secrets are files under kSecretsDir that the
// platform provides (ARM secureString parameters, Kubernetes Secrets).
//
// Errors: kInvalidArgument naming the option (an image pinned by tag, an MAA
// endpoint with a scheme, a bad prefix, location, GUID or runtime class, a
// vault name too long for Azure); kNotFound from find() for an unknown party.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "deploy/deployment_file.h"
#include "deploy/security_policy.h"

namespace mpcc::deploy {

enum class CloudPlatform { kAci, kK8s };
std::string_view platform_name(CloudPlatform platform);  // "aci", "k8s"

// Inside the image and the containers.
inline constexpr const char* kCloudBinary = "/usr/local/bin/mpcc";
inline constexpr const char* kCloudDataDir = "/usr/share/mpcc/data";
inline constexpr const char* kConfigDir = "/etc/mpcc/config";  // party.json
inline constexpr const char* kSecretsDir = "/etc/mpcc/secrets";
inline constexpr const char* kGroupDir = "/etc/mpcc/group";  // group-token (app and sidecar)
inline constexpr const char* kImdsEndpoint = "http://169.254.169.254";
inline constexpr const char* kPlaceholderGuid = "00000000-0000-0000-0000-000000000000";
inline constexpr int kCloudAppPort = 443;
inline constexpr int kCloudSidecarPort = 8080;

// A file the app reads from kSecretsDir: its name there, the ARM parameter
// (ACI) or Secret key (k8s) that carries it, and whether it is secret.
struct SecretFile {
  const char* file;
  const char* parameter;
  bool secret;
};
// operator-token, tls-cert, tls-key, ca-cert, storage-connection-string,
// identity-credential (the app), and group-token (kGroupDir; both).
const std::vector<SecretFile>& app_secret_files();
inline constexpr SecretFile kGroupTokenFile = {"group-token", "groupToken", true};

struct ExportOptions {
  std::string image;          // "REPO" or "REPO@sha256:<64 hex>"; "" means "mpcc"
  std::string binary_sha256;  // the digest when `image` names none (the mpcc binary's)
  std::string location = "eastus";
  std::string maa_endpoint = "sharedeus.eus.attest.azure.net";
  std::string prefix = "mpcc";                      // 3-8 lowercase letters or digits
  std::string tenant_id = kPlaceholderGuid;         // the identities' issuer
  std::map<std::string, std::string> object_ids;    // identity -> object id (GUID)
  std::string runtime_class = "kata-cc-isolation";  // k8s, confidential parties
};

// An environment variable of the app container and the ARM parameter
// whose default value it is.
struct CloudEnv {
  std::string name;
  std::string value;
  std::string parameter;
};

struct CloudGroup {
  PartySpec spec;
  std::string name;           // "aci-mpcc-contoso" (ACI) or "mpcc-contoso" (k8s)
  std::string dns_label;      // "mpcc-contoso"
  std::string app_url;        // what partners and browsers use
  std::string vault_host;     // its key's vault
  std::string identity_name;  // "id-mpcc-contoso"
  std::vector<CloudEnv> env;  // the app's, in order
  std::string config_text;    // kConfigDir/party.json
  PolicyDocument policy;      // containers: the app, then the sidecar
  std::string policy_text;    // "" for a standard party
  std::string host_data;      // "" for a standard party
};

struct CloudPlan {
  CloudPlatform platform = CloudPlatform::kAci;
  ExportOptions options;
  std::string image;               // "REPO@sha256:<hex>"
  std::vector<CloudGroup> groups;  // in the deployment file's order
  // key name -> its release policy, in vault order.
  std::vector<std::pair<std::string, nlohmann::json>> release_policies;
  std::vector<std::string> vaults;  // vault names, in order
  DeploymentFile file;

  StatusOr<const CloudGroup*> find(std::string_view party) const;
  std::string vault_name(std::string_view vault) const;  // "kv-mpcc-contoso"
  std::string identity_name(std::string_view identity) const;
};

// kInvalidArgument naming the first bad option (export_options.cpp).
Status check_export_options(const ExportOptions& options);
// "REPO@sha256:<hex>": the image as given, or REPO with binary_sha256.
StatusOr<std::string> resolve_image(const ExportOptions& options);

StatusOr<CloudPlan> plan_cloud(const DeploymentFile& file, CloudPlatform platform,
                               const ExportOptions& options);

}  // namespace mpcc::deploy
