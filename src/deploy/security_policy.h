// File: deploy/security_policy.h
//
// The security policy of a confidential party, in the spirit of ACI's
// container-group policy (ccePolicy; spec azure-protocols 4, seed-app 12.1):
// a canonical Rego-like text (format "mpcc-security-policy-v1", documented
// byte for byte in docs/security-policy.md) describing what runs in the
// party's container group: per container its image (the mpcc executable,
// `mpcc@sha256:<hex>` locally, a registry reference with the same digest form
// for ACI and Kubernetes), its command (argv), its environment rules and
// every file or directory it reads or writes (path, kind, read-only, SHA-256
// where the content is fixed). The text is generated deterministically (same
// inputs, same bytes; every member in a fixed order; values JSON-encoded),
// and the party's HOST_DATA is SHA-256 of the text, as ACI hashes the
// decoded policy. Locally nothing enforces the policy: what binds it is that
// the launcher fixes HOST_DATA and the party's key is released only to that
// value.
//
//   PolicyDocument doc{"contoso", "Contoso", "owner", "local", {app, sidecar}};
//   const std::string text = security_policy_text(doc);
//   const std::string host_data = policy_host_data(text);   // 64 lowercase hex
//   MPCC_RETURN_IF_ERROR(write_security_context(dir, text, thim_json));
//
// The security-context folder, as ACI gives one to each confidential
// container group (spec 2.6): `security-policy-base64` (base64 of the text)
// and `host-amd-cert-base64` (base64 of the host's THIM JSON, spec 7.5).
//
// Thread-safety: pure functions; write_security_context touches only `dir`;
// read_security_policy only reads.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "deploy/deployment_file.h"
#include "deploy/layout.h"

namespace mpcc::deploy {

inline constexpr const char* kPolicyFileName = "security-policy-base64";
inline constexpr const char* kHostCertFileName = "host-amd-cert-base64";
inline constexpr const char* kPolicyFormat = "mpcc-security-policy-v1";

// What a mount is (docs/security-policy.md, "Mounts").
enum class MountKind {
  kFile,       // a file whose content may be pinned (sha256)
  kSecret,     // a file holding a secret: never hashed into the policy
  kDirectory,  // a directory (state, context)
  kDevice,     // a device or device-like socket (the SEV-SNP guest channel)
};
std::string_view mount_kind_name(MountKind kind);  // "file", "secret", "directory", "device"

struct PolicyMount {
  std::string name;  // what it is to the container: "config", "tls-key", "blobs", ...
  std::string path;  // absolute, as the container sees it
  MountKind kind = MountKind::kFile;
  bool read_only = true;
  std::string sha256;  // lowercase hex of the content when fixed; "" (null) otherwise
};

// An environment rule, as confcom writes them: "NAME=value" matched exactly
// (strategy "string") or a RE2 expression over "NAME=value" (strategy "re2").
struct EnvRule {
  std::string pattern;
  std::string strategy = "string";
  bool required = false;
};

struct PolicyContainer {
  std::string name;                  // "party-contoso", "sidecar-contoso"
  std::string image;                 // "mpcc@sha256:<hex>" or "<registry>/<repo>@sha256:<hex>"
  std::vector<std::string> command;  // the full argv; command[0] is the executable
  std::string working_dir = "/";
  std::vector<EnvRule> env_rules;      // what its environment may hold
  std::vector<std::string> env_unset;  // variables removed from its environment
  std::vector<PolicyMount> mounts;     // in the order the caller gives
  bool allow_stdio_access = false;     // whether its stdout/stderr leave the group
};

struct PolicyDocument {
  std::string party;
  std::string display_name;
  std::string role;
  std::string platform;  // "local", "aci" or "k8s"
  std::vector<PolicyContainer> containers;
};

// "mpcc@sha256:<hex>": the image reference of the local mpcc executable.
std::string local_image_reference(std::string_view binary_sha256);

// What the local deployment's policy of a party is built from (party_plan.cpp).
struct LocalPolicyInputs {
  std::string executable_sha256;          // hex SHA-256 of the mpcc binary
  std::vector<std::string> app_argv;      // full argv, executable first
  std::vector<std::string> sidecar_argv;  // full argv, executable first
  std::string config_text;                // the content of party.json
  std::filesystem::path identity_credential;
  std::filesystem::path admin_credential;  // an owner's administrator's; "" when none
  std::vector<std::string> env_unset;      // variables the launcher removes
};

// The local policy of confidential party `p`: its app ("party-<p>") and its
// sidecar ("sidecar-<p>") with every file under DIR they read or write (the
// config and the csv pinned by SHA-256; tokens, credentials and the TLS key
// as secrets; the blob directory, the security context, the guest channel).
// Reads the csv file to hash it (kNotFound / kUnavailable when it cannot).
StatusOr<PolicyDocument> local_policy_document(const PartySpec& p, const Layout& layout,
                                               const LocalPolicyInputs& in);

std::string security_policy_text(const PolicyDocument& doc);
// Lowercase hex SHA-256 of the policy text: the party's HOST_DATA.
std::string policy_host_data(std::string_view policy_text);

// The `containers` array of a policy text (format mpcc-security-policy-v1).
// kInvalidArgument when the text has none or it is not JSON.
StatusOr<nlohmann::json> policy_containers(std::string_view policy_text);

// Creates `dir` (0700) with security-policy-base64 and host-amd-cert-base64
// (0600), rewriting a file only when its content changes. Returns whether
// the policy changed (or is new).
StatusOr<bool> write_security_context(const std::filesystem::path& dir,
                                      std::string_view policy_text, const nlohmann::json& thim);

// The policy text in a security-context folder (its security-policy-base64,
// decoded). kNotFound when the file is absent, kInvalidArgument when it is
// not base64.
StatusOr<std::string> read_security_policy(const std::filesystem::path& dir);

}  // namespace mpcc::deploy
