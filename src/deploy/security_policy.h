// File: deploy/security_policy.h
//
// The security policy of a confidential party, in the spirit of ACI's
// container-group policy (ccePolicy; spec azure-protocols 4, seed-app 12.1):
// Rego-like text with `package policy`, api_version and framework_version,
// and a `containers` array describing what runs in the party's "container
// group" on this machine: its app and its SKR sidecar, each with the command
// line it runs, the SHA-256 of the mpcc binary, the SHA-256 of the config
// file it reads, and its environment. The text is generated
// deterministically (same inputs, same bytes), and the party's HOST_DATA is
// SHA-256 of that text, as ACI hashes the decoded policy. Nothing in the
// local deployment enforces the policy: what binds it is that the launcher
// fixes HOST_DATA and the party's key is released only to that value.
//
//   PolicyDocument doc{"contoso", "Contoso", "owner", {app, sidecar}};
//   const std::string text = security_policy_text(doc);
//   const std::string host_data = policy_host_data(text);   // 64 lowercase hex
//   MPCC_RETURN_IF_ERROR(write_security_context(dir, text, thim_json));
//
// The security-context folder, as ACI gives one to each confidential
// container group (spec 2.6): `security-policy-base64` (base64 of the text)
// and `host-amd-cert-base64` (base64 of the host's THIM JSON, spec 7.5).
//
// Thread-safety: pure functions; write_security_context touches only `dir`.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mpcc::deploy {

inline constexpr const char* kPolicyFileName = "security-policy-base64";
inline constexpr const char* kHostCertFileName = "host-amd-cert-base64";

struct PolicyContainer {
  std::string name;                    // "party-contoso", "sidecar-contoso"
  std::vector<std::string> command;    // the full argv; command[0] is the binary
  std::string binary_sha256;           // hex SHA-256 of command[0]'s file
  std::string config_file;             // "" when it reads none
  std::string config_sha256;           // hex SHA-256 of config_file's content
  std::vector<std::string> env_unset;  // variables removed from its environment
};

struct PolicyDocument {
  std::string party;
  std::string display_name;
  std::string role;
  std::vector<PolicyContainer> containers;
};

std::string security_policy_text(const PolicyDocument& doc);
// Lowercase hex SHA-256 of the policy text: the party's HOST_DATA.
std::string policy_host_data(std::string_view policy_text);

// Creates `dir` (0700) with security-policy-base64 and host-amd-cert-base64
// (0600), rewriting a file only when its content changes. Returns whether
// the policy changed (or is new).
StatusOr<bool> write_security_context(const std::filesystem::path& dir,
                                      std::string_view policy_text, const nlohmann::json& thim);

}  // namespace mpcc::deploy
