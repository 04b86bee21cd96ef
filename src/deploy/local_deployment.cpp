#include "deploy/local_deployment.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "deploy/deployment_record.h"
#include "deploy/endpoints.h"
#include "deploy/provisioning.h"
#include "http/client.h"
#include "platform/sim/psp_control_client.h"
#include "platform/sim/psp_daemon.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

constexpr std::size_t kLogTailLines = 20;
constexpr auto kHealthRetry = milliseconds(100);
constexpr auto kMaxProbeTimeout = milliseconds(2000);
constexpr const char* kChildLogLevel = "info";

// DIR/.lock held with flock() for the lifetime of the object; close-on-exec,
// so the children never inherit it.
class DirLock {
 public:
  static StatusOr<DirLock> acquire(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
      return unavailable(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return failed_precondition(fmt::format("another mpcc up/down is working on {} (it holds {})",
                                             path.parent_path().string(), path.string()));
    }
    return DirLock(fd);
  }
  DirLock(DirLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

// Binds 127.0.0.1:port as the services do (SO_REUSEADDR) and closes again.
// kUnavailable naming the port and the component when something listens.
Status check_port_free(int port, const std::string& component) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable(fmt::format("socket: {}", std::strerror(errno)));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::close(fd);
  if (rc == 0) return ok_status();
  return unavailable(fmt::format(
      "port {} of {} is taken ({}); the deployment's ports are fixed once recorded (its URLs are "
      "referenced elsewhere): stop whatever listens on 127.0.0.1:{}",
      port, component, std::strerror(err), port));
}

// An unused loopback port (bind port 0, read it back, close).
StatusOr<int> pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable(fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    ::close(fd);
    return unavailable(fmt::format("cannot find a free port: {}", std::strerror(err)));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

Status ensure_root(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return unavailable(fmt::format("{}: cannot create: {}", root.string(), ec.message()));
  fs::permissions(root, fs::perms::owner_all, ec);
  if (ec)
    return unavailable(fmt::format("{}: cannot set mode 0700: {}", root.string(), ec.message()));
  return ok_status();
}

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

}  // namespace

const std::vector<std::string>& default_identities() {
  static const std::vector<std::string> kNames = {"deployer", "contoso", "fabrikam", "woodgrove"};
  return kNames;
}

const std::vector<std::string>& default_parties() {
  static const std::vector<std::string> kNames = {"contoso", "fabrikam", "woodgrove"};
  return kNames;
}

std::vector<Component> default_components() {
  std::vector<Component> c = {
      {"psp", ComponentKind::kPsp, ""},
      {"identity", ComponentKind::kIdentity, ""},
      {"attestation", ComponentKind::kAttestation, ""},
  };
  for (const std::string& party : default_parties()) {
    c.push_back({"vault-" + party, ComponentKind::kKeyVault, party});
  }
  return c;
}

LocalDeployment::LocalDeployment(const fs::path& root, fs::path executable)
    : layout_(normalize_root(root)),
      supervisor_(std::move(executable), layout_.run_dir(), layout_.logs_dir()) {}

bool LocalDeployment::exists() const {
  std::error_code ec;
  if (fs::exists(layout_.deployment_json(), ec)) return true;
  for (const Component& c : default_components()) {
    if (fs::exists(supervisor_.pid_file(c.name), ec)) return true;
  }
  return false;
}

fs::path LocalDeployment::component_state_dir(const Component& c) const {
  switch (c.kind) {
    case ComponentKind::kPsp:
      return layout_.psp_dir();
    case ComponentKind::kIdentity:
      return layout_.identity_dir();
    case ComponentKind::kAttestation:
      return layout_.attestation_dir();
    case ComponentKind::kKeyVault:
      return layout_.vault_dir(c.party);
  }
  throw std::logic_error("unknown component kind");
}

std::vector<std::string> LocalDeployment::signature(const Component& c) const {
  return {"--state-dir", component_state_dir(c).string()};
}

std::string LocalDeployment::component_url(const Component& c, int port) const {
  if (c.kind == ComponentKind::kPsp)
    return (layout_.psp_dir() / platform::sim::kControlSocketName).string();
  return port > 0 ? fmt::format("https://127.0.0.1:{}", port) : "";
}

Status LocalDeployment::probe(const Component& c, const std::string& url,
                              milliseconds timeout) const {
  if (c.kind == ComponentKind::kPsp) {
    StatusOr<nlohmann::json> s = platform::sim::request_status(url, timeout);
    return s.ok() ? ok_status() : s.status();
  }
  if (url.empty()) return unavailable("no port recorded");
  http::ClientOptions o;
  o.ca_cert_path = layout_.ca_cert().string();
  o.connect_timeout_ms = static_cast<int>(timeout.count());
  o.read_timeout_ms = static_cast<int>(timeout.count());
  o.max_response_bytes = 64u << 10;
  MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, http::Client(o).get(url + "/health"));
  if (r.status != 200) return unavailable(fmt::format("GET {}/health answered {}", url, r.status));
  return ok_status();
}

StatusOr<UpResult> LocalDeployment::up(const UpOptions& options) {
  const std::vector<Component> components = default_components();
  const auto port_count = static_cast<int>(std::count_if(
      components.begin(), components.end(), [](const Component& c) { return c.has_port(); }));
  if (options.base_port &&
      (*options.base_port < 1 || *options.base_port + port_count - 1 > 65535)) {
    return invalid_argument(fmt::format("--base-port must leave room for {} ports (1-{})",
                                        port_count, 65536 - port_count));
  }
  if (options.timeout.count() <= 0) return invalid_argument("--timeout must be positive");
  MPCC_RETURN_IF_ERROR(ensure_root(layout_.root));
  MPCC_ASSIGN_OR_RETURN(DirLock lock, DirLock::acquire(layout_.lock_file()));

  // 1-3, 5: on-disk state (each step keeps what exists).
  UpResult result;
  MPCC_ASSIGN_OR_RETURN(http::LocalCaFiles ca, ensure_ca(layout_));
  std::map<std::string, http::TlsFiles> tls;
  for (const Component& c : components) {
    if (!c.has_port()) continue;
    MPCC_ASSIGN_OR_RETURN(tls[c.name], ensure_service_certificate(layout_, ca, c.name));
  }
  MPCC_RETURN_IF_ERROR(ensure_chip(layout_, result.chip_created));
  MPCC_ASSIGN_OR_RETURN(auto identities,
                        ensure_identities(layout_, default_identities(), result.notes));
  for (const std::string& party : default_parties()) {
    MPCC_RETURN_IF_ERROR(
        apply_access_policies(layout_, party, default_access_grants(party), identities));
  }
  MPCC_ASSIGN_OR_RETURN(std::optional<DeploymentRecord> recorded,
                        read_deployment_record(layout_.deployment_json()));
  DeploymentRecord record = recorded.value_or(DeploymentRecord{});

  // What runs already, what to start, on which ports.
  std::vector<const Component*> to_start;
  for (const Component& c : components) {
    if (!supervisor_.state(c.name, signature(c)).running) to_start.push_back(&c);
  }
  result.already_running = to_start.empty();
  if (options.base_port && recorded && !record.ports.empty()) {
    result.notes.push_back("ports are already recorded in " + layout_.deployment_json().string() +
                           "; --base-port is ignored");
  }
  std::map<std::string, int> ports = record.ports;
  int next_base = options.base_port.value_or(0);
  for (const Component& c : components) {
    if (!c.has_port()) continue;
    const bool starting = std::find(to_start.begin(), to_start.end(), &c) != to_start.end();
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
    } else if (c.kind == ComponentKind::kIdentity) {
      // The identity service needs its port up front: it is the issuer in its tokens.
      MPCC_ASSIGN_OR_RETURN(ports[c.name], pick_free_port());
    } else {
      ports[c.name] = 0;  // ephemeral: read back from the URL the service prints
    }
    if (options.base_port) ++next_base;
  }

  const std::string identity_url = fmt::format("https://127.0.0.1:{}", ports.at("identity"));
  auto args_for = [&](const Component& c) {
    std::vector<std::string> a = {"--log-level", kChildLogLevel};
    const std::string dir = component_state_dir(c).string();
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
    }
    return a;
  };

  // Starting, readiness, health. Any failure stops what this call started.
  const steady_clock::time_point deadline = steady_clock::now() + options.timeout;
  std::vector<std::pair<const Component*, ChildProcess>> started;
  auto fail = [&](const std::string& component, const Status& s) -> Status {
    std::uintmax_t from = 0;  // only this run's lines of a component this up started
    for (const auto& [c, child] : started) {
      if (c->name == component) from = child.log_offset;
    }
    const std::string tail = supervisor_.log_tail(component, kLogTailLines, from);
    std::vector<std::pair<std::string, std::vector<std::string>>> targets;
    for (auto it = started.rbegin(); it != started.rend(); ++it) {
      targets.emplace_back(it->first->name, signature(*it->first));
    }
    supervisor_.stop(targets);
    std::string message = fmt::format("{} failed: {}", component, s.message());
    if (!tail.empty()) {
      message += fmt::format("\n--- last lines of {}:\n{}",
                             supervisor_.log_file(component).string(), tail);
    }
    return Status(s.code(), message);
  };
  auto ready_prefix = [&](const Component& c) {
    return c.kind == ComponentKind::kPsp ? component_url(c, 0) : std::string("https://");
  };
  auto wait_ready = [&](const Component& c, const ChildProcess& child) -> Status {
    StatusOr<std::string> line = supervisor_.wait_for_line(child, ready_prefix(c), deadline);
    if (!line.ok()) return line.status();
    if (c.has_port()) {
      MPCC_ASSIGN_OR_RETURN(http::Url url, http::Url::parse(*line));
      ports[c.name] = url.port;
    }
    return ok_status();
  };
  auto spawn = [&](const Component& c) -> Status {
    std::error_code ec;
    fs::remove(supervisor_.pid_file(c.name), ec);  // stale
    MPCC_ASSIGN_OR_RETURN(ChildProcess child, supervisor_.spawn(c.name, args_for(c)));
    started.emplace_back(&c, child);
    return ok_status();
  };

  // Phase 1: psp, identity, attestation together; the vaults need the
  // identity service (their token issuer), so they follow once it listens.
  std::size_t waited = 0;
  for (const Component* c : to_start) {
    if (c->kind == ComponentKind::kKeyVault) continue;
    if (Status s = spawn(*c); !s.ok()) return fail(c->name, s);
  }
  for (; waited < started.size(); ++waited) {
    if (Status s = wait_ready(*started[waited].first, started[waited].second); !s.ok()) {
      return fail(started[waited].first->name, s);
    }
  }
  for (const Component* c : to_start) {
    if (c->kind != ComponentKind::kKeyVault) continue;
    if (Status s = spawn(*c); !s.ok()) return fail(c->name, s);
  }
  for (; waited < started.size(); ++waited) {
    if (Status s = wait_ready(*started[waited].first, started[waited].second); !s.ok()) {
      return fail(started[waited].first->name, s);
    }
  }

  // 7: every component healthy (also those that were already running).
  std::map<std::string, Status> health;
  for (;;) {
    bool all = true;
    for (const Component& c : components) {
      auto h = health.find(c.name);
      if (h != health.end() && h->second.ok()) continue;
      auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
      Status s = probe(c, component_url(c, port_of(ports, c.name)),
                       std::clamp(left, milliseconds(200), kMaxProbeTimeout));
      health.insert_or_assign(c.name, s);
      all = all && s.ok();
    }
    if (all) break;
    if (steady_clock::now() >= deadline) {
      for (const Component& c : components) {
        const Status& s = health.at(c.name);
        if (s.ok()) continue;
        return fail(c.name, Status(StatusCode::kDeadlineExceeded,
                                   fmt::format("not healthy after {}: {}",
                                               seconds_text(options.timeout), s.message())));
      }
    }
    std::this_thread::sleep_for(kHealthRetry);
  }

  // 6, 8: record the ports, write endpoints.json.
  DeploymentRecord new_record;
  for (const Component& c : components) {
    if (c.has_port()) new_record.ports[c.name] = port_of(ports, c.name);
  }
  if (!recorded || !(new_record == record)) {
    if (Status s = write_deployment_record(layout_.deployment_json(), new_record); !s.ok()) {
      return fail("deployment", s);
    }
  }
  Endpoints e;
  if (StatusOr<Endpoints> previous = read_endpoints(layout_.endpoints_json()); previous.ok()) {
    e.parties = previous->parties;
    e.view = previous->view;
  }
  e.ca_cert = layout_.ca_cert();
  for (const Component& c : components) {
    const std::string url = component_url(c, port_of(ports, c.name));
    if (c.kind == ComponentKind::kIdentity) e.identity = url;
    if (c.kind == ComponentKind::kAttestation) e.attestation = url;
    if (c.kind == ComponentKind::kKeyVault) e.vaults[c.party] = url;
  }
  e.identities = identities;
  e.psp_state_dir = layout_.psp_dir();
  e.psp_chain = layout_.psp_chain();
  if (Status s = write_endpoints(layout_.endpoints_json(), e); !s.ok()) return fail("endpoints", s);
  result.endpoints_file = layout_.endpoints_json();

  for (const Component& c : components) {
    ProcessState st = supervisor_.state(c.name, signature(c));
    ComponentStatus cs;
    cs.name = c.name;
    cs.pid = st.pid;
    cs.running = st.running;
    cs.healthy = true;
    cs.url = component_url(c, port_of(ports, c.name));
    result.components.push_back(std::move(cs));
  }
  return result;
}

StatusOr<std::vector<ComponentStatus>> LocalDeployment::status(milliseconds probe_timeout) const {
  if (!exists()) return not_found("no deployment in " + layout_.root.string());
  MPCC_ASSIGN_OR_RETURN(std::optional<DeploymentRecord> record,
                        read_deployment_record(layout_.deployment_json()));
  std::vector<ComponentStatus> out;
  for (const Component& c : default_components()) {
    ComponentStatus cs;
    cs.name = c.name;
    ProcessState st = supervisor_.state(c.name, signature(c));
    cs.pid = st.pid;
    cs.running = st.running;
    int port = 0;
    if (record) {
      auto it = record->ports.find(c.name);
      if (it != record->ports.end()) port = it->second;
    }
    cs.url = component_url(c, port);
    if (!cs.running) {
      cs.detail =
          st.pid ? fmt::format("pid {} is not running", *st.pid) : "not running (no pid file)";
    } else if (Status s = probe(c, cs.url, probe_timeout); s.ok()) {
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
  using Targets = std::vector<std::pair<std::string, std::vector<std::string>>>;
  Targets vaults, services, psp;
  for (const Component& c : default_components()) {
    Targets& group = c.kind == ComponentKind::kKeyVault ? vaults
                     : c.kind == ComponentKind::kPsp    ? psp
                                                        : services;
    group.emplace_back(c.name, signature(c));
  }
  std::vector<StopResult> results;
  for (const Targets* group : {&vaults, &services, &psp}) {
    std::vector<StopResult> r = supervisor_.stop(*group, options);
    results.insert(results.end(), r.begin(), r.end());
  }
  return results;
}

}  // namespace mpcc::deploy
