#include "deploy/security_policy.h"

#include <fmt/format.h>

#include "common/bytes.h"
#include "common/file_io.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "deploy/state_files.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr std::size_t kMaxPolicyFile = 1u << 20;

// The enforcement points of ACI's policy, bound to the framework as confcom does.
constexpr const char* kRules[] = {
    "mount_device",    "unmount_device",     "mount_overlay",
    "unmount_overlay", "create_container",   "exec_in_container",
    "exec_external",   "shutdown_container", "signal_container_process",
    "plan9_mount",     "plan9_unmount",      "get_properties",
    "dump_stacks",     "runtime_logging",    "load_fragment",
    "scratch_mount",   "scratch_unmount",
};

ordered_json nullable(const std::string& s) {
  return s.empty() ? ordered_json(nullptr) : ordered_json(s);
}

// Every member in the documented order (docs/security-policy.md).
ordered_json container_json(const PolicyContainer& c) {
  ordered_json env_rules = ordered_json::array();
  for (const EnvRule& r : c.env_rules) {
    env_rules.push_back(
        ordered_json{{"pattern", r.pattern}, {"strategy", r.strategy}, {"required", r.required}});
  }
  ordered_json mounts = ordered_json::array();
  for (const PolicyMount& m : c.mounts) {
    mounts.push_back(ordered_json{{"name", m.name},
                                  {"path", m.path},
                                  {"kind", mount_kind_name(m.kind)},
                                  {"read_only", m.read_only},
                                  {"sha256", nullable(m.sha256)}});
  }
  return ordered_json{
      {"name", c.name},
      {"image", c.image},
      {"command", c.command},
      {"working_dir", c.working_dir},
      {"env_rules", env_rules},
      {"env_unset", c.env_unset},
      {"mounts", mounts},
      {"allow_elevated", false},
      {"allow_stdio_access", c.allow_stdio_access},
      {"exec_processes", ordered_json::array()},
      {"signals", ordered_json::array()},
  };
}

}  // namespace

std::string_view mount_kind_name(MountKind kind) {
  switch (kind) {
    case MountKind::kFile:
      return "file";
    case MountKind::kSecret:
      return "secret";
    case MountKind::kDirectory:
      return "directory";
    case MountKind::kDevice:
      return "device";
  }
  return "file";
}

std::string local_image_reference(std::string_view binary_sha256) {
  return fmt::format("mpcc@sha256:{}", binary_sha256);
}

StatusOr<PolicyDocument> local_policy_document(const PartySpec& p, const Layout& layout,
                                               const LocalPolicyInputs& in) {
  auto file = [](std::string name, const fs::path& path, std::string sha256 = "") {
    return PolicyMount{std::move(name), path.string(), MountKind::kFile, true, std::move(sha256)};
  };
  auto secret = [](std::string name, const fs::path& path) {
    return PolicyMount{std::move(name), path.string(), MountKind::kSecret, true, ""};
  };
  const std::string cert = "party-" + p.name;
  // The environment is inherited from `mpcc up` except the variables the
  // launcher alone may set (a guest channel, a security context).
  const std::vector<EnvRule> inherited = {{".*", "re2", false}};

  PolicyContainer app;
  app.name = "party-" + p.name;
  app.image = local_image_reference(in.executable_sha256);
  app.command = in.app_argv;
  app.env_rules = inherited;
  app.env_unset = in.env_unset;
  app.allow_stdio_access = true;  // its log, DIR/logs/party-<p>.log
  app.mounts.push_back(
      file("config", layout.party_config(p.name), hex_encode(crypto::sha256(in.config_text))));
  if (!p.csv.empty()) {
    MPCC_ASSIGN_OR_RETURN(std::string csv_sha256, file_sha256(p.csv));
    app.mounts.push_back(file("csv", p.csv, csv_sha256));
  }
  app.mounts.push_back(file("ca-cert", layout.ca_cert()));
  app.mounts.push_back(file("tls-cert", layout.ca_dir() / (cert + ".pem")));
  app.mounts.push_back(secret("tls-key", layout.ca_dir() / (cert + ".key")));
  app.mounts.push_back(secret("operator-token", layout.operator_token(p.name)));
  app.mounts.push_back(secret("group-token", layout.group_token(p.name)));
  app.mounts.push_back(secret("identity-credential", in.identity_credential));
  if (!in.admin_credential.empty()) {
    app.mounts.push_back(secret("admin-credential", in.admin_credential));
  }
  app.mounts.push_back(
      PolicyMount{"blobs", layout.blobs_dir().string(), MountKind::kDirectory, false, ""});
  // `up --web-root`: the pages come from that directory instead of the binary.
  for (std::size_t i = 0; i + 1 < in.app_argv.size(); ++i) {
    if (in.app_argv[i] == "--web-root") {
      app.mounts.push_back(
          PolicyMount{"web-root", in.app_argv[i + 1], MountKind::kDirectory, true, ""});
    }
  }

  PolicyContainer skr;
  skr.name = "sidecar-" + p.name;
  skr.image = app.image;
  skr.command = in.sidecar_argv;
  skr.env_rules = inherited;
  skr.env_unset = in.env_unset;
  skr.allow_stdio_access = true;
  skr.mounts.push_back(file("ca-cert", layout.ca_cert()));
  skr.mounts.push_back(secret("identity-credential", in.identity_credential));
  skr.mounts.push_back(secret("group-token", layout.group_token(p.name)));
  skr.mounts.push_back(PolicyMount{"security-context", layout.security_context_dir(p.name).string(),
                                   MountKind::kDirectory, true, ""});
  skr.mounts.push_back(PolicyMount{"sev-guest", layout.guest_channel(p.name).string(),
                                   MountKind::kDevice, false, ""});
  return PolicyDocument{p.name,
                        p.display_name,
                        std::string(role_name(p.role)),
                        "local",
                        {std::move(app), std::move(skr)}};
}

std::string security_policy_text(const PolicyDocument& doc) {
  ordered_json containers = ordered_json::array();
  for (const PolicyContainer& c : doc.containers) containers.push_back(container_json(c));
  const ordered_json party = {{"name", doc.party},
                              {"display_name", doc.display_name},
                              {"role", doc.role},
                              {"platform", doc.platform}};
  // User-given strings appear only JSON-encoded, never in comments or Rego syntax.
  std::string text = fmt::format(
      "package policy\n"
      "\n"
      "import future.keywords.every\n"
      "import future.keywords.in\n"
      "\n"
      "# mpcc security policy of one container group (docs/security-policy.md).\n"
      "# HOST_DATA (x-ms-sevsnpvm-hostdata) = SHA-256 of this text.\n"
      "\n"
      "api_version := \"0.10.0\"\n"
      "framework_version := \"0.2.3\"\n"
      "mpcc_policy_format := \"{}\"\n"
      "\n"
      "party := {}\n"
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
      kPolicyFormat, party.dump(), containers.dump(2));
  for (const char* rule : kRules) text += fmt::format("{} := data.framework.{}\n", rule, rule);
  text += "\nreason := {\"errors\": data.framework.errors}\n";
  return text;
}

std::string policy_host_data(std::string_view policy_text) {
  return hex_encode(crypto::sha256(policy_text));
}

StatusOr<json> policy_containers(std::string_view policy_text) {
  constexpr std::string_view kStart = "\ncontainers := [";
  constexpr std::string_view kEnd = "\n]\n";
  const std::size_t start = policy_text.find(kStart);
  const std::size_t end = start == std::string_view::npos ? start : policy_text.find(kEnd, start);
  if (end == std::string_view::npos) return invalid_argument("the policy has no containers array");
  const std::size_t from = start + kStart.size() - 1;
  json containers = json::parse(policy_text.substr(from, end + 2 - from), nullptr, false);
  if (containers.is_discarded() || !containers.is_array()) {
    return invalid_argument("the policy's containers are not a JSON array");
  }
  return containers;
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

StatusOr<std::string> read_security_policy(const fs::path& dir) {
  const fs::path file = dir / kPolicyFileName;
  MPCC_ASSIGN_OR_RETURN(std::string b64, read_text_file(file, kMaxPolicyFile));
  while (!b64.empty() && (b64.back() == '\n' || b64.back() == '\r')) b64.pop_back();
  StatusOr<Bytes> text = crypto::base64_decode(b64);
  if (!text.ok()) {
    return invalid_argument(
        fmt::format("{}: not base64: {}", file.string(), text.status().message()));
  }
  return to_string(*text);
}

}  // namespace mpcc::deploy
