// File: identity/identity_service.h
//
// The managed-identity token endpoint in Azure IMDS's shape, plus the issuer's
// OpenID metadata and keys:
//   GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=URL[&client_id=ID]
//       headers: Metadata: true, X-IDENTITY-HEADER: <the identity's credential>
//     200 {"access_token","client_id","expires_in","expires_on","ext_expires_in",
//          "not_before","resource","token_type":"Bearer"}   (numbers as strings, like IMDS)
//     400 {"error":"invalid_request","error_description":...}  missing Metadata header,
//         api-version or resource; bad resource
//     401 {"error":"invalid_client",...}  no credential, or it does not prove the identity
//   GET /.well-known/openid-configuration, GET /keys (JWKS), GET /health
//
// Thread-safety: handlers may run concurrently.
#pragma once

#include <memory>

#include "http/server.h"
#include "identity/identity_registry.h"
#include "identity/token_issuer.h"

namespace mpcc::identity {

inline constexpr const char* kCredentialHeader = "X-IDENTITY-HEADER";

class IdentityService {
 public:
  IdentityService(std::shared_ptr<IdentityRegistry> registry, std::shared_ptr<TokenIssuer> issuer);

  void register_routes(http::Server& server);

  http::Response token(const http::Request& request) const;
  http::Response openid_configuration(const http::Request& request) const;
  http::Response keys(const http::Request& request) const;

 private:
  std::shared_ptr<IdentityRegistry> registry_;
  std::shared_ptr<TokenIssuer> issuer_;
};

}  // namespace mpcc::identity
