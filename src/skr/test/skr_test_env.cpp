#include "skr/test/skr_test_env.h"

#include <fstream>
#include <stdexcept>

#include "common/file_io.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "identity/token_issuer.h"
#include "jose/issuer_key.h"
#include "keyvault/vault_setup.h"
#include "platform/sim/thim.h"
#include "platform/test/test_support.h"
#include "verifier/trust_store.h"

namespace mpcc::skr::test_env {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void die(const std::string& what, const Status& s) {
  throw std::runtime_error("skr test env: " + what + ": " + s.to_string());
}
template <typename T>
T must(StatusOr<T> v, const std::string& what) {
  if (!v.ok()) die(what, v.status());
  return std::move(v).value();
}
void must_ok(const Status& s, const std::string& what) {
  if (!s.ok()) die(what, s);
}

void write_text(const fs::path& p, const std::string& text) {
  must_ok(write_file_atomic(p, as_span(text)), "write " + p.string());
}

std::string authority_of(const std::string& base_url) {
  const http::Url url = must(http::Url::parse(base_url), "url " + base_url);
  return url.host + ":" + std::to_string(url.port);
}

http::ServerOptions tls_server(const http::TlsFiles& tls) {
  http::ServerOptions o;
  o.tls = tls;
  return o;
}

}  // namespace

RunningSidecar::~RunningSidecar() {
  if (server) server->stop();
}

SkrTestEnv::SkrTestEnv() {
  ca_ = must(http::ensure_local_ca(dir_.path() / "ca"), "local CA");
  tls_ = must(http::ensure_server_certificate(ca_, dir_.path() / "ca", "loopback", {"localhost"},
                                              {"127.0.0.1"}),
              "server certificate");
  ca_cert_ = ca_.ca_cert.string();
  client_options_.ca_cert_path = ca_cert_;
  start_psp();
  write_security_context();
  start_attestation();
  start_identity();
  start_vault();
  start_tripwire();
  create_key(kContosoKey, host_data_hex());
  create_key(kOtherHostKey, kOtherHostData);
}

SkrTestEnv::~SkrTestEnv() {
  if (tripwire_) tripwire_->stop();
  if (vault_server_) vault_server_->stop();
  if (identity_server_) identity_server_->stop();
  if (attestation_) attestation_->stop();
  if (psp_) {
    psp_->stop();
    if (psp_thread_.joinable()) psp_thread_.join();
  }
}

const platform::sim::SimulatedChip& SkrTestEnv::chip() const {
  return *platform::testing::shared_test_chip();
}

void SkrTestEnv::start_psp() {
  const fs::path psp_dir = dir_.path() / "psp";
  fs::create_directory(psp_dir);
  fs::permissions(psp_dir, fs::perms::owner_all);
  psp_ = must(platform::sim::PspDaemon::open(psp_dir, platform::testing::shared_test_chip()),
              "psp daemon");
  psp_thread_ = std::thread([this] { (void)psp_->run(); });
  policy_text_ =
      "package policy\n\napi_version := \"0.10.0\"\n\n# contoso: mpcc serve party, mpcc serve "
      "skr\n";
  platform::sim::LaunchRequest launch;
  launch.guest = "contoso";
  launch.params.measurement.fill(0x5c);
  launch.params.host_data = platform::sim::host_data_for_policy(as_span(policy_text_));
  channel_ = must(psp_->launch(launch), "launch guest");
}

void SkrTestEnv::write_security_context() {
  context_dir_ = dir_.path() / "security-context";
  fs::create_directories(context_dir_);
  write_text(context_dir_ / kSecurityPolicyFile, crypto::base64_encode(as_span(policy_text_)));
  write_text(context_dir_ / kHostAmdCertFile,
             crypto::base64_encode(as_span(platform::sim::thim_certification(chip()).dump())));
  write_text(context_dir_ / kReferenceInfoFile,
             crypto::base64_encode(as_span(std::string("COSE_Sign1 UVM endorsement (test)"))));
}

std::string SkrTestEnv::host_data_hex() const { return hex_encode(crypto::sha256(policy_text_)); }

void SkrTestEnv::start_attestation() {
  auto trust = std::make_shared<verifier::TrustStore>();
  must_ok(trust->add_configured_anchor(chip().ark(), "skr test simulated root"), "trust");
  attestation::ServiceConfig config;
  config.state_dir = dir_.path() / "attestation";
  config.server = tls_server(tls_);
  config.trust = trust;
  attestation_ = must(attestation::AttestationService::create(config), "attestation service");
  must_ok(attestation_->start(), "attestation start");
}

void SkrTestEnv::start_identity() {
  const fs::path dir = dir_.path() / "identity";
  identities_ = must(identity::IdentityRegistry::open(dir), "identity registry");
  auto contoso = must(identities_->provision("contoso"), "provision contoso");
  auto fabrikam = must(identities_->provision("fabrikam"), "provision fabrikam");
  contoso_ = contoso.identity;
  contoso_credential_ = contoso.credential;
  fabrikam_ = fabrikam.identity;
  fabrikam_credential_ = fabrikam.credential;

  // The issuer URL is known once the server listens: the routes forward to
  // the service made right after start().
  identity_server_ = std::make_unique<http::Server>(tls_server(tls_));
  identity_server_->route(
      http::Method::kGet, R"(/\.well-known/openid-configuration)",
      [this](const http::Request& r) { return identity_service_->openid_configuration(r); });
  identity_server_->route(http::Method::kGet, "/keys",
                          [this](const http::Request& r) { return identity_service_->keys(r); });
  identity_server_->route(http::Method::kGet, "/metadata/identity/oauth2/token",
                          [this](const http::Request& r) { return identity_service_->token(r); });
  must_ok(identity_server_->start(), "identity server");
  identity_url_ = identity_server_->base_url();
  auto issuer = std::make_shared<identity::TokenIssuer>(
      must(jose::load_or_create_issuer_key(dir, "token-signing", "skr test identity"),
           "identity key"),
      identity_url_, system_clock());
  identity_service_ = std::make_shared<identity::IdentityService>(identities_, issuer);
}

void SkrTestEnv::start_vault() {
  keyvault::IssuerKeysOptions issuers;
  issuers.client = client_options_;
  keyvault::VaultSetup setup;
  setup.state_dir = dir_.path() / "vault";
  setup.name = "contoso-vault";
  setup.attestation_issuers = issuers;
  vault_ = must(keyvault::open_vault(setup), "open vault");
  keyvault::AccessPolicy access;
  access.object_id = contoso_.object_id;
  access.display_name = "contoso";
  access.key_permissions = must(keyvault::parse_key_permissions({"all"}), "permissions");
  must_ok(vault_->options().registry->set_access_policy(access), "access policy");
  keyvault::ServiceOptions options;
  options.identity_issuer = identity_url_;
  options.identity_keys = std::make_shared<keyvault::IssuerKeys>(issuers);
  vault_service_ = must(keyvault::VaultService::create(vault_, options), "vault service");
  vault_server_ = std::make_unique<http::Server>(tls_server(tls_));
  vault_service_->register_routes(*vault_server_);
  must_ok(vault_server_->start(), "vault server");
}

void SkrTestEnv::start_tripwire() {
  tripwire_ = std::make_unique<http::Server>(tls_server(tls_));
  auto count = [this](const http::Request&) {
    ++tripwire_hits_;
    return http::Response::json(404, {{"error", {{"code", "NotFound"}, {"message", "tripwire"}}}});
  };
  tripwire_->route(http::Method::kPost, "/.*", count);
  tripwire_->route(http::Method::kGet, "/.*", count);
  must_ok(tripwire_->start(), "tripwire");
}

std::string SkrTestEnv::maa_endpoint() const { return authority_of(attestation_->base_url()); }
std::string SkrTestEnv::akv_endpoint() const { return authority_of(vault_server_->base_url()); }
std::string SkrTestEnv::tripwire_endpoint() const { return authority_of(tripwire_->base_url()); }

std::string SkrTestEnv::contoso_bearer() const {
  http::Client client(client_options_);
  auto r = must(
      client.get(identity_url_ + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
                                 "https%3A%2F%2Fvault.azure.net",
                 {{"Metadata", "true"}, {identity::kCredentialHeader, contoso_credential_}}),
      "identity token");
  if (r.status != 200) throw std::runtime_error("identity token: " + r.body);
  return must(r.json(), "identity json")["access_token"].get<std::string>();
}

json SkrTestEnv::create_key(const std::string& name, const std::string& host_data) const {
  const json policy = {{"version", "1.0.0"},
                       {"anyOf",
                        {{{"authority", attestation_->base_url()},
                          {"allOf",
                           {{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}},
                            {{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", host_data}},
                            {{"claim", "x-ms-sevsnpvm-is-debuggable"}, {"equals", "false"}}}}}}}};
  const json body = {{"kty", "RSA-HSM"},
                     {"key_size", 2048},
                     {"key_ops", {"encrypt", "decrypt", "wrapKey", "unwrapKey"}},
                     {"attributes", {{"exportable", true}}},
                     {"release_policy", {{"data", crypto::base64url_encode(policy.dump())}}}};
  http::Client client(client_options_);
  auto r =
      must(client.post_json(vault_server_->base_url() + "/keys/" + name + "/create?api-version=7.4",
                            body, {{"Authorization", "Bearer " + contoso_bearer()}}),
           "create key");
  if (r.status != 200) throw std::runtime_error("create key " + name + ": " + r.body);
  return must(r.json(), "create key json");
}

json SkrTestEnv::get_key(const std::string& name) const {
  http::Client client(client_options_);
  auto r = must(client.get(vault_server_->base_url() + "/keys/" + name + "?api-version=7.4",
                           {{"Authorization", "Bearer " + contoso_bearer()}}),
                "get key");
  if (r.status != 200) throw std::runtime_error("get key " + name + ": " + r.body);
  return must(r.json(), "get key json");
}

SidecarConfig SkrTestEnv::sidecar_config() const {
  SidecarConfig c;
  c.attester.platform = platform::PlatformChoice::kSim;
  c.attester.sim_channel = channel_;
  c.attester.read_environment = false;
  c.context =
      must(SecurityContext::load(context_dir_,
                                 [](const std::string&) { return std::optional<std::string>(); }),
           "security context");
  c.client = client_options_;
  c.identity_endpoint = identity_url_;
  c.identity_credential = to_secure(as_span(contoso_credential_));
  c.group_token = kGroupToken;
  c.allowed_endpoints = {maa_endpoint(), akv_endpoint(), tripwire_endpoint()};
  return c;
}

SidecarConfig SkrTestEnv::standard_config() const {
  SidecarConfig c;
  c.attester.platform = platform::PlatformChoice::kAuto;
  c.attester.sev_guest_device = dir_.path() / "no-sev-guest";
  c.attester.read_environment = false;
  c.client = client_options_;
  c.identity_endpoint = identity_url_;
  c.identity_credential = to_secure(as_span(contoso_credential_));
  return c;
}

std::unique_ptr<RunningSidecar> SkrTestEnv::start_sidecar(SidecarConfig config) const {
  auto running = std::make_unique<RunningSidecar>();
  running->sidecar = must(Sidecar::create(std::move(config)), "sidecar");
  running->server =
      std::make_unique<http::Server>(must(sidecar_server_options("127.0.0.1", 0), "options"));
  running->sidecar->register_routes(*running->server);
  must_ok(running->server->start(), "sidecar server");
  running->url = running->server->base_url();
  return running;
}

}  // namespace mpcc::skr::test_env
