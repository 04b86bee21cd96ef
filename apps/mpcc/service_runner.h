// File: apps/mpcc/service_runner.h
//
// What every `mpcc serve <component>` shares: the listening flags, TLS by
// default (plain HTTP only with --insecure-http, logged as insecure), and
// running a server until SIGINT/SIGTERM. The URL is printed on stdout once the
// server accepts connections, so a supervisor can wait for that line.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/server.h"

namespace mpcc::app {

struct ListenFlags {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string tls_cert;
  std::string tls_key;
  bool insecure_http = false;
};

void add_listen_flags(CLI::App* cmd, ListenFlags& flags);

// kInvalidArgument when neither TLS files nor --insecure-http were given, or
// only one of --tls-cert/--tls-key.
StatusOr<http::ServerOptions> server_options(const ListenFlags& flags);

// Blocks SIGINT and SIGTERM, starts `server`, prints its base URL, waits for a
// signal, stops the server. Returns the process exit code.
int run_until_signal(http::Server& server, std::string_view name);

}  // namespace mpcc::app
