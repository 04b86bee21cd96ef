// `mpcc serve keyvault`: one Azure-Key-Vault-compatible vault (src/keyvault)
// in the foreground until SIGINT/SIGTERM.
//
//   mpcc serve keyvault --state-dir DIR --name NAME [--host 127.0.0.1] [--port N]
//       (--tls-cert PEM --tls-key PEM | --insecure-http)
//       --identity-issuer URL [--ca-cert PEM] [--tenant-id UUID]
//       [--hsm-module SO --hsm-pin-file FILE] [--hsm-token-label L]
//       [--allow-http-issuers]
//
// Bearer tokens must come from --identity-issuer (keys by OpenID discovery);
// attestation tokens from an authority named by the key's release policy.
// --ca-cert is the PEM bundle that issuers' TLS certificates must chain to
// (default: the system's roots). Prints the URL once it accepts connections.
// Exit codes: 0 stopped by a signal, 2 bad usage or unusable state, 5 cannot
// bind, 70 bug.
#include <memory>
#include <string>

#include "apps/mpcc/cli_errors.h"
#include "apps/mpcc/serve_commands.h"
#include "apps/mpcc/service_runner.h"
#include "keyvault/service.h"
#include "keyvault/vault_setup.h"

namespace mpcc::app {
namespace {

constexpr std::string_view kWhat = "serve keyvault";

struct KeyVaultArgs {
  std::string state_dir;
  std::string name;
  std::string identity_issuer;
  std::string ca_cert;
  std::string tenant_id = keyvault::kDefaultTenantId;
  std::string hsm_module;
  std::string hsm_pin_file;
  std::string hsm_token_label = "mpcc";
  bool allow_http_issuers = false;
  ListenFlags listen;
};

void run(const KeyVaultArgs& a) {
  const http::ServerOptions server_opts = value_or_exit(server_options(a.listen), kWhat);
  if (!a.hsm_module.empty() && a.hsm_pin_file.empty()) {
    fail_with(kWhat, invalid_argument("--hsm-module needs --hsm-pin-file"));
  }
  keyvault::IssuerKeysOptions issuers;
  issuers.client.ca_cert_path = a.ca_cert;
  issuers.allow_http = a.allow_http_issuers;

  keyvault::VaultSetup setup;
  setup.state_dir = a.state_dir;
  setup.name = a.name;
  setup.hsm_module = a.hsm_module;
  setup.hsm_pin_file = a.hsm_pin_file;
  setup.hsm_token_label = a.hsm_token_label;
  setup.attestation_issuers = issuers;
  std::shared_ptr<keyvault::KeyVault> vault = value_or_exit(keyvault::open_vault(setup), kWhat);

  keyvault::ServiceOptions options;
  options.identity_issuer = a.identity_issuer;
  options.identity_keys = std::make_shared<keyvault::IssuerKeys>(issuers);
  options.tenant_id = a.tenant_id;
  auto service = value_or_exit(keyvault::VaultService::create(vault, options), kWhat);
  http::Server server(server_opts);
  service->register_routes(server);
  throw CliExit{run_until_signal(server, "keyvault")};
}

}  // namespace

void register_serve_keyvault(CLI::App& serve) {
  auto args = std::make_shared<KeyVaultArgs>();
  CLI::App* cmd = serve.add_subcommand(
      "keyvault", "Azure Key Vault-compatible key vault (keys, secure key release, audit)");
  cmd->add_option("--state-dir", args->state_dir,
                  "State directory (vault.db, HSM token, release-signing key)")
      ->required();
  cmd->add_option("--name", args->name, "Vault name (in audit records)")->required();
  cmd->add_option("--identity-issuer", args->identity_issuer,
                  "Issuer URL of the bearer tokens (the identity service)")
      ->required();
  cmd->add_option("--ca-cert", args->ca_cert,
                  "PEM roots for the issuers' TLS certificates (default: the system's)");
  cmd->add_option("--tenant-id", args->tenant_id, "Tenant id in the WWW-Authenticate challenge");
  cmd->add_option("--hsm-module", args->hsm_module,
                  "PKCS#11 module (default: SoftHSM2 with its token under DIR/hsm)");
  cmd->add_option("--hsm-pin-file", args->hsm_pin_file, "File with the token's user PIN");
  cmd->add_option("--hsm-token-label", args->hsm_token_label, "Token label (mpcc)");
  cmd->add_flag("--allow-http-issuers", args->allow_http_issuers,
                "Fetch issuer keys over plain http too (testing only)");
  add_listen_flags(cmd, args->listen);
  cmd->callback([args] { run(*args); });
}

}  // namespace mpcc::app
