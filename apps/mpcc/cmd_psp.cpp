// `mpcc psp ...`: the SIMULATED AMD secure processor (src/platform/sim).
//
//   mpcc psp init   --state-dir DIR [--product Milan|Genoa|Turin] [--product-name NAME]
//                   [--tcb bl=3,tee=0,snp=8,ucode=115] [--report-version 3] [--force]
//   mpcc psp show   --state-dir DIR
//   mpcc psp certs  --state-dir DIR [--format pem|thim] [--cache-control SECONDS]
//   mpcc psp serve  --state-dir DIR
//   mpcc psp launch --state-dir DIR --guest NAME --measurement HEX96
//                   (--host-data HEX64 | --policy-file FILE) [--guest-policy 0x30000]
//                   [--vmpl 0] [--guest-svn 0] [--replace] [--json]
//   mpcc psp report [--channel PATH | --platform auto|sim|sev-guest] --report-data HEX
//                   [--out FILE] [--hex] [--certs-out FILE]
//
// init/show/certs/serve/launch are the host's (launcher's) tools; `report` is
// the guest's: it gets a report through its channel (or /dev/sev-guest) and
// writes the raw 1184 bytes, ready for `mpcc snp verify`. Exit codes: 0 done,
// 2 bad usage or unusable state, 5 daemon/device unavailable, 70 bug.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "apps/mpcc/commands.h"
#include "apps/mpcc/exit_codes.h"
#include "common/bytes.h"
#include "common/file_io.h"
#include "platform/attester.h"
#include "platform/sim/chip_config.h"
#include "platform/sim/launch_params.h"
#include "platform/sim/psp_control_client.h"
#include "platform/sim/psp_daemon.h"
#include "platform/sim/simulated_attester.h"
#include "platform/sim/simulated_chip.h"
#include "platform/sim/thim.h"

namespace mpcc::app {
namespace {

namespace fs = std::filesystem;
namespace sim = platform::sim;

constexpr std::size_t kMaxPolicyFile = 1u << 20;

int exit_code_for(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kDataLoss:
    case StatusCode::kOutOfRange:
      return kExitUsage;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
      return kExitUnavailable;
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      return kExitVerificationFailed;
    default:
      return kExitInternal;
  }
}

[[noreturn]] void fail(std::string_view command, const Status& s) {
  std::fprintf(stderr, "mpcc psp %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               s.message().c_str());
  throw CliExit{exit_code_for(s)};
}

template <typename T>
T value_or_fail(std::string_view command, StatusOr<T> v) {
  if (!v.ok()) fail(command, v.status());
  return std::move(v).value();
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

sim::SimulatedChip load_chip(std::string_view command, const std::string& dir) {
  return value_or_fail(command, sim::SimulatedChip::load(dir));
}

// ---- init -------------------------------------------------------------------

struct InitArgs {
  std::string state_dir;
  std::string product = "Milan";
  std::string product_name;
  std::string tcb;
  uint32_t report_version = 3;
  bool force = false;
};

void run_init(const InitArgs& a) {
  sim::ChipConfig config;
  config.product = snp::product_from_name(a.product);
  if (config.product == snp::Product::kUnknown) {
    fail("init", invalid_argument("--product must be Milan, Genoa or Turin"));
  }
  config.product_name = a.product_name;
  if (!a.tcb.empty()) config.tcb = value_or_fail("init", sim::parse_tcb_spec(a.tcb, config.product));
  config.report_version = a.report_version;
  if (!a.force && sim::SimulatedChip::exists(a.state_dir)) {
    fail("init", already_exists("a simulated chip already exists in " + a.state_dir +
                                " (use --force to replace it)"));
  }
  spdlog::info("psp init: generating a SIMULATED {} chip (two RSA-4096 keys; this takes a moment)",
               a.product);
  sim::SimulatedChip chip = value_or_fail("init", sim::SimulatedChip::create(config));
  Status saved = chip.save(a.state_dir, a.force);
  if (!saved.ok()) fail("init", saved);
  nlohmann::json out = chip.describe();
  out["state_dir"] = fs::absolute(a.state_dir).string();
  print_json(out);
  throw CliExit{kExitOk};
}

// ---- show / certs -------------------------------------------------------------

void run_show(const std::string& dir) {
  nlohmann::json out = load_chip("show", dir).describe();
  out["state_dir"] = fs::absolute(dir).string();
  print_json(out);
  throw CliExit{kExitOk};
}

struct CertsArgs {
  std::string state_dir;
  std::string format = "pem";
  int cache_control = 86400;
};

void run_certs(const CertsArgs& a) {
  sim::SimulatedChip chip = load_chip("certs", a.state_dir);
  if (a.format == "thim") {
    print_json(sim::thim_certification(chip, a.cache_control));
  } else {
    std::cout << chip.vcek().pem() << chip.ask().pem() << chip.ark().pem() << std::flush;
  }
  throw CliExit{kExitOk};
}

// ---- serve --------------------------------------------------------------------

std::atomic<sim::PspDaemon*> g_serving{nullptr};

extern "C" void on_stop_signal(int) {
  if (sim::PspDaemon* d = g_serving.load()) d->stop();  // async-signal-safe
}

void run_serve(const std::string& dir) {
  auto chip = std::make_shared<const sim::SimulatedChip>(load_chip("serve", dir));
  std::unique_ptr<sim::PspDaemon> daemon = value_or_fail("serve", sim::PspDaemon::open(dir, chip));
  g_serving.store(daemon.get());
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Readiness line for scripts: the control socket exists from here on.
  std::cout << daemon->control_socket().string() << std::endl;
  Status s = daemon->run();
  g_serving.store(nullptr);
  daemon.reset();
  if (!s.ok()) fail("serve", s);
  throw CliExit{kExitOk};
}

// ---- launch -------------------------------------------------------------------

struct LaunchArgs {
  std::string state_dir;
  std::string guest;
  std::string measurement;
  std::string host_data;
  std::string policy_file;
  std::string guest_policy = "0x30000";
  uint32_t vmpl = 0;
  uint32_t guest_svn = 0;
  bool replace = false;
  bool json = false;
};

void run_launch(const LaunchArgs& a) {
  sim::LaunchRequest request;
  request.guest = a.guest;
  request.replace = a.replace;
  request.params.measurement = value_or_fail("launch", sim::parse_measurement(a.measurement));
  if (!a.policy_file.empty()) {
    Bytes policy = value_or_fail("launch", read_file(a.policy_file, kMaxPolicyFile));
    request.params.host_data = sim::host_data_for_policy(policy);
  } else {
    request.params.host_data = value_or_fail("launch", sim::parse_host_data(a.host_data));
  }
  request.params.policy = value_or_fail("launch", sim::parse_u64(a.guest_policy));
  request.params.vmpl = a.vmpl;
  request.params.guest_svn = a.guest_svn;
  const fs::path control = fs::path(a.state_dir) / sim::kControlSocketName;
  sim::LaunchResult result = value_or_fail("launch", sim::request_launch(control, request));
  if (a.json) {
    print_json({{"guest", a.guest}, {"channel", result.channel.string()}, {"launch", result.launch}});
  } else {
    std::cout << result.channel.string() << std::endl;
  }
  throw CliExit{kExitOk};
}

// ---- report (guest side) -------------------------------------------------------

struct ReportArgs {
  std::string channel;
  std::string platform = "auto";
  std::string report_data;
  std::string out;
  std::string certs_out;
  bool hex = false;
};

void run_report(const ReportArgs& a) {
  Bytes data = value_or_fail("report", hex_decode(a.report_data));
  if (data.size() > platform::kReportDataSize) {
    fail("report", invalid_argument("--report-data: at most 64 bytes (128 hex digits)"));
  }
  std::array<uint8_t, platform::kReportDataSize> report_data{};  // zero-padded
  std::copy(data.begin(), data.end(), report_data.begin());

  platform::AttesterConfig config;
  if (!a.channel.empty()) {
    config.platform = platform::PlatformChoice::kSim;
    config.sim_channel = a.channel;
  } else {
    config.platform = value_or_fail("report", platform::parse_platform_choice(a.platform));
  }
  std::unique_ptr<platform::Attester> attester =
      value_or_fail("report", platform::make_attester(config));
  platform::Evidence evidence = value_or_fail("report", attester->get_report(report_data));

  const std::string hex_text = hex_encode(evidence.report) + "\n";
  if (a.out.empty()) {
    std::cout << hex_text << std::flush;
  } else {
    const fs::perms perms = fs::perms::owner_read | fs::perms::owner_write |
                            fs::perms::group_read | fs::perms::others_read;
    Status s = a.hex ? write_file_atomic(a.out, as_span(hex_text), perms)
                     : write_file_atomic(a.out, evidence.report, perms);
    if (!s.ok()) fail("report", s);
  }
  if (!a.certs_out.empty()) {
    if (evidence.endorsements.empty()) {
      fail("report", failed_precondition("the platform supplied no certificates for --certs-out"));
    }
    const fs::perms perms = fs::perms::owner_read | fs::perms::owner_write |
                            fs::perms::group_read | fs::perms::others_read;
    Status s = write_file_atomic(a.certs_out, as_span(evidence.endorsements_pem()), perms);
    if (!s.ok()) fail("report", s);
  }
  spdlog::info("psp report: {} report from the {} platform", platform::evidence_format_name(evidence.format),
               attester->platform());
  throw CliExit{kExitOk};
}

}  // namespace

void register_psp_command(CLI::App& root) {
  CLI::App* psp = root.add_subcommand(
      "psp", "The SIMULATED AMD secure processor (NOT GENUINE): chip, daemon, guest channels");
  psp->require_subcommand(1);

  auto init = std::make_shared<InitArgs>();
  CLI::App* init_cmd = psp->add_subcommand("init", "Create a simulated chip (ARK/ASK/VCEK, CHIP_ID, TCB)");
  init_cmd->add_option("--state-dir", init->state_dir, "directory for the chip's keys and certificates")
      ->required();
  init_cmd->add_option("--product", init->product, "Milan, Genoa or Turin")
      ->check(CLI::IsMember({"Milan", "Genoa", "Turin"}));
  init_cmd->add_option("--product-name", init->product_name,
                       "VCEK productName (default Milan-B0, Genoa, Turin)");
  init_cmd->add_option("--tcb", init->tcb,
                       "TCB SPLs, e.g. bl=3,tee=0,snp=8,ucode=115 (Turin: also fmc=N)");
  init_cmd->add_option("--report-version", init->report_version, "report VERSION: 2, 3 or 5")
      ->check(CLI::IsMember({2, 3, 5}));
  init_cmd->add_flag("--force", init->force, "replace an existing chip");
  init_cmd->callback([init] { run_init(*init); });

  auto show_dir = std::make_shared<std::string>();
  CLI::App* show = psp->add_subcommand("show", "Print the chip's public description as JSON");
  show->add_option("--state-dir", *show_dir, "the chip's directory")->required();
  show->callback([show_dir] { run_show(*show_dir); });

  auto certs = std::make_shared<CertsArgs>();
  CLI::App* certs_cmd = psp->add_subcommand("certs", "Print the chain VCEK, ASK, ARK (PEM or THIM JSON)");
  certs_cmd->add_option("--state-dir", certs->state_dir, "the chip's directory")->required();
  certs_cmd->add_option("--format", certs->format, "pem (VCEK||ASK||ARK) or thim")
      ->check(CLI::IsMember({"pem", "thim"}));
  certs_cmd->add_option("--cache-control", certs->cache_control, "THIM cacheControl seconds");
  certs_cmd->callback([certs] { run_certs(*certs); });

  auto serve_dir = std::make_shared<std::string>();
  CLI::App* serve = psp->add_subcommand("serve", "Run the simulated PSP daemon (until SIGINT/SIGTERM)");
  serve->add_option("--state-dir", *serve_dir, "the chip's directory")->required();
  serve->callback([serve_dir] { run_serve(*serve_dir); });

  auto launch = std::make_shared<LaunchArgs>();
  CLI::App* launch_cmd = psp->add_subcommand(
      "launch", "As the launcher: create a guest channel bound to launch parameters; prints its path");
  launch_cmd->add_option("--state-dir", launch->state_dir, "the serving daemon's directory")->required();
  launch_cmd->add_option("--guest", launch->guest, "guest name ([A-Za-z0-9_-], 1-64)")->required();
  launch_cmd->add_option("--measurement", launch->measurement, "MEASUREMENT (96 hex digits)")->required();
  auto* host_data = launch_cmd->add_option("--host-data", launch->host_data, "HOST_DATA (64 hex digits)");
  auto* policy_file = launch_cmd->add_option(
      "--policy-file", launch->policy_file, "HOST_DATA = SHA-256 of this file (the decoded policy text)");
  host_data->excludes(policy_file);
  launch_cmd->add_option("--guest-policy", launch->guest_policy, "guest POLICY (default 0x30000)");
  launch_cmd->add_option("--vmpl", launch->vmpl, "VMPL (0-3)")->check(CLI::Range(0, 3));
  launch_cmd->add_option("--guest-svn", launch->guest_svn, "GUEST_SVN");
  launch_cmd->add_flag("--replace", launch->replace, "replace a guest of the same name");
  launch_cmd->add_flag("--json", launch->json, "print the channel and launch parameters as JSON");
  launch_cmd->callback([launch, host_data, policy_file] {
    if (host_data->count() == 0 && policy_file->count() == 0) {
      fail("launch", invalid_argument("one of --host-data or --policy-file is required"));
    }
    run_launch(*launch);
  });

  auto report = std::make_shared<ReportArgs>();
  CLI::App* report_cmd = psp->add_subcommand(
      "report", "As a guest: get a report for REPORT_DATA through a channel (or /dev/sev-guest)");
  auto* channel = report_cmd->add_option("--channel", report->channel,
                                         "the guest channel (default: $MPCC_SEV_GUEST or the device)");
  report_cmd->add_option("--platform", report->platform, "auto, sim or sev-guest")
      ->check(CLI::IsMember({"auto", "sim", "sev-guest"}))
      ->excludes(channel);
  report_cmd->add_option("--report-data", report->report_data,
                         "REPORT_DATA in hex, at most 64 bytes, zero-padded")
      ->required();
  report_cmd->add_option("--out", report->out, "write the raw 1184-byte report here (default: hex on stdout)");
  report_cmd->add_flag("--hex", report->hex, "write hex text to --out instead of raw bytes");
  report_cmd->add_option("--certs-out", report->certs_out, "write the VCEK, ASK, ARK PEM chain here");
  report_cmd->callback([report] { run_report(*report); });
}

}  // namespace mpcc::app
