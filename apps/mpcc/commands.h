// File: apps/mpcc/commands.h
//
// One function per subcommand file (cmd_<name>.cpp) that adds its CLI11
// subcommand to the root app. The callback it installs runs the command and
// throws CliExit with the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>

namespace mpcc::app {

// Carries a subcommand's exit code out of a CLI11 callback to main().
struct CliExit {
  int code;
};

void register_snp_command(CLI::App& root);
void register_psp_command(CLI::App& root);
void register_serve_command(CLI::App& root);
void register_identity_command(CLI::App& root);
void register_audit_command(CLI::App& root);
// `mpcc keyvault access ...` (cmd_keyvault.cpp).
void register_keyvault_command(CLI::App& root);
// `mpcc up`, `mpcc status`, `mpcc down` (cmd_up.cpp).
void register_deploy_commands(CLI::App& root);
// `mpcc policy show|hash` (cmd_policy.cpp).
void register_policy_commands(CLI::App& root);
// `mpcc export aci|k8s` (cmd_export.cpp).
void register_export_commands(CLI::App& root);

}  // namespace mpcc::app
