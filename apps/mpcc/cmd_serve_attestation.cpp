// `mpcc serve attestation`: the MAA-compatible attestation service
// (src/attestation) in the foreground until SIGINT/SIGTERM.
//
//   mpcc serve attestation --state-dir DIR [--host 127.0.0.1] [--port N]
//       (--tls-cert PEM --tls-key PEM | --insecure-http)
//       [--issuer URL] [--trust-simulated-root PEM]... [--token-lifetime SECONDS]
//       [--compliance-status TEXT] [--allow-debug]
//
// Prints the listening URL on stdout once it accepts connections. AMD's roots
// are always trusted; each --trust-simulated-root file adds its self-signed CA
// certificates (e.g. `mpcc psp certs` output) as SIMULATED roots, logged as
// such; tokens for evidence chaining to one carry
// "x-mpcc-evidence-simulated": true. Exit codes: 0 stopped by a signal,
// 2 bad usage or unusable state, 5 cannot bind, 70 bug.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "apps/mpcc/commands.h"
#include "apps/mpcc/exit_codes.h"
#include "apps/mpcc/serve_commands.h"
#include "apps/mpcc/service_runner.h"
#include "attestation/service.h"
#include "common/bytes.h"
#include "common/file_io.h"
#include "crypto/x509.h"
#include "verifier/trust_store.h"

namespace mpcc::app {

namespace {

constexpr std::size_t kMaxRootFile = 1u << 20;

struct AttestationArgs {
  std::string state_dir;
  std::string issuer;
  std::vector<std::string> simulated_roots;
  int64_t token_lifetime = attestation::kDefaultTokenLifetimeSeconds;
  std::string compliance_status = attestation::kDefaultComplianceStatus;
  bool allow_debug = false;
  ListenFlags listen;
};

[[noreturn]] void fail(const Status& s) {
  std::fprintf(stderr, "mpcc serve attestation: %s\n", s.message().c_str());
  switch (s.code()) {
    case StatusCode::kUnavailable:
      throw CliExit{kExitUnavailable};
    case StatusCode::kInternal:
      throw CliExit{kExitInternal};
    default:
      throw CliExit{kExitUsage};
  }
}

template <typename T>
T must(StatusOr<T> v) {
  if (!v.ok()) fail(v.status());
  return std::move(v).value();
}

// AMD's roots plus the self-signed CA certificates of every given file.
std::shared_ptr<const verifier::TrustStore> trust_store(const std::vector<std::string>& files) {
  auto store = std::make_shared<verifier::TrustStore>();
  for (const std::string& file : files) {
    Bytes data = must(read_file(file, kMaxRootFile));
    auto certs = crypto::Certificate::from_pem_or_der(data);
    if (!certs.ok()) fail(invalid_argument(file + ": " + certs.status().message()));
    std::size_t added = 0;
    for (const crypto::Certificate& cert : *certs) {
      if (!cert.is_ca() || !cert.is_self_signed()) continue;  // VCEK/ASK of a bundle
      Status s = store->add_configured_anchor(cert, "simulated root from " + file);
      if (!s.ok()) fail(invalid_argument(file + ": " + s.message()));
      spdlog::warn(
          "attestation: TRUSTING A SIMULATED ROOT (NOT AMD): {} (SHA-256 {}) from {}; evidence "
          "chaining to it is accepted and its tokens say \"x-mpcc-evidence-simulated\": true",
          cert.subject(), hex_encode(cert.sha256_fingerprint()), file);
      ++added;
    }
    if (added == 0) {
      fail(invalid_argument(file + ": no self-signed CA certificate (the simulated ARK) found"));
    }
  }
  return store;
}

void run(const AttestationArgs& a) {
  const http::ServerOptions options = must(server_options(a.listen));
  attestation::ServiceConfig config;
  config.state_dir = a.state_dir;
  config.server = options;
  config.allow_insecure_http = a.listen.insecure_http;
  config.issuer = a.issuer;
  config.trust = trust_store(a.simulated_roots);
  config.token_lifetime_seconds = a.token_lifetime;
  config.compliance_status = a.compliance_status;
  config.allow_debug = a.allow_debug;
  std::unique_ptr<attestation::AttestationService> service =
      must(attestation::AttestationService::create(std::move(config)));
  http::Server server(options);
  service->register_routes(server);
  throw CliExit{run_until_signal(server, "attestation")};
}

}  // namespace

void register_serve_attestation(CLI::App& serve) {
  auto args = std::make_shared<AttestationArgs>();
  CLI::App* cmd = serve.add_subcommand(
      "attestation", "MAA-compatible attestation service (POST /attest/SevSnpVm, /certs)");
  cmd->add_option("--state-dir", args->state_dir, "State directory (the token-signing key)")
      ->required();
  cmd->add_option("--issuer", args->issuer,
                  "Issuer URL in tokens, jku and jwks_uri (default: this service's URL)");
  cmd->add_option("--trust-simulated-root", args->simulated_roots,
                  "PEM file whose self-signed CA (the simulated ARK) is trusted as a SIMULATED "
                  "root; repeatable");
  cmd->add_option("--token-lifetime", args->token_lifetime, "Token lifetime in seconds (28800)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--compliance-status", args->compliance_status,
                  "x-ms-compliance-status claim (azure-compliant-uvm)");
  cmd->add_flag("--allow-debug", args->allow_debug,
                "Accept reports whose guest POLICY allows debugging (refused by default)");
  add_listen_flags(cmd, args->listen);
  cmd->callback([args] { run(*args); });
}

}  // namespace mpcc::app
