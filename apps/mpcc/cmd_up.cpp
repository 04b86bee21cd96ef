// `mpcc up`, `mpcc status`, `mpcc down`: the local deployment (src/deploy).
//
//   mpcc up     [--state-dir DIR] [--detach] [--open] [--keep] [--base-port N]
//               [--timeout SECONDS] [--deployment-file FILE] [--web-root DIR]
//   mpcc status [--state-dir DIR] [--json]
//   mpcc down   [--state-dir DIR] [--keep]
//
// DIR defaults to $MPCC_STATE_DIR, else $XDG_STATE_HOME/mpcc, else
// ~/.local/state/mpcc.
//
// up reads the deployment file (the four parties; deploy/local.json, built
// in), prepares DIR (local CA, simulated chip, identities, vault access
// policies), starts the services as detached mpcc children, then per party
// writes its config, security policy and context, launches its psp guest,
// makes its key with a host_data-bound release policy, and starts its SKR
// sidecar and app; waits until each is healthy and writes
// DIR/endpoints.json, and prints the URL of the four-pane view with the four
// operators' tokens in its fragment (--open starts a browser on it). Without
// --detach it then stays in the foreground and on SIGINT/SIGTERM/SIGHUP does
// the seed's Cleanup: deletes the keys and blobs, stops every process and
// removes DIR (with --keep: only stops, keeping everything for the next up).
// `down` is the same Cleanup (--keep: only stop). A second up on a running
// deployment says so, shows its view, and only checks health (and re-checks
// keys, guests and files).
// Exit codes: up 0 running, 2 bad usage (or a bad deployment file), 5 a
// component cannot start or is unhealthy (or a recorded port is taken, or a
// key cannot be made), 70 bug. status 0 all running and healthy, 1
// otherwise, 2 no deployment in DIR. down 0 stopped (also when there was
// nothing to stop), 5 a process survived SIGKILL.
#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/mpcc/commands.h"
#include "apps/mpcc/exit_codes.h"
#include "deploy/endpoints.h"
#include "deploy/local_deployment.h"
#include "deploy/view_access.h"

namespace mpcc::app {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct UpArgs {
  std::string state_dir;
  std::string deployment_file;
  std::string web_root;
  bool detach = false;
  bool open = false;
  bool keep = false;
  int base_port = 0;
  double timeout_seconds = 30;
};

struct StatusArgs {
  std::string state_dir;
  bool json = false;
};

struct DownArgs {
  std::string state_dir;
  bool keep = false;
};

std::string default_state_dir() {
  if (const char* d = std::getenv("MPCC_STATE_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x != nullptr && *x != '\0') {
    return (fs::path(x) / "mpcc").string();
  }
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    return (fs::path(h) / ".local" / "state" / "mpcc").string();
  }
  return ".mpcc";
}

[[noreturn]] void fail(std::string_view command, const Status& s) {
  std::fprintf(stderr, "mpcc %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               s.message().c_str());
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      throw CliExit{kExitUsage};
    case StatusCode::kInternal:
    case StatusCode::kUnknown:
      throw CliExit{kExitInternal};
    default:
      throw CliExit{kExitUnavailable};
  }
}

fs::path self_executable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    fail("up", unavailable("cannot find the mpcc executable (/proc/self/exe): " + ec.message()));
  return exe;
}

std::string pid_text(const std::optional<pid_t>& pid) { return pid ? std::to_string(*pid) : "-"; }

void print_table(const std::vector<deploy::ComponentStatus>& components) {
  std::printf("%-18s %-8s %-8s %-9s %s\n", "COMPONENT", "PID", "STATE", "HEALTH", "URL");
  for (const deploy::ComponentStatus& c : components) {
    std::printf("%-18s %-8s %-8s %-9s %s\n", c.name.c_str(), pid_text(c.pid).c_str(),
                c.running ? "running" : "stopped",
                c.healthy   ? "ok"
                : c.running ? "unhealthy"
                            : "-",
                c.url.c_str());
  }
}

json components_json(const std::vector<deploy::ComponentStatus>& components) {
  json out = json::array();
  for (const deploy::ComponentStatus& c : components) {
    json j = {{"name", c.name}, {"running", c.running}, {"healthy", c.healthy}, {"url", c.url}};
    j["pid"] = c.pid ? json(*c.pid) : json(nullptr);
    if (!c.detail.empty()) j["detail"] = c.detail;
    out.push_back(std::move(j));
  }
  return out;
}

void print_lines(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// Stops everything and reports it (without `keep`, the seed's Cleanup around
// it: keys and blobs deleted first, the state directory removed after); the
// exit code of `down`.
int run_down(deploy::LocalDeployment& deployment, std::string_view command, bool keep) {
  if (!keep && deployment.exists()) {
    StatusOr<std::vector<std::string>> deleted = deployment.delete_data();
    if (deleted.ok()) {
      print_lines(*deleted);
    } else {
      std::fprintf(stderr, "mpcc %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                   deleted.status().message().c_str());
    }
  }
  StatusOr<std::vector<deploy::StopResult>> stopped = deployment.down();
  if (!stopped.ok()) {
    if (stopped.status().code() == StatusCode::kNotFound) {
      std::printf("no deployment in %s; nothing to stop\n", deployment.layout().root.c_str());
      return kExitOk;
    }
    fail(command, stopped.status());
  }
  int code = kExitOk;
  for (const deploy::StopResult& r : *stopped) {
    std::printf("%-18s %-8s %s\n", r.name.c_str(), pid_text(r.pid).c_str(), r.outcome.c_str());
    if (r.outcome == "still running") code = kExitUnavailable;
  }
  std::fflush(stdout);
  if (code != kExitOk) {
    std::fprintf(stderr, "mpcc %.*s: some processes survived SIGKILL (see above)\n",
                 static_cast<int>(command.size()), command.data());
    return code;
  }
  if (!keep) {
    StatusOr<std::vector<std::string>> removed = deployment.remove_state();
    if (!removed.ok()) fail(command, removed.status());
    print_lines(*removed);
  }
  return code;
}

// The view's URL (with the operators' tokens) and, with --open, a browser on it.
void show_view(const deploy::LocalDeployment& deployment, bool open) {
  StatusOr<deploy::Endpoints> e = deploy::read_endpoints(deployment.layout().endpoints_json());
  if (!e.ok()) return;
  StatusOr<std::string> url = deploy::view_url_with_tokens(deployment.layout(), *e);
  if (!url.ok()) {
    std::fprintf(stderr, "mpcc up: no view: %s\n", url.status().message().c_str());
    return;
  }
  std::printf("four-pane view (holds the four operators' credentials: keep it to yourself):\n  %s\n",
              url->c_str());
  if (open) {
    StatusOr<deploy::BrowserLaunch> b = deploy::open_browser(deployment.layout(), *url);
    if (b.ok()) {
      std::printf("opened %s%s\n", b->program.c_str(),
                  b->trusts_deployment ? " (trusting this deployment's certificates only)" : "");
      if (!b->note.empty()) std::printf("note: %s\n", b->note.c_str());
    } else {
      std::fprintf(stderr, "mpcc up: --open: %s; open the URL above yourself\n",
                   b.status().message().c_str());
    }
  } else {
    std::printf("(--open starts Chromium trusting only this deployment's certificates)\n");
  }
  std::fflush(stdout);
}

void run_up(const UpArgs& a, const CLI::Option* base_port) {
  deploy::UpOptions options;
  if (base_port->count() > 0) options.base_port = a.base_port;
  if (!a.deployment_file.empty()) options.deployment_file = a.deployment_file;
  if (!a.web_root.empty()) options.web_root = fs::absolute(a.web_root);
  if (!(a.timeout_seconds > 0)) fail("up", invalid_argument("--timeout must be positive"));
  options.timeout = std::chrono::milliseconds(static_cast<int64_t>(a.timeout_seconds * 1000));

  // In the foreground, SIGINT/SIGTERM/SIGHUP are taken with sigwait() once
  // every component runs; block them from now on so an early Ctrl-C is not
  // lost half-way (the children start with a clean mask).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);  // the terminal went away
  if (!a.detach) pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  deploy::LocalDeployment deployment(a.state_dir, self_executable());
  StatusOr<deploy::UpResult> up = deployment.up(options);
  if (!up.ok()) fail("up", up.status());
  for (const std::string& note : up->notes)
    std::fprintf(stderr, "mpcc up: note: %s\n", note.c_str());
  if (up->already_running) {
    std::printf(
        "a deployment is already running in %s (healthy); nothing was started. `mpcc down "
        "--state-dir %s` stops it (or Ctrl-C where `mpcc up` runs).\n",
        deployment.layout().root.c_str(), deployment.layout().root.c_str());
  } else {
    std::printf("started the deployment in %s%s\n", deployment.layout().root.c_str(),
                up->chip_created ? " (new simulated chip)" : "");
  }
  print_table(up->components);
  std::printf("endpoints: %s\n", up->endpoints_file.c_str());
  show_view(deployment, a.open);
  if (a.detach || up->already_running) throw CliExit{kExitOk};

  std::printf(
      "running in the foreground: Ctrl-C (SIGINT), SIGTERM or SIGHUP %s\n",
      a.keep ? "stops every component (--keep: state kept)"
             : "deletes the keys and blobs, stops every component and removes the state");
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::printf("signal %d: stopping\n", sig);
  throw CliExit{run_down(deployment, "up", a.keep)};
}

void run_status(const StatusArgs& a) {
  deploy::LocalDeployment deployment(a.state_dir, self_executable());
  StatusOr<std::vector<deploy::ComponentStatus>> components = deployment.status();
  if (!components.ok()) {
    if (components.status().code() == StatusCode::kNotFound) {
      std::fprintf(stderr, "mpcc status: %s\n", components.status().message().c_str());
      throw CliExit{kExitUsage};
    }
    fail("status", components.status());
  }
  bool healthy = true;
  for (const deploy::ComponentStatus& c : *components) healthy = healthy && c.running && c.healthy;
  if (a.json) {
    json out = {{"state_dir", deployment.layout().root.string()},
                {"healthy", healthy},
                {"components", components_json(*components)}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    print_table(*components);
    for (const deploy::ComponentStatus& c : *components) {
      if (!c.detail.empty()) std::printf("%s: %s\n", c.name.c_str(), c.detail.c_str());
    }
  }
  throw CliExit{healthy ? kExitOk : kExitVerificationFailed};
}

}  // namespace

void register_deploy_commands(CLI::App& root) {
  auto up = std::make_shared<UpArgs>();
  CLI::App* up_cmd = root.add_subcommand(
      "up",
      "Start the local deployment (psp, identity, attestation, key vaults, and per party its SKR "
      "sidecar and app)");
  up->state_dir = default_state_dir();
  up_cmd->add_option("--state-dir", up->state_dir, "Deployment directory (created 0700)")
      ->capture_default_str();
  up_cmd->add_flag("--detach", up->detach, "Return once everything is healthy, leaving it running");
  up_cmd->add_flag("--open", up->open, "Open the four-pane view in a browser (Chromium)");
  up_cmd->add_flag("--keep", up->keep,
                   "On Ctrl-C only stop the processes (keep keys, blobs and state)");
  up_cmd->add_option("--web-root", up->web_root,
                     "Serve the pages from this web/ folder instead of the built-in copy")
      ->check(CLI::ExistingDirectory);
  CLI::Option* base_port = up_cmd->add_option(
      "--base-port", up->base_port, "First up only: ports N, N+1, ... instead of ephemeral ones");
  base_port->check(CLI::Range(1, 65535));
  up_cmd->add_option("--timeout", up->timeout_seconds, "Seconds to wait for every component (30)");
  up_cmd
      ->add_option("--deployment-file", up->deployment_file,
                   "The parties (JSON; default: the built-in deploy/local.json)")
      ->check(CLI::ExistingFile);
  up_cmd->callback([up, base_port] { run_up(*up, base_port); });

  auto status = std::make_shared<StatusArgs>();
  CLI::App* status_cmd =
      root.add_subcommand("status", "Show each component's pid, state and health");
  status->state_dir = default_state_dir();
  status_cmd->add_option("--state-dir", status->state_dir, "Deployment directory")
      ->capture_default_str();
  status_cmd->add_flag("--json", status->json, "Print JSON");
  status_cmd->callback([status] { run_status(*status); });

  auto down = std::make_shared<DownArgs>();
  down->state_dir = default_state_dir();
  CLI::App* down_cmd = root.add_subcommand(
      "down",
      "The seed's Cleanup: delete the keys and blobs, stop every component, remove the state");
  down_cmd->add_option("--state-dir", down->state_dir, "Deployment directory")
      ->capture_default_str();
  down_cmd->add_flag("--keep", down->keep, "Only stop the processes (keep keys, blobs and state)");
  down_cmd->callback([down] {
    deploy::LocalDeployment deployment(down->state_dir, self_executable());
    throw CliExit{run_down(deployment, "down", down->keep)};
  });
}

}  // namespace mpcc::app
