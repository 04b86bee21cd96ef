// File: apps/mpcc/serve_commands.h
//
// `mpcc serve <component>` subcommands that live in their own cmd_serve_*.cpp
// files; register_serve_command (cmd_serve.cpp) calls each with the `serve`
// subcommand group.
#pragma once

#include <CLI/CLI.hpp>

namespace mpcc::app {

// `mpcc serve attestation` (cmd_serve_attestation.cpp).
void register_serve_attestation(CLI::App& serve);
// `mpcc serve identity` (cmd_identity.cpp).
void register_serve_identity(CLI::App& serve);
// `mpcc serve keyvault` (cmd_serve_keyvault.cpp).
void register_serve_keyvault(CLI::App& serve);
// `mpcc serve skr` (cmd_serve_skr.cpp).
void register_serve_skr(CLI::App& serve);
// `mpcc serve party` (cmd_serve_party.cpp).
void register_serve_party(CLI::App& serve);
// cmd_serve_view.cpp
void register_serve_view(CLI::App& serve);

}  // namespace mpcc::app
