// File: fuzz/fuzz_party_http.cpp
//
// The party app's JSON request bodies through its real route handlers, in
// process (http::Server::handle on a server that never listens). The first
// input byte picks the app and the route, the rest is the body:
//   selector % 14: one of the POST routes (kRoutes below);
//   (selector / 14) % 2: Contoso (owner, confidential) or Woodgrove Bank
//   (analyst, with Contoso and Fabrikam as partners).
// Requests carry the operator's bearer token. Each app stores records in a
// directory blob store of its own; its sidecar, attestation endpoint, vaults,
// identity service and partner apps are all at 127.0.0.1:1 (a closed port),
// so a request that gets as far as an upstream call answers with the
// documented upstream error (502/503/504), and nothing leaves the machine.
// Asserts (fuzz::check_answer): no 5xx but 502-504, error bodies are JSON
// objects.
// Thread-safety: libFuzzer's single thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "blobstore/directory_store.h"
#include "common/bytes.h"
#include "common/testing/temp_dir.h"
#include "http/server.h"
#include "party/party_app.h"
#include "party/party_config.h"
#include "support/fuzz_support.h"
#include "support/http_check.h"

using namespace mpcc;
using nlohmann::json;

namespace {

constexpr const char* kOperatorToken = "fuzz-operator-token";
constexpr const char* kClosed = "127.0.0.1:1";

constexpr const char* kRoutes[] = {
    "/attest/maa",    "/attest/raw",       "/skr/release",      "/skr/release-partner",
    "/skr/release-other", "/encrypt",      "/decrypt",          "/company/save",
    "/company/populate",  "/partner/analyze", "/analytics/partner-demographics",
    "/policy/what-if",    "/grants/woodgrove/revoke", "/grants/woodgrove/restore"};
constexpr std::size_t kRouteCount = sizeof(kRoutes) / sizeof(kRoutes[0]);

json peer(const std::string& name, const std::string& display) {
  return {{"name", name},
          {"display_name", display},
          {"key", {{"vault", kClosed}, {"name", name + "-secret-key"}}},
          {"app_url", std::string("https://") + kClosed}};
}

json config_json(const testing::TempDir& dir, const std::string& party, bool analyst) {
  std::string d = dir.path().string();
  json j = {{"party", party},
            {"display_name", party},
            {"role", analyst ? "analyst" : "owner"},
            {"sku", "confidential"},
            {"listen", {{"host", "127.0.0.1"}, {"port", 0}, {"tls_cert", d + "/tls.pem"},
                        {"tls_key", d + "/tls.key"}}},
            {"ca_cert", d + "/ca.pem"},
            {"operator_token_file", d + "/operator-token"},
            {"sidecar", {{"url", std::string("http://") + kClosed}}},
            {"maa_endpoint", kClosed},
            {"key", {{"vault", kClosed}, {"name", party + "-secret-key"}}},
            {"storage", {{"type", "directory"}, {"path", d + "/blobs-" + party}}}};
  if (analyst) {
    j["partners"] = json::array({peer("contoso", "Contoso"), peer("fabrikam", "Fabrikam")});
    j["identity"] = {{"endpoint", std::string("https://") + kClosed},
                     {"credential_file", d + "/credential"}};
  } else {
    j["other_company"] = peer("fabrikam", "Fabrikam");
    j["other_company"].erase("app_url");
  }
  return j;
}

struct App {
  std::unique_ptr<party::PartyApp> app;
  std::unique_ptr<http::Server> server = std::make_unique<http::Server>(http::ServerOptions{});
};

App make_app(const testing::TempDir& dir, const std::string& party, bool analyst) {
  party::PartyAppDeps deps;
  deps.config = party::parse_party_config(config_json(dir, party, analyst)).value();
  deps.secrets.operator_token = to_secure(as_span(std::string(kOperatorToken)));
  if (analyst) deps.secrets.identity_credential = "fuzz-credential";
  blobstore::DirectoryStoreOptions store;
  store.root = deps.config.storage.path;
  store.durable = false;
  deps.blobs = blobstore::open_directory_store(store).value();
  App out;
  out.app = party::PartyApp::create(std::move(deps)).value();
  out.app->register_routes(*out.server);
  return out;
}

struct Fixture {
  testing::TempDir dir{"mpcc-fuzz-party"};
  App owner = make_app(dir, "contoso", false);
  App analyst = make_app(dir, "woodgrove", true);
};

}  // namespace

FUZZ_HTTP_SETUP(Fixture)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = fuzz::fixture_of<Fixture>();
  fuzz::Input in = fuzz::split_input(data, size);
  const App& app = (in.selector / kRouteCount) % 2 == 0 ? f.owner : f.analyst;
  fuzz::post_and_check(*app.server, kRoutes[in.selector % kRouteCount],
                       {{"Authorization", std::string("Bearer ") + kOperatorToken}},
                       std::string(in.rest), {502, 503, 504});
  return 0;
}
