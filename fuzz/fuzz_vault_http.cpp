// File: fuzz/fuzz_vault_http.cpp
//
// The key vault's JSON request bodies through its real route handlers, in
// process (http::Server::handle on a server that never listens). The first
// input byte picks the route, the rest is the body:
//   0  POST  /keys/fuzz-new/create            (then the key is deleted again)
//   1  PATCH /keys/fuzz-patch                 (update: attributes, tags, policy)
//   2  POST  /keys/fuzz-key/release
//   3  POST  /keys/fuzz-key/<version>/release
// as "contoso" (every key permission) with a valid bearer token, api-version
// 7.4. In the body, $ATTESTATION_TOKEN becomes a valid attestation token of
// the trusted MAA and $POLICY_DATA a valid release_policy.data, so the seeds
// reach the release and policy code past the signature checks.
// The environment is keyvault/test/vault_test_env.h (identity service and
// MAA issuers on loopback TLS, a vault on an in-memory key store), built once;
// key generation is replaced by QuickKeyStore's pre-generated keys.
// Asserts (fuzz::check_answer): no 5xx, error bodies are JSON objects.
// Thread-safety: libFuzzer's single thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/server.h"
#include "keyvault/issuer_keys.h"
#include "keyvault/service.h"
#include "keyvault/test/vault_test_env.h"
#include "support/fuzz_support.h"
#include "support/http_check.h"
#include "support/quick_key_store.h"

using namespace mpcc;
namespace env = mpcc::keyvault::test_env;

namespace {

void replace_all(std::string& s, std::string_view what, const std::string& with) {
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size())) {
    s.replace(at, what.size(), with);
  }
}

struct Fixture {
  env::VaultTestEnv vault{env::EnvOptions{.keys = std::make_shared<fuzz::QuickKeyStore>()}};
  std::unique_ptr<keyvault::VaultService> service;
  http::Server server{http::ServerOptions{}};
  std::string bearer;
  std::string token;
  std::string policy_data;
  std::string version;

  Fixture() {
    keyvault::IssuerKeysOptions keys;
    keys.client.ca_cert_path = vault.ca_cert();
    keyvault::ServiceOptions options;
    options.identity_issuer = vault.identity_issuer_url();
    options.identity_keys = std::make_shared<keyvault::IssuerKeys>(keys);
    service = std::move(keyvault::VaultService::create(vault.vault_ptr(), options).value());
    service->register_routes(server);
    bearer = vault.bearer(vault.allowed());
    token = vault.attestation_token();
    policy_data = vault.policy_data();
    std::string kid = vault.create_key("fuzz-key")["key"]["kid"];
    version = kid.substr(kid.rfind('/') + 1);
    vault.create_key("fuzz-patch");
  }

  http::Response call(http::Method method, std::string path, std::string body) const {
    return server.handle(fuzz::request(method, std::move(path), "api-version=7.4",
                                       {{"Authorization", "Bearer " + bearer},
                                        {"Content-Type", "application/json"}},
                                       std::move(body)));
  }
};

}  // namespace

FUZZ_HTTP_SETUP(Fixture)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = fuzz::fixture_of<Fixture>();
  fuzz::Input in = fuzz::split_input(data, size);
  std::string body(in.rest);
  replace_all(body, "$ATTESTATION_TOKEN", f.token);
  replace_all(body, "$POLICY_DATA", f.policy_data);
  switch (in.selector % 4) {
    case 0: {
      http::Response r = f.call(http::Method::kPost, "/keys/fuzz-new/create", body);
      fuzz::check_answer("POST /keys/fuzz-new/create", r, {});
      if (r.status == 200) {
        fuzz::check_answer("DELETE /keys/fuzz-new",
                           f.call(http::Method::kDelete, "/keys/fuzz-new", ""), {});
      }
      break;
    }
    case 1:
      fuzz::check_answer("PATCH /keys/fuzz-patch",
                         f.call(http::Method::kPatch, "/keys/fuzz-patch", body), {});
      break;
    case 2:
      fuzz::check_answer("POST /keys/fuzz-key/release",
                         f.call(http::Method::kPost, "/keys/fuzz-key/release", body), {});
      break;
    default:
      fuzz::check_answer("POST /keys/fuzz-key/<version>/release",
                         f.call(http::Method::kPost, "/keys/fuzz-key/" + f.version + "/release",
                                body),
                         {});
      break;
  }
  return 0;
}
