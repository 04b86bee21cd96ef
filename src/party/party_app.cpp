// File: party/party_app.cpp
//
// PartyApp wiring: construction, the route table, authentication, and the
// key-release step every key route shares.
#include "party/party_app.h"

#include <algorithm>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "party/sidecar_failure.h"
#include "web/page_routes.h"
#include "skr/step_timings.h"

namespace mpcc::party {

using nlohmann::json;

http::Response error_response(int status, const std::string& message, const json& extras) {
  json body = {{"status", "error"}, {"message", message}};
  if (extras.is_object()) {
    for (auto it = extras.begin(); it != extras.end(); ++it) body[it.key()] = it.value();
  }
  return http::Response::json(status, body);
}

void with_retry_after(http::Response& r) {
  for (const auto& header : r.headers) {
    if (header.first == "Retry-After") return;
  }
  int after = 1;
  const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    auto it = body.find("retry_after_s");
    if (it != body.end() && it->is_number_integer()) after = std::max(1, it->get<int>());
  }
  r.with_header("Retry-After", std::to_string(after));
}

int http_status_for(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 412;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

StatusOr<std::unique_ptr<PartyApp>> PartyApp::create(PartyAppDeps deps) {
  if (deps.blobs == nullptr) return invalid_argument("party app: no blob store");
  if (!deps.config.partner_readers.empty() && deps.partner_verifier == nullptr) {
    return invalid_argument("party app: partner readers are configured but no token verifier");
  }
  auto app = std::unique_ptr<PartyApp>(new PartyApp(std::move(deps)));
  MPCC_RETURN_IF_ERROR(app->store_.prepare());
  return app;
}

PartyApp::PartyApp(PartyAppDeps deps)
    : config_(std::move(deps.config)),
      auth_(std::move(deps.secrets.operator_token), config_.partner_readers,
            std::move(deps.partner_verifier)),
      sidecar_(std::make_shared<skr::SidecarClient>(config_.sidecar_url, deps.secrets.group_token)),
      store_(std::move(deps.blobs), config_.container),
      client_options_(std::move(deps.client)),
      assets_(std::move(deps.assets)) {
  if (config_.identity) {
    identity::TokenClientConfig id;
    id.endpoint = config_.identity->endpoint;
    id.credential = deps.secrets.identity_credential.value_or("");
    id.client_id = config_.identity->client_id;
    tokens_ = std::make_shared<identity::TokenClient>(std::move(id), client_options_);
    if (config_.admin_identity && deps.secrets.admin_credential) {
      identity::TokenClientConfig admin;
      admin.endpoint = config_.identity->endpoint;
      admin.credential = *deps.secrets.admin_credential;
      admin.client_id = config_.admin_identity->client_id;
      admin_ = std::make_shared<identity::TokenClient>(std::move(admin), client_options_);
    }
  }
}

http::Handler PartyApp::guarded(Handler h, bool allow_partners) {
  return [this, h, allow_partners](const http::Request& request) {
    auto caller = allow_partners ? auth_.require_operator_or_partner(request)
                                 : auth_.require_operator(request);
    if (!caller.ok()) {
      spdlog::warn("party {}: refused {} {}: {}", config_.party, request.path,
                   request.remote_addr, caller.status().message());
      auto r = error_response(http_status_for(caller.status()), caller.status().message());
      if (caller.status().code() == StatusCode::kUnauthenticated) {
        r.with_header("WWW-Authenticate", "Bearer realm=\"mpcc-party\"");
      }
      return r;
    }
    http::Response r = (this->*h)(request);
    if (r.status == 503) with_retry_after(r);
    return r;
  };
}

void PartyApp::register_routes(http::Server& server) {
  using M = http::Method;
  web::PagePolicy page;
  page.frame_ancestors = config_.frame_ancestors;
  web::register_page_routes(server, assets_, "party", page);
  server.route(M::kGet, "/health", [this](const http::Request& r) { return health(r); });

  server.route(M::kPost, "/attest/maa", guarded(&PartyApp::attest_maa));
  server.route(M::kPost, "/attest/raw", guarded(&PartyApp::attest_raw));
  server.route(M::kGet, "/sidecar/status", guarded(&PartyApp::sidecar_status));
  server.route(M::kGet, "/info", guarded(&PartyApp::info));
  server.route(M::kGet, "/container/info", guarded(&PartyApp::container_info));

  server.route(M::kGet, "/skr/config", guarded(&PartyApp::skr_config));
  server.route(M::kPost, "/skr/release", guarded(&PartyApp::skr_release));
  server.route(M::kGet, "/skr/key-status", guarded(&PartyApp::skr_key_status));
  server.route(M::kPost, "/skr/release-partner", guarded(&PartyApp::skr_release_partner));
  server.route(M::kPost, "/skr/release-other", guarded(&PartyApp::skr_release_other));
  server.route(M::kPost, "/encrypt", guarded(&PartyApp::encrypt));
  server.route(M::kPost, "/decrypt", guarded(&PartyApp::decrypt));

  server.route(M::kGet, "/company/info", guarded(&PartyApp::company_info));
  server.route(M::kPost, "/company/save", guarded(&PartyApp::company_save));
  server.route(M::kPost, "/company/populate", guarded(&PartyApp::company_populate));
  server.route(M::kGet, "/company/list", guarded(&PartyApp::company_list, /*allow_partners=*/true));
  server.route(M::kGet, "/company/encrypted-status", guarded(&PartyApp::company_encrypted_status));

  server.route(M::kGet, "/storage/config", guarded(&PartyApp::storage_config));
  server.route(M::kGet, "/storage/list", guarded(&PartyApp::storage_list));
  server.route(M::kGet, "/storage/download/(.+)", guarded(&PartyApp::storage_download));

  server.route(M::kGet, "/partner/analyze-stream", guarded(&PartyApp::partner_analyze_stream));
  server.route(M::kPost, "/partner/analyze", guarded(&PartyApp::partner_analyze));
  server.route(M::kPost, "/analytics/partner-demographics", guarded(&PartyApp::partner_demographics));

  server.route(M::kGet, "/policy/release", guarded(&PartyApp::policy_release));
  server.route(M::kPost, "/policy/what-if", guarded(&PartyApp::policy_what_if));
  server.route(M::kGet, "/grants", guarded(&PartyApp::grants));
  server.route(M::kPost, "/grants/([a-z0-9-]+)/revoke", guarded(&PartyApp::grant_revoke));
  server.route(M::kPost, "/grants/([a-z0-9-]+)/restore", guarded(&PartyApp::grant_restore));
}

void PartyApp::remember_token(const std::string& token) {
  std::lock_guard<std::mutex> lock(token_mu_);
  last_token_ = token;
}

std::string PartyApp::last_token() const {
  std::lock_guard<std::mutex> lock(token_mu_);
  return last_token_;
}

std::optional<http::Response> PartyApp::refuse_overrides(const json& body,
                                                         const KeyLocation& key) const {
  if (!body.is_object()) return std::nullopt;
  auto differs = [&](const char* name, const std::string& configured) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return false;
    if (!it->is_string()) return true;
    std::string v = it->get<std::string>();
    for (const char* scheme : {"https://", "http://"}) {
      if (v.rfind(scheme, 0) == 0) v = v.substr(std::string_view(scheme).size());
    }
    return v != configured;
  };
  for (auto [name, configured] : {std::pair{"maa_endpoint", config_.maa_endpoint},
                                  std::pair{"akv_endpoint", key.vault},
                                  std::pair{"kid", key.name}}) {
    if (differs(name, configured)) {
      return error_response(
          400,
          fmt::format("{} cannot be chosen by a request: this app uses only its configured "
                      "attestation service, vault and key (configured: {})",
                      name, configured),
          {{"field", name}});
    }
  }
  return std::nullopt;
}

json PartyApp::no_tee_diagnosis() const {
  return {{"likely_cause", config_.confidential
                               ? "The SEV-SNP guest device is missing or the sidecar cannot reach it"
                               : "Container is deployed with the Standard SKU (no AMD SEV-SNP TEE)"},
          {"solution", "Run the party as a confidential container (SKU confidential) with its "
                       "security context and SEV-SNP device"},
          {"sku", config_.sku()}};
}

PartyApp::ReleaseOutcome PartyApp::release_key(const std::string& owner, const KeyLocation& key) {
  ReleaseOutcome out;
  auto reply = sidecar_->release(config_.maa_endpoint, key.vault, key.name);
  if (!reply.ok()) {
    out.status = reply.status().code() == StatusCode::kDeadlineExceeded ? 504 : 503;
    out.failure = {{"message", out.status == 504
                                   ? "Secure Key Release request timed out"
                                   : "SKR sidecar not available: " + reply.status().message()}};
    if (out.status == 503) out.failure["retry_after_s"] = 1;
    return out;
  }
  out.timings = skr::parse_server_timing(reply->server_timing);
  if (reply->status != 200) {
    SidecarFailure f = describe_sidecar_failure(*reply, "key release");
    out.status = reply->status;
    out.failure = f.to_json();
    out.failure["timings_ms"] = out.timings;
    if (f.no_tee) out.failure["diagnosis"] = no_tee_diagnosis();
    return out;
  }
  auto jwk = skr::parse_released_key(reply->body);
  if (!jwk.ok()) {
    out.status = 502;
    out.failure = {{"message", "the sidecar's answer holds no usable key: " + jwk.status().message()}};
    return out;
  }
  auto released = make_released_key(*jwk, owner, key.name, key.vault);
  if (!released.ok()) {
    out.status = 502;
    out.failure = {{"message", released.status().message()}};
    return out;
  }
  out.key = *released;
  spdlog::info("party {}: released {}'s key {} (version {})", config_.party, owner, key.name,
               out.key->version);
  return out;
}

StatusOr<std::shared_ptr<const ReleasedKey>> PartyApp::own_key_with_data_key() {
  auto key = keys_.own();
  if (key == nullptr) {
    return failed_precondition("No key released. Complete Secure Key Release first.");
  }
  if (key->data_key == nullptr) return internal_error("the released key has no data key");
  return key;
}

}  // namespace mpcc::party
