// File: keyvault/service.h
//
// VaultService: one key vault over HTTPS, Azure Key Vault's REST subset
// (spec 9, SDK interop A), at its own origin. Routes (query api-version
// required: 7.0-7.6, 7.6-preview.2 or 2025-07-01):
//   POST   /keys/{name}/create                 create a version (200 KeyBundle)
//   GET    /keys                               list keys (latest versions)
//   GET    /keys/{name}/versions               list versions
//   GET    /keys/{name}[/]                     latest version (200 KeyBundle)
//   GET    /keys/{name}/{version}
//   PATCH  /keys/{name}[/] , /keys/{name}/{version}   update (incl. release policy)
//   DELETE /keys/{name}                        delete every version (200, no recoveryId)
//   POST   /keys/{name}[/{version}]/release    secure key release (200 {"value": JWS})
//   GET    /health                             {"status":"ok"} (no authentication)
//
// Authentication (A4): every /keys request needs "Authorization: Bearer
// <JWT>" from the configured identity issuer (RS256, keys by OpenID
// discovery, aud https://vault.azure.net, exp/nbf, an oid claim). Without
// it, or with a token that fails, the answer is 401 with
//   WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"
// and an error body, before the request body is looked at.
//
// Errors are {"error":{"code","message","innererror"?}}: 400 BadParameter,
// 401 Unauthorized, 403 Forbidden, 404 KeyNotFound, 503 ServiceUnavailable.
// A 403's innererror says which layer refused:
//   {"code": "AccessDenied" | "InvalidAttestationToken" |
//            "ReleasePolicyNotSatisfied" | "KeyNotUsable",
//    "layer": "access_policy" | "attestation_token" | "release_policy" | "key",
//    "evaluation": {...Evaluation::to_json()...}   (release_policy only)}
//
// Thread-safety: handlers run concurrently; KeyVault is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "http/server.h"
#include "keyvault/issuer_keys.h"
#include "keyvault/vault.h"

namespace mpcc::keyvault {

inline constexpr const char* kVaultResource = "https://vault.azure.net";
inline constexpr const char* kDefaultTenantId = "00000000-0000-0000-0000-000000000000";

struct ServiceOptions {
  std::string identity_issuer;  // required: bearer tokens' iss
  std::shared_ptr<IssuerKeys> identity_keys;  // required: where the issuer's keys come from
  std::string tenant_id = kDefaultTenantId;
  std::string audience = kVaultResource;
  std::shared_ptr<const Clock> clock;  // null: system clock
  int64_t leeway_seconds = 60;
};

class VaultService {
 public:
  // kInvalidArgument when options are incomplete.
  static StatusOr<std::unique_ptr<VaultService>> create(std::shared_ptr<KeyVault> vault,
                                                        ServiceOptions options);

  void register_routes(http::Server& server);

  // The WWW-Authenticate challenge value.
  std::string challenge() const;
  // Verifies the Authorization header: the caller, or kUnauthenticated.
  StatusOr<Caller> authenticate(const http::Request& request) const;

 private:
  VaultService(std::shared_ptr<KeyVault> vault, ServiceOptions options);
  using Op = std::function<Outcome<nlohmann::json>(const Caller&, const std::string& origin,
                                                   const http::Request&)>;
  // Authentication, api-version, then `op`; maps the outcome to HTTP.
  http::Response serve(const http::Request& request, const std::string& action, const Op& op) const;

  std::shared_ptr<KeyVault> vault_;
  ServiceOptions options_;
};

// Supported api-version values.
bool is_supported_api_version(const std::string& v);

}  // namespace mpcc::keyvault
