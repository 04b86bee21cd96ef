#include "attestation/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "http/errors.h"

namespace mpcc::attestation {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kSigningKeyName = "token-signing";
constexpr const char* kSigningKeySubject = "mpcc attestation token signing";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Status check_api_version(const http::Request& request) {
  const std::string supported =
      std::string("(supported: ") + kApiVersion2020 + ", " + kApiVersion2022 + ")";
  std::optional<std::string> v = request.query_param("api-version");
  if (!v) return invalid_argument("api-version: the query parameter is required " + supported);
  if (*v != kApiVersion2020 && *v != kApiVersion2022) {
    return invalid_argument("api-version: '" + *v + "' is not supported " + supported);
  }
  return ok_status();
}

Status check_tee_type(const http::Request& request) {
  const std::string type = request.path_params.empty() ? std::string() : request.path_params[0];
  if (lower(type) != "sevsnpvm") {
    return invalid_argument("attestation type '" + type + "' is not supported (only SevSnpVm)");
  }
  return ok_status();
}

http::Response no_issuer() {
  return http::error_response(unavailable("the attestation service has no issuer yet"));
}

}  // namespace

http::Response attest_error_response(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return http::error_response(status, "InvalidParameter");
    case StatusCode::kPermissionDenied:
      return http::error_response(status, "AttestationFailure");
    default:
      return http::error_response(status);
  }
}

StatusOr<std::unique_ptr<AttestationService>> AttestationService::create(ServiceConfig config) {
  if (config.state_dir.empty()) return invalid_argument("attestation: a state directory is required");
  if (!config.server.tls && !config.allow_insecure_http) {
    return invalid_argument(
        "attestation: a TLS certificate and key are required (plain HTTP only when explicitly "
        "allowed, --insecure-http)");
  }
  if (config.token_lifetime_seconds <= 0) {
    return invalid_argument("attestation: the token lifetime must be a positive number of seconds");
  }
  if (!config.clock) config.clock = system_clock();
  std::error_code ec;
  if (fs::create_directories(config.state_dir, ec)) {
    fs::permissions(config.state_dir, fs::perms::owner_all, ec);  // it holds a private key
  }
  if (ec) return unavailable("attestation: cannot create " + config.state_dir.string() + ": " + ec.message());
  MPCC_ASSIGN_OR_RETURN(jose::IssuerKey key,
                        jose::load_or_create_issuer_key(config.state_dir, kSigningKeyName,
                                                        kSigningKeySubject));
  if (key.key.type() != crypto::KeyType::kRsa) {
    return data_loss("attestation: " + (config.state_dir / kSigningKeyName).string() +
                     ".key is not an RSA key (tokens are RS256)");
  }
  auto shared_key = std::make_shared<const jose::IssuerKey>(std::move(key));
  std::unique_ptr<AttestationService> service(
      new AttestationService(std::move(config), std::move(shared_key)));
  if (!service->config_.issuer.empty()) {
    service->engine_ = service->build_engine(service->config_.issuer);
  }
  return service;
}

AttestationService::AttestationService(ServiceConfig config, std::shared_ptr<const jose::IssuerKey> key)
    : config_(std::move(config)), key_(std::move(key)) {}

AttestationService::~AttestationService() { stop(); }

std::shared_ptr<const AttestationEngine> AttestationService::build_engine(
    const std::string& issuer) const {
  EngineConfig ec;
  ec.issuer = issuer;
  ec.trust = config_.trust;
  ec.clock = config_.clock;
  ec.token_lifetime_seconds = config_.token_lifetime_seconds;
  ec.compliance_status = config_.compliance_status;
  ec.allow_debug = config_.allow_debug;
  auto engine = std::make_shared<const AttestationEngine>(std::move(ec), key_);
  spdlog::info("attestation: issuer {}, signing key kid {}, x-ms-policy-hash {} over {}",
               engine->issuer(), key_->kid, policy_hash(engine->policy_text()),
               engine->policy_text());
  return engine;
}

std::shared_ptr<const AttestationEngine> AttestationService::engine_for_request() const {
  std::lock_guard lock(mu_);
  if (!engine_ && serving_ != nullptr) engine_ = build_engine(serving_->base_url());
  return engine_;
}

void AttestationService::register_routes(http::Server& server) {
  if (serving_ != nullptr) throw std::logic_error("attestation: routes registered twice");
  serving_ = &server;
  if (!config_.server.tls) {
    spdlog::warn("attestation: serving over PLAIN HTTP (INSECURE): tokens and evidence travel "
                 "unencrypted and clients cannot authenticate this service");
  }
  if (config_.allow_debug) {
    spdlog::warn("attestation: reports whose guest POLICY allows debugging are ACCEPTED");
  }
  server.route(http::Method::kPost, R"(/attest/([A-Za-z]+))",
               [this](const http::Request& r) { return handle_attest(r); });
  server.route(http::Method::kGet, R"(/\.well-known/openid-configuration)",
               [this](const http::Request& r) { return handle_openid_configuration(r); });
  server.route(http::Method::kGet, R"(/certs)",
               [this](const http::Request& r) { return handle_certs(r); });
  server.route(http::Method::kGet, R"(/health)",
               [this](const http::Request& r) { return handle_health(r); });
}

Status AttestationService::start() {
  if (owned_server_ || serving_ != nullptr) return failed_precondition("attestation: already started");
  auto server = std::make_unique<http::Server>(config_.server);
  register_routes(*server);
  Status started = server->start();
  if (!started.ok()) {
    serving_ = nullptr;
    return started;
  }
  owned_server_ = std::move(server);
  (void)engine_for_request();  // fixes the default issuer now that the port is known
  return ok_status();
}

void AttestationService::stop() {
  if (owned_server_) owned_server_->stop();
}

std::string AttestationService::base_url() const {
  return serving_ != nullptr ? serving_->base_url() : std::string();
}

std::string AttestationService::issuer() const {
  auto e = engine();
  return e ? e->issuer() : std::string();
}

std::shared_ptr<const AttestationEngine> AttestationService::engine() const {
  std::lock_guard lock(mu_);
  return engine_;
}

http::Response AttestationService::handle_attest(const http::Request& request) const {
  auto e = engine_for_request();
  if (!e) return no_issuer();
  Status checked = check_tee_type(request);
  if (checked.ok()) checked = check_api_version(request);
  if (!checked.ok()) {
    spdlog::info("attestation: refused request from {}: {}", request.remote_addr, checked.message());
    return attest_error_response(checked);
  }
  StatusOr<IssuedToken> issued = e->attest_body(request.body);
  if (!issued.ok()) {
    spdlog::info("attestation: refused request from {} ({}): {}", request.remote_addr,
                 status_code_name(issued.status().code()), issued.status().message());
    return attest_error_response(issued.status());
  }
  spdlog::info("attestation: token {} issued to {} (hostdata {}, simulated evidence: {})",
               issued->claims.value("jti", ""), request.remote_addr,
               issued->claims.value("x-ms-sevsnpvm-hostdata", ""), issued->simulated);
  return http::Response::json(200, json{{"token", issued->token}});
}

http::Response AttestationService::handle_openid_configuration(const http::Request&) const {
  auto e = engine_for_request();
  if (!e) return no_issuer();
  return http::Response::json(200, e->openid_configuration());
}

http::Response AttestationService::handle_certs(const http::Request&) const {
  auto e = engine_for_request();
  if (!e) return no_issuer();
  return http::Response::json(200, e->jwks());
}

http::Response AttestationService::handle_health(const http::Request&) const {
  return http::Response::json(200, json{{"status", "ok"}});
}

}  // namespace mpcc::attestation
