#include "identity/identity_service.h"

#include <spdlog/spdlog.h>

namespace mpcc::identity {

using nlohmann::json;

namespace {

http::Response oauth_error(int status, const char* error, const std::string& description) {
  return http::Response::json(status, {{"error", error}, {"error_description", description}});
}

}  // namespace

IdentityService::IdentityService(std::shared_ptr<IdentityRegistry> registry,
                                 std::shared_ptr<TokenIssuer> issuer)
    : registry_(std::move(registry)), issuer_(std::move(issuer)) {}

void IdentityService::register_routes(http::Server& server) {
  server.route(http::Method::kGet, "/metadata/identity/oauth2/token",
               [this](const http::Request& r) { return token(r); });
  server.route(http::Method::kGet, "/.well-known/openid-configuration",
               [this](const http::Request& r) { return openid_configuration(r); });
  server.route(http::Method::kGet, "/keys", [this](const http::Request& r) { return keys(r); });
  server.route(http::Method::kGet, "/health",
               [](const http::Request&) { return http::Response::json(200, {{"status", "ok"}}); });
}

http::Response IdentityService::token(const http::Request& request) const {
  auto metadata = request.header("Metadata");
  if (!metadata || *metadata != "true") {
    return oauth_error(400, "invalid_request", "Required metadata header not specified");
  }
  auto api_version = request.query_param("api-version");
  if (!api_version) return oauth_error(400, "invalid_request", "Required query variable 'api-version' is missing");
  auto resource = request.query_param("resource");
  if (!resource || resource->empty()) {
    return oauth_error(400, "invalid_request", "Required query variable 'resource' is missing");
  }
  auto credential = request.header(kCredentialHeader);
  if (!credential || credential->empty()) {
    return oauth_error(401, "invalid_client",
                       std::string("the identity credential header ") + kCredentialHeader + " is missing");
  }
  auto identity = registry_->authenticate(request.query_param("client_id"), *credential);
  if (!identity.ok()) {
    spdlog::warn("identity: token refused for client_id={} from {}",
                 request.query_param("client_id").value_or("(none)"), request.remote_addr);
    return oauth_error(401, "invalid_client", identity.status().message());
  }
  auto token = issuer_->issue(*identity, *resource);
  if (!token.ok()) return oauth_error(400, "invalid_resource", token.status().message());
  spdlog::info("identity: issued a token for {} to resource {}", identity->name, token->resource);
  const int64_t expires_in = token->expires_on - token->not_before;
  return http::Response::json(200, {{"access_token", token->token},
                                    {"client_id", identity->client_id},
                                    {"expires_in", std::to_string(expires_in)},
                                    {"expires_on", std::to_string(token->expires_on)},
                                    {"ext_expires_in", std::to_string(expires_in)},
                                    {"not_before", std::to_string(token->not_before)},
                                    {"resource", token->resource},
                                    {"token_type", "Bearer"}});
}

http::Response IdentityService::openid_configuration(const http::Request&) const {
  return http::Response::json(200, issuer_->openid_configuration());
}

http::Response IdentityService::keys(const http::Request&) const {
  return http::Response::json(200, issuer_->jwks());
}

}  // namespace mpcc::identity
