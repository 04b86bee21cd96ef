// File: deploy/local_deployment.h
//
// LocalDeployment: the deployment model on one machine and the steps of
// `mpcc up`, `mpcc status` and `mpcc down` over a state directory DIR
// (layout.h). The model: a simulated PSP daemon, the managed-identity
// service, the attestation service, one key vault per key-holding party, and
// per party (deployment_file.h: Contoso, Fabrikam, Woodgrove Bank, Snooper)
// an SKR sidecar and the party app, each a detached `mpcc` child process
// (supervisor.h) on 127.0.0.1; the services and apps serve HTTPS with a
// certificate from DIR's local CA, the sidecars plain HTTP.
//
//   LocalDeployment d(dir, "/proc/self/exe" resolved);
//   MPCC_ASSIGN_OR_RETURN(UpResult up, d.up(UpOptions{}));      // children keep running
//   MPCC_ASSIGN_OR_RETURN(auto components, d.status());
//   MPCC_ASSIGN_OR_RETURN(auto stopped, d.down());
//
// up() is idempotent: it keeps what is on disk (CA, chip, identities and
// credentials, ports, vault contents, party tokens), re-applies the vaults'
// access policies and the keys' release policies, starts whatever is not
// running (restarting a party whose config or security policy changed), and
// waits until every component is healthy. When everything already runs and
// nothing changed it only checks health (UpResult::already_running). Ports:
// the first up picks them (ephemeral, or base_port, base_port+1, ...) and
// records them in DIR/deployment.json; later ups reuse them and fail
// (kUnavailable naming the port and component) when one is taken, before
// starting anything. On any failure up() stops what it started and says
// which component failed, with the tail of its log.
//
// Thread-safety: one call at a time per object; up() and down() take
// DIR/.lock (kFailedPrecondition when another up/down holds it), status()
// only reads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "deploy/deployment_file.h"
#include "deploy/layout.h"
#include "deploy/party_plan.h"
#include "deploy/supervisor.h"

namespace mpcc::deploy {

enum class ComponentKind {
  kPsp,
  kIdentity,
  kAttestation,
  kKeyVault,
  kSidecar,
  kPartyApp,
  kView,  // the four-pane view (web/view_service.h)
};

struct Component {
  std::string name;  // "psp", "identity", "attestation", "vault-contoso", "sidecar-contoso",
                     // "party-contoso", ...
  ComponentKind kind = ComponentKind::kPsp;
  std::string party;  // the vault's name, or the sidecar's / app's party ("" for the others)

  bool has_port() const { return kind != ComponentKind::kPsp; }
  bool is_party() const {
    return kind == ComponentKind::kSidecar || kind == ComponentKind::kPartyApp;
  }
};

// psp, identity, attestation, vault-<v> for each vault, sidecar-<p> and
// party-<p> for each party, view: the start order (sidecars before apps: an
// app may call its sidecar at start; the view with the apps); down() stops in
// reverse groups (apps and view first, psp last).
std::vector<Component> deployment_components(const DeploymentFile& file);

// Where the components of `file` listen, from their ports by component name
// (deployment.json's "ports"): what up plans the parties with, and what
// `mpcc policy hash` recomputes them with. kFailedPrecondition naming a
// component without a port.
StatusOr<DeploymentNetwork> deployment_network(const DeploymentFile& file,
                                               const std::map<std::string, int>& ports);

// The arguments `up` puts first in every child's argv (so in the parties'
// policies too): {"--log-level", "info"}.
const std::vector<std::string>& child_common_args();

struct UpOptions {
  std::optional<int> base_port;              // first up only: N, N+1, ... in component order
  std::chrono::milliseconds timeout{30000};  // readiness and health of every component
  // The deployment file; nullopt: the one built into the binary (deploy/local.json).
  std::optional<std::filesystem::path> deployment_file;
  // Serve the pages from this web/ folder instead of the built-in copy
  // (developing the UI; it is part of the apps' argv, so of their policies).
  std::optional<std::filesystem::path> web_root;
};

struct ComponentStatus {
  std::string name;
  std::optional<pid_t> pid;
  bool running = false;
  bool healthy = false;
  std::string url;     // https URL (a sidecar: http), or the psp's control socket
  std::string detail;  // why it is not healthy ("" when it is)
};

struct UpResult {
  bool already_running = false;  // nothing had to be started
  bool chip_created = false;
  std::vector<ComponentStatus> components;
  std::vector<std::string> notes;  // warnings and changes worth printing (keys, restarts)
  std::filesystem::path endpoints_file;
  std::string view_url;  // https://127.0.0.1:P/ of the four-pane view
};

class LocalDeployment {
 public:
  // `root` is made absolute; `executable` is the mpcc binary the children run.
  LocalDeployment(const std::filesystem::path& root, std::filesystem::path executable);

  const Layout& layout() const { return layout_; }
  const Supervisor& supervisor() const { return supervisor_; }

  // True when DIR holds a deployment: deployment.json, or a pid file left by
  // an interrupted up.
  bool exists() const;

  // The deployment file the last up used (DIR/deployment-file.json), else
  // the embedded one. Errors when the recorded copy is damaged.
  StatusOr<DeploymentFile> recorded_deployment_file() const;

  // See the file comment. Errors: kUnavailable / kDeadlineExceeded for a
  // component that cannot start or become healthy (message names it and
  // carries its log tail), kFailedPrecondition for a concurrent up/down, a
  // missing csv file or a key the vault refuses, kInvalidArgument for bad
  // options or a bad deployment file, others from provisioning.
  StatusOr<UpResult> up(const UpOptions& options);

  // Every component's pid, liveness and health (each health probe bounded by
  // `probe_timeout`). kNotFound when !exists().
  StatusOr<std::vector<ComponentStatus>> status(
      std::chrono::milliseconds probe_timeout = std::chrono::milliseconds(2000)) const;

  // Stops every component (apps, sidecars, vaults, then attestation and
  // identity, then the psp), removes the pid files. kNotFound when !exists()
  // (nothing to do).
  StatusOr<std::vector<StopResult>> down(const StopOptions& options = {});

  // The seed's Cleanup, in two halves around down() (cleanup.cpp):
  // delete_data() while the services still run deletes every party's key from
  // its vault (the deployer's token) and every blob in the storage container;
  // one line per thing done, and a line for what could not be done (a vault
  // that is not running: its key goes with the state directory).
  // kNotFound when !exists().
  StatusOr<std::vector<std::string>> delete_data();
  // After down(): removes what a deployment writes under DIR (and DIR itself
  // when nothing else is left in it). kFailedPrecondition while a component
  // still runs; kNotFound when there is no deployment.
  StatusOr<std::vector<std::string>> remove_state();

 private:
  // The components of the recorded deployment file plus any vault, sidecar
  // or party app that only a pid file in DIR/run still names (an earlier
  // up with another deployment file).
  StatusOr<std::vector<Component>> known_components() const;

  Layout layout_;
  Supervisor supervisor_;
};

}  // namespace mpcc::deploy
