// `mpcc serve party`: one party's web app (src/party) in the foreground until
// SIGINT/SIGTERM.
//
//   mpcc serve party --config FILE [--port N] [--web-root DIR]
//
// FILE is the party's configuration (party/party_config.h), written by
// `mpcc up`. The app serves HTTPS with the certificate the config names and
// prints its URL once it accepts connections. The page is the one built into
// the binary; --web-root serves DIR/party/* from disk instead (developing the
// page). Exit codes: 0 stopped by a
// signal, 2 bad configuration, 5 cannot bind, 70 bug.
#include <memory>
#include <string>

#include "apps/mpcc/cli_errors.h"
#include "apps/mpcc/serve_commands.h"
#include "apps/mpcc/service_runner.h"
#include "party/app_setup.h"
#include "party/party_app.h"
#include "web/assets.h"

namespace mpcc::app {
namespace {

constexpr std::string_view kWhat = "serve party";

struct PartyArgs {
  std::string config;
  int port = -1;
  std::string web_root;
};

void run(const PartyArgs& a) {
  party::PartyConfig config = value_or_exit(party::load_party_config(a.config), kWhat);
  if (a.port >= 0) config.listen_port = a.port;
  http::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.tls = http::TlsFiles{config.tls_cert.string(), config.tls_key.string()};
  // A streamed analysis, and every browser connection kept open (four panes,
  // several connections each), holds a worker.
  options.worker_threads = 64;
  const std::string name = "party " + config.party;
  party::PartyAppDeps deps = value_or_exit(party::prepare_party_app(std::move(config)), kWhat);
  if (!a.web_root.empty()) deps.assets = value_or_exit(web::Assets::from_directory(a.web_root), kWhat);
  auto app = value_or_exit(party::PartyApp::create(std::move(deps)), kWhat);
  http::Server server(options);
  app->register_routes(server);
  throw CliExit{run_until_signal(server, name)};
}

}  // namespace

void register_serve_party(CLI::App& serve) {
  auto args = std::make_shared<PartyArgs>();
  CLI::App* cmd = serve.add_subcommand(
      "party", "A party's web app (Contoso, Fabrikam, Woodgrove Bank or the Snooper)");
  cmd->add_option("--config", args->config, "The party's configuration file (JSON)")->required();
  cmd->add_option("--port", args->port, "Override the configured port (0: ephemeral)");
  cmd->add_option("--web-root", args->web_root,
                  "Serve the page from DIR/party/ on disk instead of the built-in copy");
  cmd->callback([args] { run(*args); });
}

}  // namespace mpcc::app
