// mpcc serve <component>: runs one service in the foreground until SIGINT/SIGTERM.
// Each component adds its subcommand here.
#include "apps/mpcc/commands.h"
#include "apps/mpcc/serve_commands.h"

namespace mpcc::app {

void register_serve_command(CLI::App& root) {
  CLI::App* serve = root.add_subcommand("serve", "Run one mpcc service in the foreground");
  serve->require_subcommand(1);
  register_serve_attestation(*serve);
  register_serve_identity(*serve);
  register_serve_keyvault(*serve);
  register_serve_skr(*serve);
  register_serve_party(*serve);
  register_serve_view(*serve);
}

}  // namespace mpcc::app
