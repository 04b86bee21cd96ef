// mpcc identity provision|list|token, and `mpcc serve identity`.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/mpcc/commands.h"
#include "apps/mpcc/exit_codes.h"
#include "apps/mpcc/serve_commands.h"
#include "apps/mpcc/service_runner.h"
#include "common/file_io.h"
#include "identity/identity_registry.h"
#include "identity/identity_service.h"
#include "identity/token_issuer.h"

namespace mpcc::app {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kSigningKeyName = "token-signing";
constexpr const char* kIssuerSubject = "mpcc identity issuer (local)";
constexpr const char* kIssuerUrlFile = "issuer-url";

[[noreturn]] void fail(int code, const std::string& what, const Status& s) {
  std::fprintf(stderr, "mpcc %s: %s\n", what.c_str(), s.message().c_str());
  throw CliExit{code};
}

int exit_code_for(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists:
    case StatusCode::kNotFound: return kExitUsage;
    case StatusCode::kUnavailable: return kExitUnavailable;
    default: return kExitInternal;
  }
}

template <typename T>
T must(StatusOr<T> v, const std::string& what) {
  if (!v.ok()) fail(exit_code_for(v.status()), what, v.status());
  return std::move(v).value();
}

std::shared_ptr<identity::TokenIssuer> open_issuer(const fs::path& dir, const std::string& issuer_url) {
  auto key = must(jose::load_or_create_issuer_key(dir, kSigningKeyName, kIssuerSubject), "identity");
  return std::make_shared<identity::TokenIssuer>(std::move(key), issuer_url, system_clock());
}

json describe(const identity::Identity& id) {
  return {{"name", id.name}, {"client_id", id.client_id}, {"object_id", id.object_id}};
}

}  // namespace

void register_identity_command(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand("identity", "Managed identities: provision, list, tokens");
  cmd->require_subcommand(1);
  static std::string state_dir, name, credential_out, resource, issuer;

  CLI::App* provision = cmd->add_subcommand("provision", "Create an identity and its credential");
  provision->add_option("--state-dir", state_dir, "Identity service state directory")->required();
  provision->add_option("--name", name, "Identity name ([a-z0-9-]{1,63})")->required();
  provision->add_option("--credential-out", credential_out,
                        "Write the credential here (0600); default STATE/credentials/NAME");
  provision->callback([] {
    auto reg = must(identity::IdentityRegistry::open(state_dir), "identity provision");
    auto p = must(reg->provision(name), "identity provision");
    fs::path out = credential_out.empty() ? fs::path(state_dir) / "credentials" / name : fs::path(credential_out);
    std::error_code ec;
    fs::create_directories(out.parent_path(), ec);
    Status w = write_file_atomic(out, as_span(p.credential));
    if (!w.ok()) fail(kExitUnavailable, "identity provision", w);
    json j = describe(p.identity);
    j["credential_file"] = out.string();
    std::printf("%s\n", j.dump(2).c_str());
    throw CliExit{kExitOk};
  });

  CLI::App* list = cmd->add_subcommand("list", "List identities (never their credentials)");
  list->add_option("--state-dir", state_dir, "Identity service state directory")->required();
  list->callback([] {
    auto reg = must(identity::IdentityRegistry::open(state_dir), "identity list");
    json out = json::array();
    for (const auto& id : reg->list()) out.push_back(describe(id));
    std::printf("%s\n", out.dump(2).c_str());
    throw CliExit{kExitOk};
  });

  CLI::App* token = cmd->add_subcommand("token", "Print an access token for an identity (operators, tests)");
  token->add_option("--state-dir", state_dir, "Identity service state directory")->required();
  token->add_option("--identity", name, "Identity name")->required();
  token->add_option("--resource", resource, "Resource (audience), e.g. https://vault.azure.net")->required();
  token->add_option("--issuer", issuer,
                    "Issuer URL (default: the one `mpcc serve identity` recorded in STATE/issuer-url)");
  token->callback([] {
    auto reg = must(identity::IdentityRegistry::open(state_dir), "identity token");
    auto id = must(reg->find_by_name(name), "identity token");
    std::string iss = issuer;
    if (iss.empty()) {
      auto recorded = read_text_file(fs::path(state_dir) / kIssuerUrlFile, 4096);
      if (!recorded.ok()) {
        fail(kExitUsage, "identity token",
             invalid_argument("give --issuer: no identity service has recorded its URL in " +
                              (fs::path(state_dir) / kIssuerUrlFile).string() + " yet"));
      }
      iss = *recorded;
    }
    auto t = must(open_issuer(state_dir, iss)->issue(id, resource), "identity token");
    std::printf("%s\n", t.token.c_str());
    throw CliExit{kExitOk};
  });
}

void register_serve_identity(CLI::App& serve) {
  CLI::App* cmd = serve.add_subcommand("identity", "Managed-identity token service (IMDS API)");
  static std::string state_dir, issuer;
  static ListenFlags listen;
  cmd->add_option("--state-dir", state_dir, "State directory (identities, signing key)")->required();
  cmd->add_option("--issuer", issuer, "Issuer URL in tokens (default: this service's URL)");
  add_listen_flags(cmd, listen);
  cmd->callback([] {
    auto options = must(server_options(listen), "serve identity");
    auto reg = must(identity::IdentityRegistry::open(state_dir), "serve identity");
    if (issuer.empty() && listen.port == 0) {
      fail(kExitUsage, "serve identity", invalid_argument("give --port (or --issuer): the issuer URL goes into every token"));
    }
    const std::string iss = issuer.empty()
        ? fmt::format("{}://{}:{}", options.tls ? "https" : "http", listen.host, listen.port)
        : issuer;
    // Recorded so that `mpcc identity token` issues tokens this service's
    // relying parties accept.
    Status recorded = write_file_atomic(fs::path(state_dir) / kIssuerUrlFile, as_span(iss),
                                        fs::perms::owner_read | fs::perms::owner_write |
                                            fs::perms::group_read | fs::perms::others_read);
    if (!recorded.ok()) fail(kExitUnavailable, "serve identity", recorded);
    http::Server real(options);
    auto service = std::make_shared<identity::IdentityService>(
        std::shared_ptr<identity::IdentityRegistry>(std::move(reg)), open_issuer(state_dir, iss));
    service->register_routes(real);
    throw CliExit{run_until_signal(real, "identity")};
  });
}

}  // namespace mpcc::app
