#include "deploy/security_policy.h"

#include <fmt/format.h>

#include "common/bytes.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "deploy/state_files.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The enforcement points of ACI's policy, bound to the framework as confcom does.
constexpr const char* kRules[] = {
    "mount_device",    "unmount_device",     "mount_overlay",
    "unmount_overlay", "create_container",   "exec_in_container",
    "exec_external",   "shutdown_container", "signal_container_process",
    "plan9_mount",     "plan9_unmount",      "get_properties",
    "dump_stacks",     "runtime_logging",    "load_fragment",
    "scratch_mount",   "scratch_unmount",
};

json container_json(const PolicyContainer& c) {
  json j = {
      {"name", c.name},
      {"command", c.command},
      {"binary",
       {{"path", c.command.empty() ? "" : c.command.front()}, {"sha256", c.binary_sha256}}},
      // The environment is inherited from `mpcc up` except the variables below,
      // which only a launcher may set (a guest channel, a security context).
      {"env_rules", json::array({{{"pattern", ".*"}, {"strategy", "re2"}, {"required", false}}})},
      {"env_unset", c.env_unset},
      {"working_dir", "/"},
      {"allow_elevated", false},
      {"allow_stdio_access", true},
      {"exec_processes", json::array()},
      {"signals", json::array()},
  };
  if (!c.config_file.empty()) {
    j["config"] = {{"path", c.config_file}, {"sha256", c.config_sha256}};
  }
  return j;
}

}  // namespace

std::string security_policy_text(const PolicyDocument& doc) {
  json containers = json::array();
  for (const PolicyContainer& c : doc.containers) containers.push_back(container_json(c));
  std::string text = fmt::format(
      "package policy\n"
      "\n"
      "import future.keywords.every\n"
      "import future.keywords.in\n"
      "\n"
      "# mpcc local deployment: the container group of party \"{}\" ({}, {}).\n"
      "# HOST_DATA (x-ms-sevsnpvm-hostdata) = SHA-256 of this text, fixed by the launcher.\n"
      "\n"
      "api_version := \"0.10.0\"\n"
      "framework_version := \"0.2.3\"\n"
      "\n"
      "fragments := []\n"
      "\n"
      "containers := {}\n"
      "\n"
      "allow_properties_access := true\n"
      "allow_dump_stacks := false\n"
      "allow_runtime_logging := false\n"
      "allow_environment_variable_dropping := false\n"
      "allow_unencrypted_scratch := false\n"
      "allow_capability_dropping := false\n"
      "\n",
      doc.party, doc.display_name, doc.role, containers.dump(2));
  for (const char* rule : kRules) text += fmt::format("{} := data.framework.{}\n", rule, rule);
  text += "\nreason := {\"errors\": data.framework.errors}\n";
  return text;
}

std::string policy_host_data(std::string_view policy_text) {
  return hex_encode(crypto::sha256(policy_text));
}

StatusOr<bool> write_security_context(const fs::path& dir, std::string_view policy_text,
                                      const json& thim) {
  MPCC_RETURN_IF_ERROR(ensure_private_dir(dir));
  const std::string policy_b64 = crypto::base64_encode(as_span(policy_text));
  const std::string thim_text = thim.dump();
  const std::string thim_b64 = crypto::base64_encode(as_span(thim_text));
  MPCC_ASSIGN_OR_RETURN(bool changed, write_if_changed(dir / kPolicyFileName, policy_b64));
  MPCC_RETURN_IF_ERROR(write_if_changed(dir / kHostCertFileName, thim_b64).status());
  return changed;
}

}  // namespace mpcc::deploy
