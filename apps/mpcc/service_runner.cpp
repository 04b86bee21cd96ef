#include "apps/mpcc/service_runner.h"

#include <csignal>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "apps/mpcc/exit_codes.h"

namespace mpcc::app {

void add_listen_flags(CLI::App* cmd, ListenFlags& flags) {
  cmd->add_option("--host", flags.host, "Address to listen on (loopback by default)");
  cmd->add_option("--port", flags.port, "Port (0: any free port; the URL is printed)");
  cmd->add_option("--tls-cert", flags.tls_cert, "Server certificate chain (PEM)");
  cmd->add_option("--tls-key", flags.tls_key, "Server private key (PEM)");
  cmd->add_flag("--insecure-http", flags.insecure_http,
                "Serve plain HTTP (INSECURE: bearer tokens and keys in clear; debugging only)");
}

StatusOr<http::ServerOptions> server_options(const ListenFlags& flags) {
  http::ServerOptions o;
  o.host = flags.host;
  o.port = flags.port;
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    return invalid_argument("give both --tls-cert and --tls-key");
  }
  if (!flags.tls_cert.empty()) {
    o.tls = http::TlsFiles{flags.tls_cert, flags.tls_key};
  } else if (!flags.insecure_http) {
    return invalid_argument("TLS is required: give --tls-cert and --tls-key (or --insecure-http to debug)");
  } else {
    spdlog::warn("serving plain HTTP (--insecure-http): INSECURE, for debugging only");
  }
  return o;
}

int run_until_signal(http::Server& server, std::string_view name) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  // Block before the server's threads start so they inherit the mask and the
  // signal is delivered to sigwait below.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  Status started = server.start();
  if (!started.ok()) {
    std::fprintf(stderr, "mpcc serve %.*s: %s\n", static_cast<int>(name.size()), name.data(),
                 started.message().c_str());
    return kExitUnavailable;
  }
  std::printf("%s\n", server.base_url().c_str());
  std::fflush(stdout);
  spdlog::info("{}: listening on {}", name, server.base_url());
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("{}: signal {}, stopping", name, sig);
  server.stop();
  return kExitOk;
}

}  // namespace mpcc::app
