// `mpcc export aci|k8s`: the deployment beyond one machine (src/deploy
// export_aci.h, export_k8s.h): documents for Azure Container Instances or for
// Kubernetes with Confidential Containers, each confidential party with its
// security policy, each key with its release policy bound to those policies'
// host_data, a README.md with the commands, and manifest.json.
//
//   mpcc export aci (--state-dir DIR | --deployment-file FILE) --out OUTDIR
//       [--image REF] [--location eastus] [--maa-endpoint sharedeus.eus.attest.azure.net]
//       [--prefix mpcc] [--tenant-id GUID] [--object-id IDENTITY=GUID]...
//   mpcc export k8s (--state-dir DIR | --deployment-file FILE) --out OUTDIR
//       [--image REF] [--runtime-class kata-cc-isolation] [--maa-endpoint HOST]
//       [--prefix mpcc] [--tenant-id GUID] [--object-id IDENTITY=GUID]...
//
// The parties come from the deployment file DIR's `mpcc up` used
// (DIR/deployment-file.json) or from FILE. REF is REPO or REPO@sha256:<hex>;
// a REPO alone takes the SHA-256 of this mpcc binary as its digest. The
// output is deterministic; no secret is written (secrets are deployment-time
// parameters or Secrets referenced by name). Prints each file written and
// each party's host_data. Exit codes: 0 written, 2 bad usage or options (an
// OUTDIR that is a file, a tag instead of a digest, an MAA endpoint with a
// scheme, ...), 5 OUTDIR cannot be written, 70 bug.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "apps/mpcc/cli_errors.h"
#include "apps/mpcc/commands.h"
#include "deploy/export_aci.h"
#include "deploy/export_k8s.h"
#include "deploy/local_deployment.h"
#include "deploy/state_files.h"

namespace mpcc::app {
namespace {

namespace fs = std::filesystem;

struct ExportArgs {
  std::string state_dir;
  std::string deployment_file;
  std::string out;
  std::vector<std::string> object_ids;
  deploy::ExportOptions options;
};

deploy::DeploymentFile deployment_file(const ExportArgs& a, std::string_view what) {
  if (a.state_dir.empty() == a.deployment_file.empty()) {
    fail_with(what, invalid_argument("give exactly one of --state-dir and --deployment-file"));
  }
  if (!a.deployment_file.empty()) {
    return value_or_exit(deploy::read_deployment_file(a.deployment_file), what);
  }
  const deploy::LocalDeployment local(a.state_dir, "mpcc");
  const fs::path copy = local.layout().deployment_file_copy();
  std::error_code ec;
  if (!fs::exists(copy, ec)) {
    fail_with(what, not_found("no deployment in " + local.layout().root.string() + " (no " +
                              copy.filename().string() + "; run `mpcc up` first)"));
  }
  return value_or_exit(deploy::read_deployment_file(copy), what);
}

void run(ExportArgs a, deploy::CloudPlatform platform) {
  const std::string what = "export " + std::string(deploy::platform_name(platform));
  const deploy::DeploymentFile file = deployment_file(a, what);
  for (const std::string& entry : a.object_ids) {
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail_with(what, invalid_argument("--object-id must be IDENTITY=GUID, not \"" + entry + "\""));
    }
    a.options.object_ids[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  if (a.options.image.find('@') == std::string::npos) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) fail_with(what, unavailable("cannot find the mpcc executable: " + ec.message()));
    a.options.binary_sha256 = value_or_exit(deploy::file_sha256(exe), what);
  }
  const deploy::CloudPlan plan = value_or_exit(deploy::plan_cloud(file, platform, a.options), what);
  const std::vector<deploy::ExportFile> files =
      platform == deploy::CloudPlatform::kAci ? deploy::export_aci(plan) : deploy::export_k8s(plan);
  ok_or_exit(deploy::write_export(a.out, files), what);
  for (const deploy::ExportFile& f : files) {
    std::printf("wrote %s\n", (fs::path(a.out) / f.name).c_str());
  }
  for (const deploy::CloudGroup& g : plan.groups) {
    std::printf("%-12s host_data %s\n", g.spec.name.c_str(),
                g.host_data.empty() ? "- (standard SKU, no policy)" : g.host_data.c_str());
  }
  throw CliExit{kExitOk};
}

CLI::App* add_export(CLI::App* parent, const char* name, const char* description,
                     std::shared_ptr<ExportArgs> a) {
  CLI::App* cmd = parent->add_subcommand(name, description);
  cmd->add_option("--state-dir", a->state_dir,
                  "A local deployment: its parties (DIR/deployment-file.json)");
  cmd->add_option("--deployment-file", a->deployment_file, "Or a deployment file (JSON)");
  cmd->add_option("--out", a->out, "Directory to write the files into (created)")->required();
  cmd->add_option("--image", a->options.image,
                  "The mpcc image: REPO or REPO@sha256:<hex> (default: mpcc with this binary's "
                  "SHA-256)");
  cmd->add_option("--maa-endpoint", a->options.maa_endpoint,
                  "Microsoft Azure Attestation host, without https:// (default "
                  "sharedeus.eus.attest.azure.net)");
  cmd->add_option("--prefix", a->options.prefix,
                  "Prefix of the Azure and Kubernetes names, 3-8 lowercase letters or digits "
                  "(default mpcc)");
  cmd->add_option("--tenant-id", a->options.tenant_id,
                  "Entra ID tenant of the identities (their tokens' issuer)");
  cmd->add_option("--object-id", a->object_ids,
                  "IDENTITY=GUID: an identity's object id (the analysts', checked by the "
                  "owners' apps); repeatable");
  return cmd;
}

}  // namespace

void register_export_commands(CLI::App& root) {
  CLI::App* export_cmd = root.add_subcommand(
      "export", "Write the deployment for Azure Container Instances or Kubernetes");
  export_cmd->require_subcommand(1);

  auto aci = std::make_shared<ExportArgs>();
  CLI::App* aci_cmd = add_export(export_cmd, "aci",
                                 "ARM templates (Confidential SKU with ccePolicy), release "
                                 "policies, README",
                                 aci);
  aci_cmd->add_option("--location", aci->options.location, "Azure region (default eastus)");
  aci_cmd->callback([aci] { run(*aci, deploy::CloudPlatform::kAci); });

  auto k8s = std::make_shared<ExportArgs>();
  CLI::App* k8s_cmd = add_export(export_cmd, "k8s",
                                 "Kubernetes manifests for Confidential Containers, release "
                                 "policies, README",
                                 k8s);
  k8s_cmd->add_option("--runtime-class", k8s->options.runtime_class,
                      "Runtime class of the confidential pods (default kata-cc-isolation)");
  k8s_cmd->callback([k8s] { run(*k8s, deploy::CloudPlatform::kK8s); });
}

}  // namespace mpcc::app
