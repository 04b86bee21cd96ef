// File: keyvault/test/vault_test_env.h
//
// Test support for keyvault_test (tests only): a complete local deployment
// of one key vault on 127.0.0.1, everything over TLS from one local CA:
//   - the identity service (IdentityRegistry + TokenIssuer + IdentityService:
//     OpenID metadata and /keys) that issues the vault's bearer tokens;
//   - an MAA-like attestation issuer (OpenID metadata + /certs) whose URL is
//     the authority of the release policies made here, and a second,
//     untrusted one (another key, another URL);
//   - the vault (open_vault on a state directory) behind a VaultService.
// Three identities are provisioned and given access policies:
//   allowed()    "contoso":  every key permission
//   no_release() "fabrikam": every key permission except release
//   reader()     "reader":   get and list only
//
// Slow parts (RSA key generation for the issuers, the release-signing key
// and the TEE's transfer key) are done once per process and copied into each
// environment's directories.
//
// Thread-safety: an environment is used from the test's thread; its servers
// answer on their own threads.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "common/testing/temp_dir.h"
#include "crypto/key_wrap.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "hsm/key_store.h"
#include "http/client.h"
#include "http/server.h"
#include "http/tls.h"
#include "identity/identity_registry.h"
#include "identity/identity_service.h"
#include "identity/token_issuer.h"
#include "jose/issuer_key.h"
#include "keyvault/audit_log.h"
#include "keyvault/key_registry.h"
#include "keyvault/service.h"
#include "keyvault/vault.h"

namespace mpcc::keyvault::test_env {

using nlohmann::json;

inline constexpr const char* kApiVersion = "7.4";
// The HOST_DATA the release policies of this environment require.
inline constexpr const char* kHostData =
    "73973b78d70cc68353426de188db5dfc57e5b766e399935fb73a61127ea26d20";
inline constexpr const char* kOtherHostData =
    "1111111111111111111111111111111111111111111111111111111111111111";
inline constexpr const char* kTransferKid = "TpmEphemeralEncryptionKey";

// One answer of the vault (or any server), parsed when it is JSON.
struct Reply {
  int status = 0;
  std::string raw;
  json body;  // null when the body is not JSON
  std::vector<std::pair<std::string, std::string>> headers;

  std::optional<std::string> header(std::string_view name) const;
  // body.error.code / .message / .innererror.layer; "" when absent.
  std::string error_code() const;
  std::string message() const;
  std::string layer() const;
  // For failure messages: status and the raw body.
  std::string describe() const;
};

// An MAA-like attestation token issuer over TLS:
//   GET /.well-known/openid-configuration -> {"issuer": url, "jwks_uri": url + "/certs"}
//   GET /certs                            -> {"keys": [public JWK with x5c]}
class MaaIssuer {
 public:
  MaaIssuer(const http::TlsFiles& tls, jose::IssuerKey key);
  ~MaaIssuer();
  MaaIssuer(const MaaIssuer&) = delete;
  MaaIssuer& operator=(const MaaIssuer&) = delete;

  const std::string& url() const { return url_; }
  const jose::IssuerKey& key() const { return key_; }
  // RS256 JWT with header {alg, typ, kid, jku} plus `header_extras`.
  std::string sign(const json& claims, const json& header_extras = json::object()) const;
  // Requests served so far (metadata and keys).
  int hits() const { return hits_.load(); }

 private:
  jose::IssuerKey key_;
  std::atomic<int> hits_{0};
  std::unique_ptr<http::Server> server_;
  std::string url_;
};

// A released key, unpacked the way the SKR sidecar does it.
struct UnwrappedRelease {
  json header;   // the JWS protected header
  json payload;  // {"request", "response"}
  json transfer_blob;
  crypto::Certificate signer;  // x5c[0]
  crypto::PrivateKey key;      // the released private key
};

struct EnvOptions {
  // The vault's key store. Null and !pkcs11: a fresh hsm::MemoryKeyStore.
  std::shared_ptr<hsm::KeyStore> keys;
  // Use open_vault's default store (SoftHSM2 under state_dir/hsm).
  bool pkcs11 = false;
};

class VaultTestEnv {
 public:
  // Builds and starts everything; throws std::runtime_error on failure.
  explicit VaultTestEnv(EnvOptions options = {});
  ~VaultTestEnv();
  VaultTestEnv(const VaultTestEnv&) = delete;
  VaultTestEnv& operator=(const VaultTestEnv&) = delete;

  // Stops the vault's server and drops the service and the vault (closing
  // its key store, registry and audit log); the state directory stays.
  void stop_vault();
  // Opens the vault again from the state directory and serves it on a new
  // port. Throws std::runtime_error on failure.
  void start_vault();

  const std::filesystem::path& state_dir() const { return state_dir_; }
  const std::string& ca_cert() const { return ca_cert_; }
  // "https://127.0.0.1:PORT", the vault's origin.
  std::string vault_url() const;
  KeyVault& vault() { return *vault_; }
  std::shared_ptr<KeyVault> vault_ptr() { return vault_; }
  KeyRegistry& registry() { return *vault_->options().registry; }
  const MaaIssuer& maa() const { return *maa_; }
  const MaaIssuer& untrusted_maa() const { return *untrusted_maa_; }
  const std::string& identity_issuer_url() const { return identity_url_; }
  // The identity issuer's signing key (to craft bearer tokens by hand).
  const jose::IssuerKey& identity_key() const { return *identity_key_; }

  // ---- identities and bearer tokens
  const identity::Identity& allowed() const { return allowed_; }
  const identity::Identity& no_release() const { return no_release_; }
  const identity::Identity& reader() const { return reader_; }
  // A valid bearer token for `who` (audience https://vault.azure.net).
  std::string bearer(const identity::Identity& who) const;
  // A valid bearer token for another resource (audience).
  std::string bearer_for(const identity::Identity& who, const std::string& resource) const;
  // The same, issued two hours ago with a one-hour lifetime: expired.
  std::string expired_bearer(const identity::Identity& who) const;

  // ---- attestation tokens
  // The TEE's transfer key (RSA-2048), the same for every environment.
  static const crypto::PrivateKey& transfer_key();
  // Default claims of a valid token of `issuer_url` (spec 8.4): iss,
  // iat/nbf/exp, jti, x-ms-attestation-type, x-ms-isolation-tee{...},
  // top-level x-ms-sevsnpvm-* copies, x-ms-runtime.keys = [transfer key JWK].
  static json attestation_claims(const std::string& issuer_url,
                                 const std::string& hostdata = kHostData,
                                 bool debuggable = false,
                                 const std::string& attestation_type = "sevsnpvm");
  // A token from the trusted MAA; `edit` may change the claims first.
  std::string attestation_token(const std::function<void(json&)>& edit = {}) const;

  // ---- release policies and keys
  // The policy JSON: authority `authority`, allOf x-ms-isolation-tee.*:
  // attestation-type equals sevsnpvm, hostdata equals `hostdata`,
  // is-debuggable equals "false".
  static json policy(const std::string& authority, const std::string& hostdata = kHostData);
  // base64url (unpadded) of the trusted MAA's policy text.
  std::string policy_data(const std::string& hostdata = kHostData) const;
  // A create body: RSA-HSM, `bits`, exportable with the trusted MAA's policy
  // (when `exportable`), else a plain RSA-HSM key.
  json create_body(std::size_t bits = 2048, bool exportable = true,
                   bool immutable = false) const;
  // POST /keys/{name}/create as allowed(); the KeyBundle (throws unless 200).
  json create_key(const std::string& name, std::size_t bits = 2048, bool exportable = true,
                  bool immutable = false);

  // ---- calling the vault
  // "<vault_url()><path>?api-version=7.4" (or "&" when path has a query).
  std::string url(const std::string& path, const std::string& api_version = kApiVersion) const;
  // A raw request to the vault: `path_and_query` as given; `bearer` empty:
  // no Authorization header. Throws on transport errors.
  Reply call(const std::string& method, const std::string& path_and_query,
             const std::string& body = "", const std::string& bearer = "",
             const std::string& content_type = "application/json") const;
  // The same with the request headers given exactly (Accept added).
  Reply call_with_headers(const std::string& method, const std::string& path_and_query,
                          const std::string& body, http::Headers headers,
                          const std::string& content_type = "application/json") const;
  // JSON calls with the api-version query, as allowed() unless told otherwise.
  Reply get(const std::string& path) const { return get_as(path, bearer(allowed_)); }
  Reply get_as(const std::string& path, const std::string& bearer_token) const;
  Reply post(const std::string& path, const json& body) const {
    return post_as(path, body, bearer(allowed_));
  }
  Reply post_as(const std::string& path, const json& body, const std::string& bearer_token) const;
  Reply patch(const std::string& path, const json& body) const;
  Reply del(const std::string& path) const;
  // POST /keys/{name}[/{version}]/release with {"target": token, ...extra}.
  Reply release(const std::string& name, const std::string& token,
                const json& extra = json::object(), const std::string& version = "",
                std::optional<std::string> bearer_token = std::nullopt) const;

  // ---- unpacking
  // Verifies the release JWS with x5c[0] and unwraps the key with the
  // transfer key. Throws std::runtime_error (with the reason) on failure.
  static UnwrappedRelease unwrap(const std::string& jws);

  // Every audit record (a fresh read-only connection).
  std::vector<AuditRecord> audit_records() const;

 private:
  void start_identity();
  void start_maas();

  EnvOptions options_;
  ::mpcc::testing::TempDir dir_{"mpcc-kv-env"};
  std::filesystem::path state_dir_;
  http::LocalCaFiles ca_;
  http::TlsFiles tls_;
  std::string ca_cert_;
  http::Client client_;

  std::shared_ptr<identity::IdentityRegistry> identities_;
  std::shared_ptr<identity::TokenIssuer> token_issuer_;
  std::shared_ptr<identity::TokenIssuer> expired_issuer_;
  std::shared_ptr<identity::IdentityService> identity_service_;
  std::unique_ptr<http::Server> identity_server_;
  std::string identity_url_;
  std::optional<jose::IssuerKey> identity_key_;
  identity::Identity allowed_, no_release_, reader_;

  std::unique_ptr<MaaIssuer> maa_, untrusted_maa_;

  std::shared_ptr<KeyVault> vault_;
  std::unique_ptr<VaultService> service_;
  std::unique_ptr<http::Server> vault_server_;
};

// base64url of a JSON value's compact text (for crafting tokens).
std::string b64url_json(const json& j);

// A gtest fixture base whose suite shares one VaultTestEnv (built in
// SetUpTestSuite, so its cost is paid once per suite). Tests of a suite must
// therefore use their own key names. `Base` is ::testing::Test or
// ::testing::TestWithParam<P>.
template <typename Base>
class SharedEnvTest : public Base {
 protected:
  static void SetUpTestSuite() {
    try {
      env_ = new VaultTestEnv();
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(env_, nullptr) << "environment setup failed: " << error_; }
  static VaultTestEnv& env() { return *env_; }

 private:
  static inline VaultTestEnv* env_ = nullptr;
  static inline std::string error_;
};

}  // namespace mpcc::keyvault::test_env
