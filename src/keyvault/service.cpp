#include "keyvault/service.h"

#include <array>
#include <utility>

#include "http/errors.h"
#include "jose/jwt.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;

constexpr std::array<const char*, 9> kApiVersions = {
    "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6-preview.2", "7.6", "2025-07-01"};

// The 403 innererror code for a layer.
std::string inner_code(const std::string& layer) {
  if (layer == "access_policy") return "AccessDenied";
  if (layer == "attestation_token") return "InvalidAttestationToken";
  if (layer == "release_policy") return "ReleasePolicyNotSatisfied";
  if (layer == "key") return "KeyNotUsable";
  return "Forbidden";
}

http::Response refusal_response(const Refusal& r) {
  const Status& s = r.status;
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return http::error_response(s, "BadParameter");
    case StatusCode::kNotFound:
      return http::error_response(s, "KeyNotFound");
    case StatusCode::kAlreadyExists:
      return http::error_response(s, "Conflict");
    case StatusCode::kPermissionDenied: {
      json inner = {{"code", inner_code(r.layer)}, {"layer", r.layer}};
      if (r.evaluation) inner["evaluation"] = r.evaluation->to_json();
      return http::error_response(s, "Forbidden", std::move(inner));
    }
    default:
      return http::error_response(s);
  }
}

Outcome<json> bad_request(Status s) { return Refusal{std::move(s), {}, {}}; }

std::string path_param(const http::Request& r, std::size_t i) {
  return i < r.path_params.size() ? r.path_params[i] : std::string();
}

}  // namespace

bool is_supported_api_version(const std::string& v) {
  for (const char* known : kApiVersions) {
    if (v == known) return true;
  }
  return false;
}

StatusOr<std::unique_ptr<VaultService>> VaultService::create(std::shared_ptr<KeyVault> vault,
                                                             ServiceOptions options) {
  if (!vault) return invalid_argument("vault service: no vault");
  if (options.identity_issuer.empty() || !options.identity_keys) {
    return invalid_argument("vault service: the identity issuer and its keys are required");
  }
  if (!options.clock) options.clock = system_clock();
  return std::unique_ptr<VaultService>(new VaultService(std::move(vault), std::move(options)));
}

VaultService::VaultService(std::shared_ptr<KeyVault> vault, ServiceOptions options)
    : vault_(std::move(vault)), options_(std::move(options)) {}

std::string VaultService::challenge() const {
  return "Bearer authorization=\"https://login.microsoftonline.com/" + options_.tenant_id +
         "\", resource=\"" + options_.audience + "\"";
}

StatusOr<Caller> VaultService::authenticate(const http::Request& request) const {
  std::optional<std::string> header = request.header("Authorization");
  if (!header) return unauthenticated("AKV10000: Request is missing a Bearer or PoP token.");
  constexpr std::string_view kBearer = "Bearer ";
  if (header->size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), header->begin(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                              std::tolower(static_cast<unsigned char>(b)); })) {
    return unauthenticated("AKV10000: the Authorization header is not a Bearer token.");
  }
  const std::string token = header->substr(kBearer.size());
  jose::JwtVerifierOptions o;
  o.allowed_algs = {jose::JwsAlg::kRs256};
  o.issuers = {options_.identity_issuer};
  o.audience = options_.audience;
  o.clock = options_.clock;
  o.leeway_seconds = options_.leeway_seconds;
  jose::JwtVerifier verifier(options_.identity_keys->resolver(options_.identity_issuer), o);
  auto verified = verifier.verify(token);
  if (!verified.ok()) {
    if (verified.status().code() == StatusCode::kUnavailable) return verified.status();
    return unauthenticated("bearer token: " + verified.status().message());
  }
  Caller caller;
  const json& c = verified->claims;
  if (!c.contains("oid") || !c["oid"].is_string() || c["oid"].get_ref<const std::string&>().empty()) {
    return unauthenticated("bearer token: no oid claim (the identity's object id)");
  }
  caller.object_id = c["oid"].get<std::string>();
  if (c.contains("appid") && c["appid"].is_string()) caller.client_id = c["appid"].get<std::string>();
  caller.token_digest = token_digest(token);
  return caller;
}

http::Response VaultService::serve(const http::Request& request, const std::string& action,
                                   const Op& op) const {
  auto caller = authenticate(request);
  if (!caller.ok()) {
    if (caller.status().code() != StatusCode::kUnauthenticated) {
      return http::error_response(caller.status());
    }
    // A request without a token is the SDK's normal first step (A4), not an
    // event; a token that failed is.
    if (request.header("Authorization")) {
      std::string digest;
      const std::string h = *request.header("Authorization");
      if (h.size() > 7) digest = token_digest(h.substr(7));
      vault_->audit_unauthenticated(action, path_param(request, 0), digest,
                                    caller.status().message());
    }
    return http::error_response(caller.status(), "Unauthorized")
        .with_header("WWW-Authenticate", challenge());
  }
  std::optional<std::string> version = request.query_param("api-version");
  if (!version) {
    return http::error_response(invalid_argument("api-version: the query parameter is required"),
                                "BadParameter");
  }
  if (!is_supported_api_version(*version)) {
    return http::error_response(
        invalid_argument("The specified version (" + version->substr(0, 32) +
                         ") is not recognized. Consider using the latest supported version (7.4)."),
        "BadParameter");
  }
  Outcome<json> out = op(*caller, request.scheme_host, request);
  if (auto* r = std::get_if<Refusal>(&out)) return refusal_response(*r);
  return http::Response::json(200, std::get<json>(out));
}

void VaultService::register_routes(http::Server& server) {
  using http::Method;
  auto route = [&](Method m, std::string pattern, std::string action, Op op) {
    server.route(m, std::move(pattern),
                 [this, action = std::move(action), op = std::move(op)](const http::Request& r) {
                   return serve(r, action, op);
                 });
  };
  auto body_json = [](const http::Request& r) -> StatusOr<json> {
    if (r.body.empty()) return invalid_argument("the request body is empty: a JSON object is required");
    return r.json_body();
  };
  KeyVault* v = vault_.get();

  route(Method::kPost, R"(/keys/([^/]+)/create)", "create",
        [v, body_json](const Caller& c, const std::string& origin, const http::Request& r) {
          auto body = body_json(r);
          if (!body.ok()) return bad_request(body.status());
          auto req = parse_create_request(*body);
          if (!req.ok()) return bad_request(req.status());
          return v->create_key(c, origin, path_param(r, 0), *req);
        });
  route(Method::kGet, R"(/keys/?)", "list",
        [v](const Caller& c, const std::string& origin, const http::Request&) {
          return v->list_keys(c, origin);
        });
  route(Method::kGet, R"(/keys/([^/]+)/versions/?)", "list",
        [v](const Caller& c, const std::string& origin, const http::Request& r) {
          return v->list_versions(c, origin, path_param(r, 0));
        });
  route(Method::kGet, R"(/keys/([^/]+)/?)", "get",
        [v](const Caller& c, const std::string& origin, const http::Request& r) {
          return v->get_key(c, origin, path_param(r, 0), "");
        });
  route(Method::kGet, R"(/keys/([^/]+)/([^/]+))", "get",
        [v](const Caller& c, const std::string& origin, const http::Request& r) {
          return v->get_key(c, origin, path_param(r, 0), path_param(r, 1));
        });
  auto update = [v, body_json](const Caller& c, const std::string& origin,
                               const http::Request& r) {
    auto body = body_json(r);
    if (!body.ok()) return bad_request(body.status());
    auto req = parse_update_request(*body);
    if (!req.ok()) return bad_request(req.status());
    return v->update_key(c, origin, path_param(r, 0), path_param(r, 1), *req);
  };
  route(Method::kPatch, R"(/keys/([^/]+)/?)", "update", update);
  route(Method::kPatch, R"(/keys/([^/]+)/([^/]+))", "update", update);
  route(Method::kDelete, R"(/keys/([^/]+)/?)", "delete",
        [v](const Caller& c, const std::string& origin, const http::Request& r) {
          return v->delete_key(c, origin, path_param(r, 0));
        });
  auto release = [v, body_json](const Caller& c, const std::string& origin,
                                const http::Request& r) {
    auto body = body_json(r);
    if (!body.ok()) return bad_request(body.status());
    auto req = parse_release_request(*body);
    if (!req.ok()) return bad_request(req.status());
    return v->release(c, origin, path_param(r, 0), path_param(r, 1), *req,
                      r.query_param("api-version").value_or(""));
  };
  route(Method::kPost, R"(/keys/([^/]+)/release)", "release", release);
  route(Method::kPost, R"(/keys/([^/]+)/([^/]+)/release)", "release", release);
  server.route(Method::kGet, "/health", [](const http::Request&) {
    return http::Response::json(200, json{{"status", "ok"}});
  });
}

}  // namespace mpcc::keyvault
