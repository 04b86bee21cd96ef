// `mpcc serve view`: the four-pane view of the parties (src/web) in the
// foreground until SIGINT/SIGTERM.
//
//   mpcc serve view --config FILE [--port N] [--web-root DIR]
//
// FILE is written by `mpcc up` (web/view_service.h). The view serves HTTPS
// with the certificate the config names and prints its URL once it accepts
// connections. It never holds a credential: the operators' tokens reach the
// browser in the URL's fragment only. Exit codes: 0 stopped by a signal, 2 bad
// configuration, 5 cannot bind, 70 bug.
#include <memory>
#include <string>

#include "apps/mpcc/cli_errors.h"
#include "apps/mpcc/serve_commands.h"
#include "apps/mpcc/service_runner.h"
#include "web/assets.h"
#include "web/view_service.h"

namespace mpcc::app {
namespace {

constexpr std::string_view kWhat = "serve view";

struct ViewArgs {
  std::string config;
  int port = -1;
  std::string web_root;
};

void run(const ViewArgs& a) {
  web::ViewConfig config = value_or_exit(web::load_view_config(a.config), kWhat);
  if (a.port >= 0) config.listen_port = a.port;
  web::Assets assets = web::Assets::embedded();
  if (!a.web_root.empty()) assets = value_or_exit(web::Assets::from_directory(a.web_root), kWhat);
  http::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.tls = http::TlsFiles{config.tls_cert.string(), config.tls_key.string()};
  http::Server server(options);
  ok_or_exit(web::register_view_routes(server, config, std::move(assets)), kWhat);
  throw CliExit{run_until_signal(server, "view")};
}

}  // namespace

void register_serve_view(CLI::App& serve) {
  auto args = std::make_shared<ViewArgs>();
  CLI::App* cmd = serve.add_subcommand("view", "The four-pane view of the parties' pages");
  cmd->add_option("--config", args->config, "The view's configuration file (JSON)")->required();
  cmd->add_option("--port", args->port, "Override the configured port (0: ephemeral)");
  cmd->add_option("--web-root", args->web_root,
                  "Serve the page from DIR/view/ on disk instead of the built-in copy");
  cmd->callback([args] { run(*args); });
}

}  // namespace mpcc::app
