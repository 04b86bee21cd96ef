#include "keyvault/test/vault_test_env.h"

#include <mutex>
#include <stdexcept>
#include <system_error>

#include "common/bytes.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "hsm/memory_key_store.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "keyvault/issuer_keys.h"
#include "keyvault/vault_setup.h"

namespace mpcc::keyvault::test_env {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what, const Status& s) {
  throw std::runtime_error("vault test env: " + what + ": " + s.to_string());
}

template <typename T>
T must(StatusOr<T> v, const std::string& what) {
  if (!v.ok()) fail(what, v.status());
  return std::move(v).value();
}

void must_ok(const Status& s, const std::string& what) {
  if (!s.ok()) fail(what, s);
}

// Issuer keys made once per process (RSA generation is the slow part) and
// copied into each environment: load_or_create_issuer_key then loads them.
class KeyCache {
 public:
  static KeyCache& get() {
    static KeyCache cache;  // destroyed at exit: the directory goes with it
    return cache;
  }
  // Copies DIR/<name>.{key,pem} of the cached key `name` into `dest`.
  void copy_to(const std::string& name, const fs::path& dest) {
    std::lock_guard lock(mu_);
    const fs::path src = dir_.path();
    (void)must(jose::load_or_create_issuer_key(src, name, "mpcc test " + name),
               "issuer key " + name);
    fs::create_directories(dest);
    for (const char* ext : {".key", ".pem"}) {
      std::error_code ec;
      fs::copy_file(src / (name + ext), dest / (name + ext), fs::copy_options::overwrite_existing,
                    ec);
      if (ec) throw std::runtime_error("vault test env: copy " + name + ext + ": " + ec.message());
    }
  }

 private:
  std::mutex mu_;
  ::mpcc::testing::TempDir dir_{"mpcc-kv-keycache"};
};

jose::IssuerKey cached_issuer_key(const std::string& name, const fs::path& dir) {
  KeyCache::get().copy_to(name, dir);
  return must(jose::load_or_create_issuer_key(dir, name, "mpcc test " + name), "load " + name);
}

http::ServerOptions tls_server(const http::TlsFiles& tls) {
  http::ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.tls = tls;
  return o;
}

}  // namespace

std::string b64url_json(const json& j) { return crypto::base64url_encode(j.dump()); }

// ---- Reply -------------------------------------------------------------------

std::optional<std::string> Reply::header(std::string_view name) const {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  };
  for (const auto& [n, v] : headers) {
    if (lower(n) == lower(name)) return v;
  }
  return std::nullopt;
}

namespace {
std::string string_at(const json& j, std::initializer_list<const char*> path) {
  const json* p = &j;
  for (const char* k : path) {
    if (!p->is_object()) return "";
    auto it = p->find(k);
    if (it == p->end()) return "";
    p = &*it;
  }
  return p->is_string() ? p->get<std::string>() : "";
}
}  // namespace

std::string Reply::error_code() const { return string_at(body, {"error", "code"}); }
std::string Reply::message() const { return string_at(body, {"error", "message"}); }
std::string Reply::layer() const { return string_at(body, {"error", "innererror", "layer"}); }
std::string Reply::describe() const {
  return "HTTP " + std::to_string(status) + " " + raw.substr(0, 2000);
}

// ---- MaaIssuer -----------------------------------------------------------------

MaaIssuer::MaaIssuer(const http::TlsFiles& tls, jose::IssuerKey key) : key_(std::move(key)) {
  server_ = std::make_unique<http::Server>(tls_server(tls));
  server_->route(http::Method::kGet, R"(/\.well-known/openid-configuration)",
                 [this](const http::Request&) {
                   ++hits_;
                   return http::Response::json(
                       200, json{{"issuer", url_},
                                 {"jwks_uri", url_ + "/certs"},
                                 {"id_token_signing_alg_values_supported", {"RS256"}},
                                 {"response_types_supported", {"token", "none"}}});
                 });
  server_->route(http::Method::kGet, "/certs", [this](const http::Request&) {
    ++hits_;
    return http::Response::json(200, json{{"keys", json::array({key_.public_jwk().to_json()})}});
  });
  must_ok(server_->start(), "MAA server");
  url_ = server_->base_url();
}

MaaIssuer::~MaaIssuer() {
  if (server_) server_->stop();
}

std::string MaaIssuer::sign(const json& claims, const json& header_extras) const {
  jose::JwtSigner signer(jose::JwsAlg::kRs256, key_.key, key_.kid, url_ + "/certs");
  return must(signer.sign(claims, header_extras), "sign attestation token");
}

// ---- VaultTestEnv ----------------------------------------------------------------

VaultTestEnv::VaultTestEnv(EnvOptions options) : options_(std::move(options)) {
  state_dir_ = dir_.path() / "vault";
  ca_ = must(http::ensure_local_ca(dir_.path() / "ca"), "local CA");
  tls_ = must(http::ensure_server_certificate(ca_, dir_.path() / "tls", "localhost", {"localhost"},
                                              {"127.0.0.1"}),
              "server certificate");
  ca_cert_ = ca_.ca_cert.string();
  http::ClientOptions co;
  co.ca_cert_path = ca_cert_;
  client_ = http::Client(co);
  start_identity();
  start_maas();
  // The vault's release-signing key, pre-made (open_vault loads it).
  KeyCache::get().copy_to(kReleaseSigningKeyName, state_dir_);
  start_vault();

  KeyRegistry& reg = registry();
  auto policy_for = [](const identity::Identity& who, std::vector<std::string> perms) {
    AccessPolicy p;
    p.object_id = who.object_id;
    p.display_name = who.name;
    p.key_permissions = must(parse_key_permissions(perms), "permissions");
    return p;
  };
  must_ok(reg.set_access_policy(policy_for(allowed_, {"all"})), "access policy contoso");
  must_ok(reg.set_access_policy(policy_for(
              no_release_, {"get", "list", "create", "update", "delete", "encrypt", "decrypt",
                            "sign", "verify", "wrapKey", "unwrapKey", "import", "backup",
                            "restore", "recover", "purge", "rotate"})),
          "access policy fabrikam");
  must_ok(reg.set_access_policy(policy_for(reader_, {"get", "list"})), "access policy reader");
}

VaultTestEnv::~VaultTestEnv() {
  stop_vault();
  untrusted_maa_.reset();
  maa_.reset();
  if (identity_server_) identity_server_->stop();
}

void VaultTestEnv::start_identity() {
  const fs::path dir = dir_.path() / "identity";
  identities_ = must(identity::IdentityRegistry::open(dir), "identity registry");
  allowed_ = must(identities_->provision("contoso"), "provision contoso").identity;
  no_release_ = must(identities_->provision("fabrikam"), "provision fabrikam").identity;
  reader_ = must(identities_->provision("reader"), "provision reader").identity;

  identity_server_ = std::make_unique<http::Server>(tls_server(tls_));
  // The issuer URL is known only once the server listens, and the routes
  // must exist before: they forward to the service made after start().
  identity_server_->route(http::Method::kGet, R"(/\.well-known/openid-configuration)",
                          [this](const http::Request& r) {
                            return identity_service_->openid_configuration(r);
                          });
  identity_server_->route(http::Method::kGet, "/keys", [this](const http::Request& r) {
    return identity_service_->keys(r);
  });
  identity_server_->route(http::Method::kGet, "/metadata/identity/oauth2/token",
                          [this](const http::Request& r) { return identity_service_->token(r); });
  must_ok(identity_server_->start(), "identity server");
  identity_url_ = identity_server_->base_url();
  jose::IssuerKey key = cached_issuer_key("token-signing", dir);
  identity_key_ = key;
  token_issuer_ = std::make_shared<identity::TokenIssuer>(key, identity_url_, system_clock());
  expired_issuer_ = std::make_shared<identity::TokenIssuer>(
      key, identity_url_, std::make_shared<FixedClock>(system_clock()->now() - 7200), 3600);
  identity_service_ = std::make_shared<identity::IdentityService>(identities_, token_issuer_);
}

void VaultTestEnv::start_maas() {
  maa_ = std::make_unique<MaaIssuer>(tls_, cached_issuer_key("maa", dir_.path() / "maa"));
  untrusted_maa_ = std::make_unique<MaaIssuer>(
      tls_, cached_issuer_key("maa-untrusted", dir_.path() / "maa-untrusted"));
}

void VaultTestEnv::start_vault() {
  if (vault_server_) throw std::logic_error("vault test env: the vault is already running");
  VaultSetup setup;
  setup.state_dir = state_dir_;
  setup.name = "contoso-vault";
  if (!options_.pkcs11) {
    if (!options_.keys) options_.keys = std::make_shared<hsm::MemoryKeyStore>();
    setup.keys = options_.keys;
  }
  setup.attestation_issuers.client.ca_cert_path = ca_cert_;
  vault_ = must(open_vault(setup), "open_vault");

  IssuerKeysOptions identity_keys;
  identity_keys.client.ca_cert_path = ca_cert_;
  ServiceOptions so;
  so.identity_issuer = identity_url_;
  so.identity_keys = std::make_shared<IssuerKeys>(identity_keys);
  service_ = must(VaultService::create(vault_, so), "vault service");
  vault_server_ = std::make_unique<http::Server>(tls_server(tls_));
  service_->register_routes(*vault_server_);
  must_ok(vault_server_->start(), "vault server");
}

void VaultTestEnv::stop_vault() {
  if (vault_server_) vault_server_->stop();
  vault_server_.reset();
  service_.reset();
  vault_.reset();
}

std::string VaultTestEnv::vault_url() const {
  if (!vault_server_) throw std::logic_error("vault test env: the vault is not running");
  return vault_server_->base_url();
}

std::string VaultTestEnv::bearer(const identity::Identity& who) const {
  return must(token_issuer_->issue(who, kVaultResource), "bearer token").token;
}

std::string VaultTestEnv::bearer_for(const identity::Identity& who,
                                     const std::string& resource) const {
  return must(token_issuer_->issue(who, resource), "bearer token").token;
}

std::string VaultTestEnv::expired_bearer(const identity::Identity& who) const {
  return must(expired_issuer_->issue(who, kVaultResource), "expired bearer token").token;
}

const crypto::PrivateKey& VaultTestEnv::transfer_key() {
  static const crypto::PrivateKey* key =
      new crypto::PrivateKey(must(crypto::PrivateKey::generate_rsa(2048), "transfer key"));
  return *key;
}

json VaultTestEnv::attestation_claims(const std::string& issuer_url, const std::string& hostdata,
                                      bool debuggable, const std::string& attestation_type) {
  const UnixSeconds now = system_clock()->now();
  jose::Jwk jwk = must(jose::Jwk::from_public_key(transfer_key().public_key()), "transfer JWK");
  jwk.set_kid(kTransferKid);
  jwk.set_key_ops({"encrypt"});
  const std::string measurement(96, 'a');
  json tee = {{"x-ms-attestation-type", attestation_type},
              {"x-ms-compliance-status", "azure-compliant-uvm"},
              {"x-ms-sevsnpvm-hostdata", hostdata},
              {"x-ms-sevsnpvm-is-debuggable", debuggable},
              {"x-ms-sevsnpvm-launchmeasurement", measurement},
              {"x-ms-sevsnpvm-vmpl", 0},
              {"x-ms-sevsnpvm-guestsvn", 2},
              {"x-ms-sevsnpvm-migration-allowed", false},
              {"x-ms-sevsnpvm-smt-allowed", true}};
  json claims = {{"iss", issuer_url},
                 {"iat", now},
                 {"nbf", now},
                 {"exp", now + 28800},
                 {"jti", hex_encode(crypto::random_bytes(32))},
                 {"x-ms-ver", "1.0"},
                 {"x-ms-attestation-type", attestation_type},
                 {"x-ms-compliance-status", "azure-compliant-uvm"},
                 {"x-ms-isolation-tee", tee},
                 {"x-ms-policy-hash", "9NY0VnTQ-IiBriBplVUpFbczcDaEBUwsiFYAzHu_gco"},
                 {"x-ms-runtime", {{"keys", json::array({jwk.to_json()})}}}};
  // Top-level copies, as ACI tokens carry them.
  for (const char* k : {"x-ms-sevsnpvm-hostdata", "x-ms-sevsnpvm-is-debuggable",
                        "x-ms-sevsnpvm-launchmeasurement", "x-ms-sevsnpvm-vmpl",
                        "x-ms-sevsnpvm-guestsvn"}) {
    claims[k] = tee[k];
  }
  return claims;
}

std::string VaultTestEnv::attestation_token(const std::function<void(json&)>& edit) const {
  json claims = attestation_claims(maa_->url());
  if (edit) edit(claims);
  return maa_->sign(claims);
}

json VaultTestEnv::policy(const std::string& authority, const std::string& hostdata) {
  return json{
      {"version", "1.0.0"},
      {"anyOf",
       json::array({json{
           {"authority", authority},
           {"allOf",
            json::array({
                json{{"claim", "x-ms-isolation-tee.x-ms-attestation-type"}, {"equals", "sevsnpvm"}},
                json{{"claim", "x-ms-isolation-tee.x-ms-sevsnpvm-hostdata"}, {"equals", hostdata}},
                json{{"claim", "x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable"},
                     {"equals", "false"}},
            })}}})}};
}

std::string VaultTestEnv::policy_data(const std::string& hostdata) const {
  return b64url_json(policy(maa_->url(), hostdata));
}

json VaultTestEnv::create_body(std::size_t bits, bool exportable, bool immutable) const {
  json body = {{"kty", "RSA-HSM"},
               {"key_size", bits},
               {"key_ops", {"encrypt", "decrypt", "wrapKey", "unwrapKey"}},
               {"attributes", json::object()}};
  if (exportable) {
    body["attributes"]["exportable"] = true;
    body["release_policy"] = {{"contentType", "application/json; charset=utf-8"},
                              {"immutable", immutable},
                              {"data", policy_data()}};
  }
  return body;
}

json VaultTestEnv::create_key(const std::string& name, std::size_t bits, bool exportable,
                              bool immutable) {
  Reply r = post("/keys/" + name + "/create", create_body(bits, exportable, immutable));
  if (r.status != 200) throw std::runtime_error("create " + name + ": " + r.describe());
  return r.body;
}

std::string VaultTestEnv::url(const std::string& path, const std::string& api_version) const {
  return path + (path.find('?') == std::string::npos ? "?" : "&") + "api-version=" + api_version;
}

Reply VaultTestEnv::call(const std::string& method, const std::string& path_and_query,
                         const std::string& body, const std::string& bearer_token,
                         const std::string& content_type) const {
  http::Headers headers;
  if (!bearer_token.empty()) headers.emplace_back("Authorization", "Bearer " + bearer_token);
  return call_with_headers(method, path_and_query, body, std::move(headers), content_type);
}

Reply VaultTestEnv::call_with_headers(const std::string& method, const std::string& path_and_query,
                                      const std::string& body, http::Headers headers,
                                      const std::string& content_type) const {
  headers.emplace_back("Accept", "application/json");
  http::ClientResponse r =
      must(client_.request(method, vault_url() + path_and_query, body, content_type, headers),
           method + " " + path_and_query.substr(0, path_and_query.find('?')));
  Reply out;
  out.status = r.status;
  out.raw = r.body;
  out.headers = r.headers;
  out.body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}

Reply VaultTestEnv::get_as(const std::string& path, const std::string& bearer_token) const {
  return call("GET", url(path), "", bearer_token, "");
}

Reply VaultTestEnv::post_as(const std::string& path, const json& body,
                            const std::string& bearer_token) const {
  return call("POST", url(path), body.dump(), bearer_token);
}

Reply VaultTestEnv::patch(const std::string& path, const json& body) const {
  return call("PATCH", url(path), body.dump(), bearer(allowed_));
}

Reply VaultTestEnv::del(const std::string& path) const {
  return call("DELETE", url(path), "", bearer(allowed_), "");
}

Reply VaultTestEnv::release(const std::string& name, const std::string& token, const json& extra,
                            const std::string& version,
                            std::optional<std::string> bearer_token) const {
  json body = extra;
  body["target"] = token;
  const std::string path =
      "/keys/" + name + (version.empty() ? "" : "/" + version) + "/release";
  return call("POST", url(path), body.dump(),
              bearer_token ? *bearer_token : bearer(allowed_));
}

UnwrappedRelease VaultTestEnv::unwrap(const std::string& jws) {
  auto step = [](const auto& v, const std::string& what) {
    if (!v.ok()) throw std::runtime_error("unwrap: " + what + ": " + v.status().to_string());
  };
  auto parsed = jose::jws_parse(jws);
  step(parsed, "jws_parse");
  const json& header = parsed->header;
  if (!header.contains("x5c") || !header["x5c"].is_array() || header["x5c"].empty() ||
      !header["x5c"][0].is_string()) {
    throw std::runtime_error("unwrap: the header has no x5c");
  }
  auto der = crypto::base64_decode(header["x5c"][0].get<std::string>());
  step(der, "x5c[0] base64");
  auto cert = crypto::Certificate::from_der(*der);
  step(cert, "x5c[0] certificate");
  const jose::JwsAlg rs256[] = {jose::JwsAlg::kRs256};
  auto verified = jose::jws_verify(jws, cert->public_key(), rs256);
  step(verified, "signature with x5c[0]");
  json payload = json::parse(verified->payload.begin(), verified->payload.end(), nullptr, false);
  if (!payload.is_object()) throw std::runtime_error("unwrap: payload is not a JSON object");
  const json& key = payload.at("response").at("key").at("key");
  auto blob_bytes = crypto::base64url_decode(key.at("key_hsm").get<std::string>());
  step(blob_bytes, "key_hsm base64url");
  json blob = json::parse(blob_bytes->begin(), blob_bytes->end(), nullptr, false);
  if (!blob.is_object()) throw std::runtime_error("unwrap: key_hsm is not JSON");
  auto ciphertext = crypto::base64url_decode(blob.at("ciphertext").get<std::string>());
  step(ciphertext, "ciphertext base64url");
  auto alg = crypto::rsa_aes_wrap_from_name(blob.at("header").at("enc").get<std::string>());
  step(alg, "transfer blob enc");
  auto pkcs8 = crypto::rsa_aes_key_unwrap(transfer_key(), *alg, *ciphertext);
  step(pkcs8, "rsa_aes_key_unwrap");
  auto released = crypto::PrivateKey::from_pkcs8_der(*pkcs8);
  step(released, "PKCS#8");
  return UnwrappedRelease{header, std::move(payload), std::move(blob), *cert, *released};
}

std::vector<AuditRecord> VaultTestEnv::audit_records() const {
  auto log = must(AuditLog::open(state_dir_ / kVaultDbFile, nullptr, AuditLog::Mode::kReadOnly),
                  "audit log");
  return must(log->list(), "audit list");
}

}  // namespace mpcc::keyvault::test_env
