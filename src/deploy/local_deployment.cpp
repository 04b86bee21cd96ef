#include "deploy/local_deployment.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "blobstore/directory_store.h"
#include "deploy/deployment_record.h"
#include "deploy/endpoints.h"
#include "deploy/host_resources.h"
#include "deploy/party_plan.h"
#include "deploy/provisioning.h"
#include "deploy/psp_guests.h"
#include "deploy/state_files.h"
#include "deploy/vault_keys.h"
#include "http/client.h"
#include "platform/sim/psp_control_client.h"
#include "platform/sim/psp_daemon.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

constexpr std::size_t kLogTailLines = 20;
constexpr auto kHealthRetry = milliseconds(100);
constexpr auto kMaxProbeTimeout = milliseconds(2000);
constexpr const char* kSidecarPrefix = "sidecar-";
constexpr const char* kAppPrefix = "party-";
constexpr const char* kVaultPrefix = "vault-";
constexpr const char* kViewName = "view";

using Targets = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Absolute, symbolic links resolved, normalised, without a trailing
// separator, so paths and the children's --state-dir arguments (which identify
// them) are spelled the same way whichever spelling of DIR the user gives.
fs::path normalize_root(const fs::path& root) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(root), ec);
  if (ec) p = fs::absolute(root);
  p = p.lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

int port_of(const std::map<std::string, int>& ports, const std::string& name) {
  auto it = ports.find(name);
  return it == ports.end() ? 0 : it->second;
}

std::string seconds_text(milliseconds ms) {
  return fmt::format("{:.1f} s", static_cast<double>(ms.count()) / 1000.0);
}

// The services the parties need (the view starts with the apps: its config
// names them).
bool is_infrastructure(const Component& c) {
  return !c.is_party() && c.kind != ComponentKind::kView;
}

fs::path component_state_dir(const Layout& layout, const Component& c) {
  switch (c.kind) {
    case ComponentKind::kPsp:
      return layout.psp_dir();
    case ComponentKind::kIdentity:
      return layout.identity_dir();
    case ComponentKind::kAttestation:
      return layout.attestation_dir();
    case ComponentKind::kKeyVault:
      return layout.vault_dir(c.party);
    case ComponentKind::kSidecar:
    case ComponentKind::kPartyApp:
      return layout.party_dir(c.party);
    case ComponentKind::kView:
      return layout.view_dir();
  }
  throw std::logic_error("unknown component kind");
}

// The arguments that identify a component's process (supervisor.h).
std::vector<std::string> signature(const Layout& layout, const Component& c) {
  if (c.kind == ComponentKind::kSidecar) return sidecar_signature(layout, c.party);
  if (c.kind == ComponentKind::kPartyApp) return app_signature(layout, c.party);
  if (c.kind == ComponentKind::kView) return view_signature(layout);
  return {"--state-dir", component_state_dir(layout, c).string()};
}

std::string component_url(const Layout& layout, const Component& c, int port) {
  if (c.kind == ComponentKind::kPsp) {
    return (layout.psp_dir() / platform::sim::kControlSocketName).string();
  }
  if (port <= 0) return "";
  return fmt::format("{}://127.0.0.1:{}", c.kind == ComponentKind::kSidecar ? "http" : "https",
                     port);
}

// The first line a component prints once it serves (supervisor.h).
std::string ready_prefix(const Layout& layout, const Component& c) {
  if (c.kind == ComponentKind::kPsp) return component_url(layout, c, 0);
  return c.kind == ComponentKind::kSidecar ? "http://" : "https://";
}

// psp: a status request on its control socket; a sidecar: GET /status
// (plain HTTP on loopback); the others: GET /health over TLS with DIR's CA.
Status probe(const Layout& layout, const Component& c, const std::string& url,
             milliseconds timeout) {
  if (c.kind == ComponentKind::kPsp) {
    StatusOr<json> s = platform::sim::request_status(url, timeout);
    return s.ok() ? ok_status() : s.status();
  }
  if (url.empty()) return unavailable("no port recorded");
  http::ClientOptions o;
  o.ca_cert_path = layout.ca_cert().string();
  o.connect_timeout_ms = static_cast<int>(timeout.count());
  o.read_timeout_ms = static_cast<int>(timeout.count());
  o.max_response_bytes = 64u << 10;
  const std::string path = c.kind == ComponentKind::kSidecar ? "/status" : "/health";
  MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, http::Client(o).get(url + path));
  if (r.status != 200) return unavailable(fmt::format("GET {}{} answered {}", url, path, r.status));
  return ok_status();
}

Targets stop_targets(const Layout& layout, const std::vector<const Component*>& components) {
  Targets out;
  for (const Component* c : components) out.emplace_back(c->name, signature(layout, *c));
  return out;
}

// One run of up(): what it started, on which ports, and how to undo it.
class UpRun {
 public:
  UpRun(const Layout& layout, const Supervisor& supervisor, std::map<std::string, int>& ports,
        steady_clock::time_point deadline)
      : layout_(layout), supervisor_(supervisor), ports_(ports), deadline_(deadline) {}

  // Spawns each component, then waits for each one's ready line (and reads
  // its port from it). On failure, everything this run started is stopped.
  template <typename ArgsFor>
  Status start(const std::vector<const Component*>& group, const ArgsFor& args_for) {
    const std::size_t first = started_.size();
    for (const Component* c : group) {
      std::error_code ec;
      fs::remove(supervisor_.pid_file(c->name), ec);  // stale
      const std::vector<std::string> unset =
          c->is_party() ? party_env_unset() : std::vector<std::string>{};
      StatusOr<ChildProcess> child = supervisor_.spawn(c->name, args_for(*c), unset);
      if (!child.ok()) return fail(c->name, child.status());
      started_.emplace_back(c, *child);
    }
    for (std::size_t i = first; i < started_.size(); ++i) {
      const auto& [c, child] = started_[i];
      if (Status s = wait_ready(*c, child); !s.ok()) return fail(c->name, s);
    }
    return ok_status();
  }

  // Probes until every component answers or the deadline passes.
  Status wait_healthy(const std::vector<const Component*>& group, milliseconds timeout) {
    std::map<std::string, Status> health;
    for (;;) {
      bool all = true;
      for (const Component* c : group) {
        auto h = health.find(c->name);
        if (h != health.end() && h->second.ok()) continue;
        auto left = std::chrono::duration_cast<milliseconds>(deadline_ - steady_clock::now());
        Status s = probe(layout_, *c, component_url(layout_, *c, port_of(ports_, c->name)),
                         std::clamp(left, milliseconds(200), kMaxProbeTimeout));
        health.insert_or_assign(c->name, s);
        all = all && s.ok();
      }
      if (all) return ok_status();
      if (steady_clock::now() >= deadline_) {
        for (const Component* c : group) {
          const Status& s = health.at(c->name);
          if (s.ok()) continue;
          return fail(c->name, Status(StatusCode::kDeadlineExceeded,
                                      fmt::format("not healthy after {}: {}", seconds_text(timeout),
                                                  s.message())));
        }
      }
      std::this_thread::sleep_for(kHealthRetry);
    }
  }

  // Stops what this run started (newest first) and returns `s` naming
  // `component`, with this run's last lines of its log.
  Status fail(const std::string& component, const Status& s) {
    std::uintmax_t from = 0;
    for (const auto& [c, child] : started_) {
      if (c->name == component) from = child.log_offset;
    }
    const std::string tail = supervisor_.log_tail(component, kLogTailLines, from);
    std::vector<const Component*> undo;
    for (auto it = started_.rbegin(); it != started_.rend(); ++it) undo.push_back(it->first);
    supervisor_.stop(stop_targets(layout_, undo));
    started_.clear();
    std::string message = fmt::format("{} failed: {}", component, s.message());
    if (!tail.empty()) {
      message += fmt::format("\n--- last lines of {}:\n{}",
                             supervisor_.log_file(component).string(), tail);
    }
    return Status(s.code(), message);
  }

 private:
  Status wait_ready(const Component& c, const ChildProcess& child) {
    StatusOr<std::string> line =
        supervisor_.wait_for_line(child, ready_prefix(layout_, c), deadline_);
    if (!line.ok()) return line.status();
    if (c.has_port()) {
      MPCC_ASSIGN_OR_RETURN(http::Url url, http::Url::parse(*line));
      ports_[c.name] = url.port;
    }
    return ok_status();
  }

  const Layout& layout_;
  const Supervisor& supervisor_;
  std::map<std::string, int>& ports_;
  const steady_clock::time_point deadline_;
  std::vector<std::pair<const Component*, ChildProcess>> started_;
};

std::vector<const Component*> select(const std::vector<const Component*>& from,
                                     const std::function<bool(const Component&)>& keep) {
  std::vector<const Component*> out;
  for (const Component* c : from) {
    if (keep(*c)) out.push_back(c);
  }
  return out;
}

std::vector<const Component*> pointers(const std::vector<Component>& components) {
  std::vector<const Component*> out;
  for (const Component& c : components) out.push_back(&c);
  return out;
}

bool has_kind(const Component& c, ComponentKind kind) { return c.kind == kind; }

// The parties' plans for the binary the children run (its hash is in the policies).
StatusOr<std::vector<PartyPlan>> plan_with_binary(
    const DeploymentFile& file, const Layout& layout, const DeploymentNetwork& network,
    const std::map<std::string, IdentityEndpoint>& identities, const fs::path& executable,
    const std::vector<std::string>& common_args, const std::optional<fs::path>& web_root) {
  MPCC_ASSIGN_OR_RETURN(std::string sha256, file_sha256(executable));
  return plan_parties(file, layout, network, identities, ExecutableInfo{executable, sha256},
                      common_args, web_root);
}

// The shared blob container every party app uses (the seed's storage account
// and container, here the directory store in DIR/blobs).
Status ensure_storage_container(const Layout& layout, const DeploymentFile& file) {
  MPCC_ASSIGN_OR_RETURN(auto store, blobstore::open_directory_store({layout.blobs_dir(), true}));
  return store->create_container(file.container);
}

// DIR/view/view.json; whether it changed.
StatusOr<bool> write_view_config(const Layout& layout, const ViewPlan& view) {
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.view_dir()));
  return write_if_changed(layout.view_config(), view.config_text);
}

// Each party's files; returns the parties whose config or policy changed.
StatusOr<std::set<std::string>> write_parties(const Layout& layout,
                                              const std::vector<PartyPlan>& plans) {
  MPCC_ASSIGN_OR_RETURN(json thim, host_certification(layout));
  std::set<std::string> changed;
  for (const PartyPlan& plan : plans) {
    MPCC_ASSIGN_OR_RETURN(bool c, write_party_files(layout, plan, thim));
    if (c) changed.insert(plan.spec.name);
  }
  return changed;
}

// A psp guest per confidential party with its host_data (kept when it runs
// already). Its launch measurement is the SHA-384 of the mpcc binary: locally
// the binary plays the utility VM that ACI measures (the same for every group),
// while host_data names what runs in the group.
Status launch_guests(const Layout& layout, const std::vector<PartyPlan>& plans,
                     const fs::path& executable) {
  const fs::path control = layout.psp_dir() / platform::sim::kControlSocketName;
  MPCC_ASSIGN_OR_RETURN(auto guests, psp_guests(control, kMaxProbeTimeout));
  MPCC_ASSIGN_OR_RETURN(std::string measurement, file_digest(executable, crypto::HashAlg::kSha384));
  for (const PartyPlan& plan : plans) {
    if (!plan.spec.confidential()) continue;
    auto g = guests.find(plan.spec.name);
    if (g != guests.end() && g->second == plan.host_data) continue;
    MPCC_RETURN_IF_ERROR(launch_guest(control, plan.spec.name, measurement, plan.host_data,
                                      layout.guest_channel(plan.spec.name), kMaxProbeTimeout));
  }
  return ok_status();
}

// Every key-holding party's key with its host_data-bound release policy; a
// note for each key created or updated.
Status ensure_keys(const DeploymentFile& file, const Layout& layout,
                   const DeploymentNetwork& network, const std::vector<PartyPlan>& plans,
                   std::vector<std::string>& notes) {
  std::map<std::string, std::string> host_data;
  for (const PartyPlan& plan : plans) {
    if (plan.spec.confidential()) host_data[plan.spec.name] = plan.host_data;
  }
  http::ClientOptions o;
  o.ca_cert_path = layout.ca_cert().string();
  const http::Client client(o);
  MPCC_ASSIGN_OR_RETURN(
      std::string bearer,
      fetch_access_token(o, network.identity_url, layout.credential_file(kDeployerIdentity)));
  for (const std::string& vault : file.vaults()) {
    const PartySpec* holder = file.key_holder(vault);
    MPCC_ASSIGN_OR_RETURN(json policy,
                          key_release_policy(file, *holder, network.attestation_url, host_data));
    MPCC_ASSIGN_OR_RETURN(KeyAction action, ensure_release_key(client, network.vault_urls.at(vault),
                                                               bearer, holder->key, policy));
    if (action != KeyAction::kKept) {
      notes.push_back(
          fmt::format("key {} in vault {}: {}", holder->key, vault, key_action_name(action)));
    }
  }
  return ok_status();
}

}  // namespace

StatusOr<DeploymentNetwork> deployment_network(const DeploymentFile& file,
                                               const std::map<std::string, int>& ports) {
  DeploymentNetwork n;
  for (const Component& c : deployment_components(file)) {
    if (!c.has_port()) continue;
    auto it = ports.find(c.name);
    if (it == ports.end() || it->second <= 0) {
      return failed_precondition(fmt::format("no port is known for {}", c.name));
    }
    const std::string url = fmt::format("https://127.0.0.1:{}", it->second);
    switch (c.kind) {
      case ComponentKind::kIdentity: n.identity_url = url; break;
      case ComponentKind::kAttestation: n.attestation_url = url; break;
      case ComponentKind::kKeyVault: n.vault_urls[c.party] = url; break;
      case ComponentKind::kSidecar: n.sidecar_ports[c.party] = it->second; break;
      case ComponentKind::kPartyApp: n.app_ports[c.party] = it->second; break;
      case ComponentKind::kView: n.view_url = url; break;
      case ComponentKind::kPsp: break;
    }
  }
  return n;
}

const std::vector<std::string>& child_common_args() {
  static const std::vector<std::string> kArgs = {"--log-level", "info"};
  return kArgs;
}

std::vector<Component> deployment_components(const DeploymentFile& file) {
  std::vector<Component> c = {
      {"psp", ComponentKind::kPsp, ""},
      {"identity", ComponentKind::kIdentity, ""},
      {"attestation", ComponentKind::kAttestation, ""},
  };
  for (const std::string& vault : file.vaults()) {
    c.push_back({kVaultPrefix + vault, ComponentKind::kKeyVault, vault});
  }
  for (const PartySpec& p : file.parties) {
    c.push_back({kSidecarPrefix + p.name, ComponentKind::kSidecar, p.name});
  }
  for (const PartySpec& p : file.parties) {
    c.push_back({kAppPrefix + p.name, ComponentKind::kPartyApp, p.name});
  }
  c.push_back({kViewName, ComponentKind::kView, ""});
  return c;
}

LocalDeployment::LocalDeployment(const fs::path& root, fs::path executable)
    : layout_(normalize_root(root)),
      supervisor_(std::move(executable), layout_.run_dir(), layout_.logs_dir()) {}

bool LocalDeployment::exists() const {
  std::error_code ec;
  if (fs::exists(layout_.deployment_json(), ec)) return true;
  for (const auto& entry : fs::directory_iterator(layout_.run_dir(), ec)) {
    if (entry.path().extension() == ".pid") return true;
  }
  return false;
}

StatusOr<DeploymentFile> LocalDeployment::recorded_deployment_file() const {
  std::error_code ec;
  if (fs::exists(layout_.deployment_file_copy(), ec)) {
    return read_deployment_file(layout_.deployment_file_copy());
  }
  return embedded_deployment_file();
}

StatusOr<std::vector<Component>> LocalDeployment::known_components() const {
  MPCC_ASSIGN_OR_RETURN(DeploymentFile file, recorded_deployment_file());
  std::vector<Component> components = deployment_components(file);
  std::set<std::string> names;
  for (const Component& c : components) names.insert(c.name);
  std::error_code ec;
  std::vector<std::string> leftovers;
  for (const auto& entry : fs::directory_iterator(layout_.run_dir(), ec)) {
    if (entry.path().extension() == ".pid") leftovers.push_back(entry.path().stem().string());
  }
  std::sort(leftovers.begin(), leftovers.end());
  for (const std::string& name : leftovers) {
    if (names.count(name)) continue;
    for (auto [prefix, kind] : {std::pair{kVaultPrefix, ComponentKind::kKeyVault},
                                std::pair{kSidecarPrefix, ComponentKind::kSidecar},
                                std::pair{kAppPrefix, ComponentKind::kPartyApp}}) {
      const std::string_view p(prefix);
      if (name.size() > p.size() && name.compare(0, p.size(), p) == 0) {
        components.push_back({name, kind, name.substr(p.size())});
      }
    }
  }
  return components;
}

StatusOr<UpResult> LocalDeployment::up(const UpOptions& options) {
  DeploymentFile file;
  if (options.deployment_file) {
    MPCC_ASSIGN_OR_RETURN(file, read_deployment_file(*options.deployment_file));
  } else {
    MPCC_ASSIGN_OR_RETURN(file, embedded_deployment_file());
  }
  MPCC_RETURN_IF_ERROR(check_files(file));
  const std::vector<Component> components = deployment_components(file);
  const auto port_count = static_cast<int>(std::count_if(
      components.begin(), components.end(), [](const Component& c) { return c.has_port(); }));
  if (options.base_port &&
      (*options.base_port < 1 || *options.base_port + port_count - 1 > 65535)) {
    return invalid_argument(fmt::format("--base-port must leave room for {} ports (1-{})",
                                        port_count, 65536 - port_count));
  }
  if (options.timeout.count() <= 0) return invalid_argument("--timeout must be positive");
  MPCC_RETURN_IF_ERROR(ensure_private_dir(layout_.root));
  MPCC_ASSIGN_OR_RETURN(DirLock lock, DirLock::acquire(layout_.lock_file()));

  // On-disk state (each step keeps what exists).
  UpResult result;
  MPCC_ASSIGN_OR_RETURN(http::LocalCaFiles ca, ensure_ca(layout_));
  std::map<std::string, http::TlsFiles> tls;
  for (const Component& c : components) {
    if (!c.has_port() || c.kind == ComponentKind::kSidecar) continue;
    MPCC_ASSIGN_OR_RETURN(tls[c.name], ensure_service_certificate(layout_, ca, c.name));
  }
  MPCC_RETURN_IF_ERROR(ensure_chip(layout_, result.chip_created));
  MPCC_ASSIGN_OR_RETURN(auto identities,
                        ensure_identities(layout_, file.identities(), result.notes));
  for (const std::string& vault : file.vaults()) {
    MPCC_RETURN_IF_ERROR(
        apply_access_policies(layout_, vault, file.access_grants(vault), identities));
  }
  MPCC_RETURN_IF_ERROR(
      write_if_changed(layout_.deployment_file_copy(), deployment_file_to_json(file).dump(2) + "\n")
          .status());
  MPCC_ASSIGN_OR_RETURN(std::optional<DeploymentRecord> recorded,
                        read_deployment_record(layout_.deployment_json()));
  DeploymentRecord record = recorded.value_or(DeploymentRecord{});

  // What runs already, what to start, on which ports.
  std::set<const Component*> to_start;
  for (const Component& c : components) {
    if (!supervisor_.state(c.name, signature(layout_, c)).running) to_start.insert(&c);
  }
  if (options.base_port && recorded && !record.ports.empty()) {
    result.notes.push_back("ports are already recorded in " + layout_.deployment_json().string() +
                           "; --base-port is ignored");
  }
  std::map<std::string, int> ports = record.ports;
  int next_base = options.base_port.value_or(0);
  for (const Component& c : components) {
    if (!c.has_port()) continue;
    const bool starting = to_start.count(&c) > 0;
    auto it = record.ports.find(c.name);
    if (it != record.ports.end()) {
      if (starting) MPCC_RETURN_IF_ERROR(check_port_free(it->second, c.name));
    } else if (!starting) {
      return failed_precondition(
          fmt::format("{} is running but {} records no port for it; run `mpcc down` first", c.name,
                      layout_.deployment_json().string()));
    } else if (options.base_port) {
      ports[c.name] = next_base;
      MPCC_RETURN_IF_ERROR(check_port_free(next_base, c.name));
    } else if (c.kind == ComponentKind::kIdentity || c.is_party() ||
               c.kind == ComponentKind::kView) {
      // Needed up front: the identity service is the issuer in its tokens; the
      // parties' ports and the view's (which may frame them) are in their
      // configs and security policies.
      MPCC_ASSIGN_OR_RETURN(ports[c.name], pick_free_port());
    } else {
      ports[c.name] = 0;  // ephemeral: read back from the URL the service prints
    }
    if (options.base_port) ++next_base;
  }

  const std::string identity_url = fmt::format("https://127.0.0.1:{}", ports.at("identity"));
  const std::vector<std::string> common_args = child_common_args();
  auto service_args = [&](const Component& c) {
    std::vector<std::string> a = common_args;
    const std::string dir = component_state_dir(layout_, c).string();
    auto add_listen = [&] {
      const http::TlsFiles& t = tls.at(c.name);
      a.insert(a.end(), {"--state-dir", dir, "--port", std::to_string(ports.at(c.name)),
                         "--tls-cert", t.cert_pem_path, "--tls-key", t.key_pem_path});
    };
    switch (c.kind) {
      case ComponentKind::kPsp:
        a.insert(a.end(), {"psp", "serve", "--state-dir", dir});
        break;
      case ComponentKind::kIdentity:
        a.insert(a.end(), {"serve", "identity"});
        add_listen();
        break;
      case ComponentKind::kAttestation:
        a.insert(a.end(), {"serve", "attestation"});
        add_listen();
        a.insert(a.end(), {"--trust-simulated-root", layout_.psp_chain().string()});
        break;
      case ComponentKind::kKeyVault:
        a.insert(a.end(), {"serve", "keyvault"});
        add_listen();
        a.insert(a.end(), {"--name", c.party, "--identity-issuer", identity_url, "--ca-cert",
                           layout_.ca_cert().string()});
        break;
      case ComponentKind::kSidecar:
      case ComponentKind::kPartyApp:
      case ComponentKind::kView:
        throw std::logic_error("party processes and the view take their arguments from a plan");
    }
    return a;
  };

  // The services: psp, identity, attestation together; the vaults need the
  // identity service (their token issuer), so they follow once it listens.
  const steady_clock::time_point deadline = steady_clock::now() + options.timeout;
  UpRun run(layout_, supervisor_, ports, deadline);
  const std::vector<const Component*> all = pointers(components);
  auto starting = [&](const Component& c) { return to_start.count(&c) > 0; };
  auto vault = [](const Component& c) { return has_kind(c, ComponentKind::kKeyVault); };
  MPCC_RETURN_IF_ERROR(run.start(
      select(all,
             [&](const Component& c) { return starting(c) && is_infrastructure(c) && !vault(c); }),
      service_args));
  MPCC_RETURN_IF_ERROR(run.start(
      select(all, [&](const Component& c) { return starting(c) && vault(c); }), service_args));
  MPCC_RETURN_IF_ERROR(run.wait_healthy(select(all, is_infrastructure), options.timeout));

  // The parties: configs, security policies and contexts, guests, keys.
  StatusOr<DeploymentNetwork> network_or = deployment_network(file, ports);
  if (!network_or.ok()) return run.fail("parties", network_or.status());
  const DeploymentNetwork& network = *network_or;
  StatusOr<std::vector<PartyPlan>> planned =
      plan_with_binary(file, layout_, network, identities, supervisor_.executable(), common_args,
                       options.web_root);
  if (!planned.ok()) return run.fail("parties", planned.status());
  const std::vector<PartyPlan>& plans = *planned;
  StatusOr<std::set<std::string>> changed = write_parties(layout_, plans);
  if (!changed.ok()) return run.fail("parties", changed.status());
  const ViewPlan view =
      plan_view(plans, layout_, network, ports.at(kViewName), common_args, options.web_root);
  StatusOr<bool> view_changed = write_view_config(layout_, view);
  if (!view_changed.ok()) return run.fail("view", view_changed.status());
  if (Status s = ensure_storage_container(layout_, file); !s.ok()) return run.fail("storage", s);
  if (Status s = launch_guests(layout_, plans, supervisor_.executable()); !s.ok()) {
    return run.fail("psp", s);
  }
  if (Status s = ensure_keys(file, layout_, network, plans, result.notes); !s.ok()) {
    return run.fail("keys", s);
  }

  // A running party whose config or policy changed runs stale: restart it.
  std::vector<const Component*> stale;
  for (const Component* c : all) {
    if (c->is_party() && !starting(*c) && changed->count(c->party)) stale.push_back(c);
    if (c->kind == ComponentKind::kView && !starting(*c) && *view_changed) stale.push_back(c);
  }
  if (!stale.empty()) {
    supervisor_.stop(stop_targets(layout_, stale));
    std::set<std::string> restarted;
    for (const Component* c : stale) {
      to_start.insert(c);
      if (c->is_party()) restarted.insert(c->party);
    }
    for (const std::string& p : restarted) {
      result.notes.push_back(
          fmt::format("party {}: its configuration or security policy changed; restarted", p));
    }
  }
  std::map<std::string, const PartyPlan*> plan_of;
  for (const PartyPlan& plan : plans) plan_of[plan.spec.name] = &plan;
  auto party_args = [&](const Component& c) {
    if (c.kind == ComponentKind::kView) return view.args;
    const PartyPlan& plan = *plan_of.at(c.party);
    return c.kind == ComponentKind::kSidecar ? plan.sidecar_args : plan.app_args;
  };
  auto sidecar = [](const Component& c) { return has_kind(c, ComponentKind::kSidecar); };
  auto app = [](const Component& c) {
    return has_kind(c, ComponentKind::kPartyApp) || has_kind(c, ComponentKind::kView);
  };
  MPCC_RETURN_IF_ERROR(run.start(
      select(all, [&](const Component& c) { return starting(c) && sidecar(c); }), party_args));
  MPCC_RETURN_IF_ERROR(run.start(
      select(all, [&](const Component& c) { return starting(c) && app(c); }), party_args));
  MPCC_RETURN_IF_ERROR(run.wait_healthy(all, options.timeout));
  result.already_running = to_start.empty();

  // Record the ports, write endpoints.json.
  DeploymentRecord new_record = record;
  for (const Component& c : components) {
    if (c.has_port()) new_record.ports[c.name] = port_of(ports, c.name);
  }
  if (!recorded || !(new_record == record)) {
    if (Status s = write_deployment_record(layout_.deployment_json(), new_record); !s.ok()) {
      return run.fail("deployment", s);
    }
  }
  Endpoints e;
  e.ca_cert = layout_.ca_cert();
  e.identity = identity_url;
  e.attestation = network.attestation_url;
  e.vaults = network.vault_urls;
  e.identities = identities;
  e.psp_state_dir = layout_.psp_dir();
  e.psp_chain = layout_.psp_chain();
  e.parties = endpoints_parties(plans, layout_, network);
  e.view = {{"url", view.url}, {"config", layout_.view_config().string()}};
  if (Status s = write_endpoints(layout_.endpoints_json(), e); !s.ok()) {
    return run.fail("endpoints", s);
  }
  result.endpoints_file = layout_.endpoints_json();
  result.view_url = view.url;

  for (const Component& c : components) {
    ProcessState st = supervisor_.state(c.name, signature(layout_, c));
    ComponentStatus cs;
    cs.name = c.name;
    cs.pid = st.pid;
    cs.running = st.running;
    cs.healthy = true;
    cs.url = component_url(layout_, c, port_of(ports, c.name));
    result.components.push_back(std::move(cs));
  }
  return result;
}

StatusOr<std::vector<ComponentStatus>> LocalDeployment::status(milliseconds probe_timeout) const {
  if (!exists()) return not_found("no deployment in " + layout_.root.string());
  MPCC_ASSIGN_OR_RETURN(std::optional<DeploymentRecord> record,
                        read_deployment_record(layout_.deployment_json()));
  MPCC_ASSIGN_OR_RETURN(std::vector<Component> components, known_components());
  std::vector<ComponentStatus> out;
  for (const Component& c : components) {
    ComponentStatus cs;
    cs.name = c.name;
    ProcessState st = supervisor_.state(c.name, signature(layout_, c));
    cs.pid = st.pid;
    cs.running = st.running;
    cs.url = component_url(layout_, c, record ? port_of(record->ports, c.name) : 0);
    if (!cs.running) {
      cs.detail =
          st.pid ? fmt::format("pid {} is not running", *st.pid) : "not running (no pid file)";
    } else if (Status s = probe(layout_, c, cs.url, probe_timeout); s.ok()) {
      cs.healthy = true;
    } else {
      cs.detail = s.message();
    }
    out.push_back(std::move(cs));
  }
  return out;
}

StatusOr<std::vector<StopResult>> LocalDeployment::down(const StopOptions& options) {
  if (!exists()) return not_found("no deployment in " + layout_.root.string());
  MPCC_ASSIGN_OR_RETURN(DirLock lock, DirLock::acquire(layout_.lock_file()));
  MPCC_ASSIGN_OR_RETURN(std::vector<Component> components, known_components());
  const std::vector<const Component*> all = pointers(components);
  std::vector<StopResult> results;
  // Apps, sidecars, vaults, identity and attestation, psp: each group together.
  for (auto group : std::vector<std::function<bool(const Component&)>>{
           [](const Component& c) {
             return has_kind(c, ComponentKind::kPartyApp) || has_kind(c, ComponentKind::kView);
           },
           [](const Component& c) { return has_kind(c, ComponentKind::kSidecar); },
           [](const Component& c) { return has_kind(c, ComponentKind::kKeyVault); },
           [](const Component& c) {
             return has_kind(c, ComponentKind::kIdentity) ||
                    has_kind(c, ComponentKind::kAttestation);
           },
           [](const Component& c) { return has_kind(c, ComponentKind::kPsp); }}) {
    std::vector<StopResult> r =
        supervisor_.stop(stop_targets(layout_, select(all, group)), options);
    results.insert(results.end(), r.begin(), r.end());
  }
  return results;
}

}  // namespace mpcc::deploy
