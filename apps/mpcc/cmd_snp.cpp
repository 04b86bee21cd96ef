// `mpcc snp show|verify`: decode an SEV-SNP attestation report, or run the
// verifier's checklist on it (src/verifier).
//
//   mpcc snp show REPORT
//   mpcc snp verify REPORT [--certs FILE ...] [--trust-root PEM ...] [--at TIME]
//                   [--json] [--expect-measurement HEX] [--expect-host-data HEX]
//                   [--expect-report-data HEX] [--min-tcb TCBM] [--max-vmpl N]
//                   [--allow-debug]
//
// REPORT: raw 1184 bytes, hex text, or an Azure HCL report. Exit codes:
// 0 verified (verdict JSON on stdout), 1 refused (the failing check on stderr;
// also JSON on stdout with --json), 2 bad usage or unreadable input.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/mpcc/commands.h"
#include "apps/mpcc/exit_codes.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/file_io.h"
#include "crypto/x509.h"
#include "snp/hcl.h"
#include "snp/report_input.h"
#include "snp/report_json.h"
#include "verifier/snp_verifier.h"

namespace mpcc::app {
namespace {

[[noreturn]] void usage_error(std::string_view command, std::string_view message) {
  std::fprintf(stderr, "mpcc snp %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
  throw CliExit{kExitUsage};
}

// The value, or a usage error "<what>: <message>" (just the message when
// `what` is empty: read_file's messages already name the file).
template <typename T>
T value_or_usage(std::string_view command, StatusOr<T> v, std::string_view what) {
  if (!v.ok()) {
    usage_error(command, what.empty() ? v.status().message()
                                      : std::string(what) + ": " + v.status().message());
  }
  return std::move(v).value();
}

snp::LoadedReport load_report_file(std::string_view command, const std::string& path) {
  Bytes data = value_or_usage(command, read_file(path), "");
  return value_or_usage(command, snp::load_report(data), path);
}

std::vector<crypto::Certificate> load_cert_file(std::string_view command,
                                                const std::string& path) {
  Bytes data = value_or_usage(command, read_file(path), "");
  return value_or_usage(command, crypto::Certificate::from_pem_or_der(data), path);
}

template <std::size_t N>
std::optional<std::array<uint8_t, N>> parse_expected(std::string_view option,
                                                     const std::string& hex) {
  if (hex.empty()) return std::nullopt;
  auto bytes = hex_decode(hex);
  if (!bytes.ok()) usage_error("verify", std::string(option) + ": " + bytes.status().message());
  if (bytes->size() != N) {
    usage_error("verify", std::string(option) + ": expected " + std::to_string(N) +
                              " bytes (" + std::to_string(2 * N) + " hex digits), got " +
                              std::to_string(bytes->size()));
  }
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// THIM "tcbm": 16 hex digits, the TCB_VERSION u64 most significant first.
snp::TcbVersion parse_tcbm(const std::string& text) {
  auto bytes = hex_decode(text);
  if (!bytes.ok() || bytes->size() != 8) {
    usage_error("verify", "--min-tcb: expected 16 hex digits (THIM tcbm), got \"" + text + "\"");
  }
  snp::TcbVersion t;
  for (uint8_t b : *bytes) t.raw = (t.raw << 8) | b;
  return t;
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

struct VerifyArgs {
  std::string report;
  std::vector<std::string> certs;
  std::vector<std::string> trust_roots;
  std::string at;
  bool json = false;
  std::string expect_measurement;
  std::string expect_host_data;
  std::string expect_report_data;
  std::string min_tcb;
  uint32_t max_vmpl = 0;
  CLI::Option* max_vmpl_option = nullptr;
  bool allow_debug = false;
};

void run_show(const std::string& path) {
  snp::LoadedReport loaded = load_report_file("show", path);
  print_json(snp::report_to_json(loaded.report));
  throw CliExit{kExitOk};
}

void refuse(const VerifyArgs& args, const Status& s) {
  std::fprintf(stderr, "mpcc snp verify: %s\n", s.message().c_str());
  if (args.json) {
    print_json({{"verified", false},
                {"error", {{"code", status_code_name(s.code())}, {"message", s.message()}}}});
  }
  // Input the verifier could not interpret (no leaf certificate, malformed
  // AMD extensions) is a usage problem; everything else is a refusal.
  throw CliExit{s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitVerificationFailed};
}

void run_verify(const VerifyArgs& args) {
  snp::LoadedReport loaded = load_report_file("verify", args.report);

  std::vector<crypto::Certificate> certs;
  for (const std::string& path : args.certs) {
    auto more = load_cert_file("verify", path);
    certs.insert(certs.end(), more.begin(), more.end());
  }
  auto trust = std::make_shared<verifier::TrustStore>();
  for (const std::string& path : args.trust_roots) {
    for (const crypto::Certificate& root : load_cert_file("verify", path)) {
      Status s = trust->add_configured_anchor(root, path);
      if (!s.ok()) usage_error("verify", "--trust-root " + path + ": " + s.message());
    }
  }

  std::unique_ptr<Clock> clock;
  if (!args.at.empty()) {
    UnixSeconds t = value_or_usage("verify", parse_rfc3339(args.at), "--at");
    clock = std::make_unique<FixedClock>(t);
  } else {
    clock = std::make_unique<SystemClock>();
  }

  verifier::AppraisalPolicy policy;
  policy.allow_debug = args.allow_debug;
  policy.expected_measurement = parse_expected<48>("--expect-measurement", args.expect_measurement);
  policy.expected_host_data = parse_expected<32>("--expect-host-data", args.expect_host_data);
  policy.expected_report_data = parse_expected<64>("--expect-report-data", args.expect_report_data);
  if (!args.min_tcb.empty()) policy.min_tcb = parse_tcbm(args.min_tcb);
  if (args.max_vmpl_option && args.max_vmpl_option->count() > 0) policy.max_vmpl = args.max_vmpl;

  verifier::SnpVerifier snp_verifier(trust);
  auto verdict = snp_verifier.verify(loaded.report, certs, *clock, policy);
  if (!verdict.ok()) refuse(args, verdict.status());

  nlohmann::json out = verdict->to_json();
  out["encoding"] = snp::report_encoding_name(loaded.encoding);
  if (loaded.hcl) {
    // An HCL report also carries runtime data that REPORT_DATA must bind.
    Status bound = snp::check_hcl_binding(*loaded.hcl, loaded.report);
    if (!bound.ok()) refuse(args, bound);
    out["hcl"] = {{"runtime_data_bound", true},
                  {"variable_data_size", loaded.hcl->variable_data.size()}};
  }
  print_json(out);
  throw CliExit{kExitOk};
}

}  // namespace

void register_snp_command(CLI::App& root) {
  CLI::App* snp = root.add_subcommand("snp", "SEV-SNP attestation reports: decode and verify");
  snp->require_subcommand(1);

  auto show_path = std::make_shared<std::string>();
  CLI::App* show = snp->add_subcommand("show", "Print every field of a report as JSON");
  show->add_option("REPORT", *show_path, "report file: raw (1184 bytes), hex text or Azure HCL")
      ->required();
  show->callback([show_path] { run_show(*show_path); });

  auto args = std::make_shared<VerifyArgs>();
  CLI::App* verify = snp->add_subcommand(
      "verify", "Verify a report against AMD's roots (or configured ones) and an optional policy");
  verify->add_option("REPORT", args->report, "report file: raw (1184 bytes), hex text or Azure HCL")
      ->required();
  verify->add_option("--certs", args->certs,
                     "certificate files (PEM bundle or DER): the VCEK/VLEK, optionally ASK/ASVK "
                     "and ARK, any order; missing AMD ones are built in");
  verify->add_option("--trust-root", args->trust_roots,
                     "additional trusted root (PEM/DER); evidence chaining to it is reported as "
                     "simulated");
  verify->add_option("--at", args->at, "verify as of this RFC 3339 time instead of now");
  verify->add_flag("--json", args->json, "also print a JSON result on failure");
  verify->add_option("--expect-measurement", args->expect_measurement,
                     "expected MEASUREMENT (96 hex digits)");
  verify->add_option("--expect-host-data", args->expect_host_data,
                     "expected HOST_DATA (64 hex digits)");
  verify->add_option("--expect-report-data", args->expect_report_data,
                     "expected REPORT_DATA (128 hex digits)");
  verify->add_option("--min-tcb", args->min_tcb,
                     "minimum TCB as a THIM tcbm (16 hex digits), checked against REPORTED_TCB "
                     "and CURRENT_TCB");
  args->max_vmpl_option =
      verify->add_option("--max-vmpl", args->max_vmpl, "highest VMPL accepted (0-3)")
          ->check(CLI::Range(0, 3));
  verify->add_flag("--allow-debug", args->allow_debug,
                   "accept guests whose POLICY allows debugging");
  verify->callback([args] { run_verify(*args); });
}

}  // namespace mpcc::app
