// File: deploy/local_deployment.h
//
// LocalDeployment: the default deployment model on one machine and the
// steps of `mpcc up`, `mpcc status` and `mpcc down` over a state directory
// DIR (layout.h). The model: a simulated PSP daemon, the managed-identity
// service, the attestation service and one key vault per party (contoso,
// fabrikam, woodgrove), each a detached `mpcc` child process (supervisor.h)
// serving HTTPS on 127.0.0.1 with a certificate from DIR's local CA.
//
//   LocalDeployment d(dir, "/proc/self/exe" resolved);
//   MPCC_ASSIGN_OR_RETURN(UpResult up, d.up(UpOptions{}));      // children keep running
//   MPCC_ASSIGN_OR_RETURN(auto components, d.status());
//   MPCC_ASSIGN_OR_RETURN(auto stopped, d.down());
//
// up() is idempotent: it keeps what is on disk (CA, chip, identities and
// credentials, ports, vault contents), re-applies the vaults' access
// policies, starts whatever is not running, and waits until every component
// is healthy. When everything already runs it only checks health
// (UpResult::already_running). Ports: the first up picks them (ephemeral, or
// base_port, base_port+1, ...) and records them in DIR/deployment.json; later
// ups reuse them and fail (kUnavailable naming the port and component) when
// one is taken, before starting anything. On any failure up() stops what it
// started and says which component failed, with the tail of its log.
//
// Thread-safety: one call at a time per object; up() and down() take
// DIR/.lock (kFailedPrecondition when another up/down holds it), status()
// only reads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "deploy/layout.h"
#include "deploy/supervisor.h"

namespace mpcc::deploy {

enum class ComponentKind { kPsp, kIdentity, kAttestation, kKeyVault };

struct Component {
  std::string name;  // "psp", "identity", "attestation", "vault-contoso", ...
  ComponentKind kind = ComponentKind::kPsp;
  std::string party;  // the vault's party ("" for the others)

  bool has_port() const { return kind != ComponentKind::kPsp; }
};

// The identities of the default model, and its parties (one vault each).
const std::vector<std::string>& default_identities();  // deployer, contoso, fabrikam, woodgrove
const std::vector<std::string>& default_parties();     // contoso, fabrikam, woodgrove
// psp, identity, attestation, vault-contoso, vault-fabrikam, vault-woodgrove:
// the start order; down() stops in reverse groups (vaults first, psp last).
std::vector<Component> default_components();

struct UpOptions {
  std::optional<int> base_port;              // first up only: N, N+1, ... in component order
  std::chrono::milliseconds timeout{30000};  // readiness and health of every component
};

struct ComponentStatus {
  std::string name;
  std::optional<pid_t> pid;
  bool running = false;
  bool healthy = false;
  std::string url;     // https URL, or the psp's control socket
  std::string detail;  // why it is not healthy ("" when it is)
};

struct UpResult {
  bool already_running = false;  // nothing had to be started
  bool chip_created = false;
  std::vector<ComponentStatus> components;
  std::vector<std::string> notes;  // warnings worth printing
  std::filesystem::path endpoints_file;
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

  // See the file comment. Errors: kUnavailable / kDeadlineExceeded for a
  // component that cannot start or become healthy (message names it and
  // carries its log tail), kFailedPrecondition for a concurrent up/down,
  // kInvalidArgument for bad options, others from provisioning.
  StatusOr<UpResult> up(const UpOptions& options);

  // Every component's pid, liveness and health (each health probe bounded by
  // `probe_timeout`). kNotFound when !exists().
  StatusOr<std::vector<ComponentStatus>> status(
      std::chrono::milliseconds probe_timeout = std::chrono::milliseconds(2000)) const;

  // Stops every component (vaults, then attestation and identity, then the
  // psp), removes the pid files. kNotFound when !exists() (nothing to do).
  StatusOr<std::vector<StopResult>> down(const StopOptions& options = {});

 private:
  std::vector<std::string> signature(const Component& c) const;
  std::filesystem::path component_state_dir(const Component& c) const;
  std::string component_url(const Component& c, int port) const;
  Status probe(const Component& c, const std::string& url, std::chrono::milliseconds timeout) const;

  Layout layout_;
  Supervisor supervisor_;
};

}  // namespace mpcc::deploy
