// `mpcc serve skr`: the secure key release sidecar (src/skr) of one
// container group, in the foreground until SIGINT/SIGTERM.
//
//   mpcc serve skr [--port 8080] [--host 127.0.0.1]
//       [--security-context DIR] [--sev-guest PATH] [--ca-cert PEM]
//       [--identity-endpoint URL [--identity-credential-file FILE] [--identity-client-id ID]]
//       [--group-token-file FILE] [--allow-endpoint HOST:PORT]...
//
// Plain HTTP on loopback only (127.0.0.1, localhost or ::1; anything else
// exits 2), as the Microsoft sidecar. The SEV-SNP device is --sev-guest (a
// simulated PSP guest channel), else $MPCC_SEV_GUEST, else /dev/sev-guest if
// present, else none: the sidecar still serves, and attestation answers 500
// "not running in a TEE". The security context is --security-context, else
// $UVM_SECURITY_CONTEXT_DIR (files missing there may come from UVM_*
// variables). --ca-cert is the PEM bundle the attestation service's, the
// vault's and the identity service's certificates must chain to (default:
// the system's roots). Prints the URL once it accepts connections.
// Exit codes: 0 stopped by a signal, 2 bad usage or unreadable input,
// 5 cannot bind, 70 bug.
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/mpcc/cli_errors.h"
#include "apps/mpcc/serve_commands.h"
#include "apps/mpcc/service_runner.h"
#include "common/file_io.h"
#include "skr/security_context.h"
#include "skr/sidecar.h"

namespace mpcc::app {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWhat = "serve skr";
constexpr std::size_t kMaxSecretFile = 64u * 1024;

struct SkrArgs {
  std::string host = "127.0.0.1";
  int port = skr::kDefaultSidecarPort;
  std::string security_context;
  std::string sev_guest;
  std::string ca_cert;
  std::string identity_endpoint;
  std::string identity_credential_file;
  std::string identity_client_id;
  std::string group_token_file;
  std::vector<std::string> allowed_endpoints;
};

// A secret kept in a file (credential, group token), surrounding whitespace dropped.
std::string read_secret(const std::string& file, const char* flag) {
  std::string text = value_or_exit(read_text_file(file, kMaxSecretFile), kWhat);
  const std::size_t begin = text.find_first_not_of(" \t\r\n");
  const std::size_t end = text.find_last_not_of(" \t\r\n");
  std::string secret = begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
  secure_wipe(text.data(), text.size());
  if (secret.empty())
    fail_with(kWhat, invalid_argument(std::string(flag) + " " + file + " is empty"));
  return secret;
}

std::optional<fs::path> security_context_dir(const SkrArgs& a) {
  if (!a.security_context.empty()) {
    std::error_code ec;
    if (!fs::is_directory(a.security_context, ec)) {
      spdlog::warn("skr: security context {} is not a directory: running without one",
                   a.security_context);
    }
    return fs::path(a.security_context);
  }
  if (auto dir = skr::process_environment()(skr::kSecurityContextDirEnv)) return fs::path(*dir);
  return std::nullopt;
}

void run(const SkrArgs& a) {
  const http::ServerOptions options =
      value_or_exit(skr::sidecar_server_options(a.host, a.port), kWhat);
  if (a.identity_endpoint.empty() &&
      (!a.identity_credential_file.empty() || !a.identity_client_id.empty())) {
    fail_with(kWhat, invalid_argument("--identity-credential-file and --identity-client-id need "
                                      "--identity-endpoint"));
  }
  skr::SidecarConfig config;
  if (!a.sev_guest.empty()) config.attester.sim_channel = fs::path(a.sev_guest);
  config.context = value_or_exit(skr::SecurityContext::load(security_context_dir(a)), kWhat);
  config.client.ca_cert_path = a.ca_cert;
  config.identity_endpoint = a.identity_endpoint;
  if (!a.identity_credential_file.empty()) {
    std::string credential = read_secret(a.identity_credential_file, "--identity-credential-file");
    config.identity_credential = to_secure(as_span(credential));
    secure_wipe(credential.data(), credential.size());
  }
  config.identity_client_id = a.identity_client_id;
  if (!a.group_token_file.empty()) {
    config.group_token = read_secret(a.group_token_file, "--group-token-file");
  }
  config.allowed_endpoints = a.allowed_endpoints;
  std::unique_ptr<skr::Sidecar> sidecar =
      value_or_exit(skr::Sidecar::create(std::move(config)), kWhat);
  http::Server server(options);
  sidecar->register_routes(server);
  throw CliExit{run_until_signal(server, "skr")};
}

}  // namespace

void register_serve_skr(CLI::App& serve) {
  auto args = std::make_shared<SkrArgs>();
  CLI::App* cmd = serve.add_subcommand(
      "skr", "Secure key release sidecar (/status, /attest/raw|combined|maa, /key/release)");
  cmd->add_option("--port", args->port,
                  "Port (default 8080; 0: any free port, the URL is printed)");
  cmd->add_option("--host", args->host,
                  "Loopback address to listen on (127.0.0.1, localhost, ::1)");
  cmd->add_option("--security-context", args->security_context,
                  "Security-context directory (security-policy-base64, host-amd-cert-base64, "
                  "reference-info-base64)");
  cmd->add_option("--sev-guest", args->sev_guest,
                  "Simulated PSP guest channel (default: $MPCC_SEV_GUEST, else /dev/sev-guest)");
  cmd->add_option("--ca-cert", args->ca_cert,
                  "PEM roots for the attestation service, vault and identity service (default: "
                  "the system's)");
  cmd->add_option("--identity-endpoint", args->identity_endpoint,
                  "Managed-identity token service, https://host:port (IMDS API)");
  cmd->add_option("--identity-credential-file", args->identity_credential_file,
                  "File with this container's identity credential (X-IDENTITY-HEADER)");
  cmd->add_option("--identity-client-id", args->identity_client_id,
                  "client_id of the user-assigned identity to request tokens for");
  cmd->add_option("--group-token-file", args->group_token_file,
                  "File with the container group's token: callers must send it as "
                  "X-Mpcc-Group-Token");
  cmd->add_option("--allow-endpoint", args->allowed_endpoints,
                  "HOST:PORT a request may name as maa_endpoint or akv_endpoint; repeatable "
                  "(default: any)");
  cmd->callback([args] { run(*args); });
}

}  // namespace mpcc::app
