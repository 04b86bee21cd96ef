// mpcc: one binary, one CLI11 subcommand per service or tool.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

#include "apps/mpcc/commands.h"
#include "apps/mpcc/exit_codes.h"
#include "mpcc/version.h"

namespace {

// glibc gives a thread that allocates under contention an arena of its own,
// up to 8 per core, and an arena keeps the memory it once held: a server
// grows by one arena's working set for every spare io thread it ever started
// (party-contoso: +10.9 % RSS in a 10-minute soak, docs/reliability.md).
// More arenas than cores buy nothing, since no more threads run at once.
// MALLOC_ARENA_MAX, when set, wins.
void limit_malloc_arenas() {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  const unsigned cores = std::max(2u, std::thread::hardware_concurrency());
  mallopt(M_ARENA_MAX, static_cast<int>(cores));
}

}  // namespace

int main(int argc, char** argv) {
  limit_malloc_arenas();
  // A peer that goes away mid-request is an error to report (EPIPE), not a
  // reason for the process to die silently (SIGPIPE's default).
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"mpcc: multi-party confidential computing (SEV-SNP attestation, secure key release)"};
  app.set_version_flag("--version", std::string("mpcc ") + MPCC_VERSION_STRING);
  app.require_subcommand(1);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  // Logs go to stderr so command output (JSON) stays clean on stdout.
  spdlog::set_default_logger(spdlog::stderr_color_mt("mpcc"));
  spdlog::set_level(spdlog::level::warn);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.parse_complete_callback([&] { spdlog::set_level(spdlog::level::from_str(log_level)); });

  mpcc::app::register_snp_command(app);
  mpcc::app::register_psp_command(app);
  mpcc::app::register_serve_command(app);
  mpcc::app::register_identity_command(app);
  mpcc::app::register_audit_command(app);
  mpcc::app::register_keyvault_command(app);
  mpcc::app::register_deploy_commands(app);
  mpcc::app::register_policy_commands(app);
  mpcc::app::register_export_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? mpcc::app::kExitOk : mpcc::app::kExitUsage;
  } catch (const mpcc::app::CliExit& e) {
    return e.code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mpcc: internal error: %s\n", e.what());
    return mpcc::app::kExitInternal;
  }
  return mpcc::app::kExitOk;
}
