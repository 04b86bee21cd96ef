// File: identity/token_client.h
//
// TokenClient: gets a managed-identity access token the IMDS way,
//   GET <endpoint>/metadata/identity/oauth2/token?api-version=2018-02-01
//       &resource=<resource>[&client_id=<id>]   Metadata: true
// plus, for mpcc's identity service, the identity's credential header
// (X-IDENTITY-HEADER). Tokens are cached per resource until five minutes
// before they expire.
//
//   identity::TokenClient tokens({.endpoint = url, .credential = secret}, http_options);
//   MPCC_ASSIGN_OR_RETURN(std::string token, tokens.token("https://vault.azure.net"));
//
// Errors: kUnavailable (transport, or a 5xx), kPermissionDenied (401/403 from
// the service, with its error_description), kInvalidArgument (400), kInternal
// (a 200 without access_token). The credential and tokens are never logged.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "common/status.h"
#include "http/client.h"

namespace mpcc::identity {

struct TokenClientConfig {
  std::string endpoint;    // https://host:port (no path)
  std::string credential;  // X-IDENTITY-HEADER value ("" for real IMDS)
  std::string client_id;   // optional: which user-assigned identity
};

class TokenClient {
 public:
  TokenClient(TokenClientConfig config, http::ClientOptions options);

  StatusOr<std::string> token(const std::string& resource) const;

 private:
  struct Cached {
    std::string token;
    std::chrono::system_clock::time_point refresh_after;
  };
  TokenClientConfig config_;
  http::Client client_;
  mutable std::mutex mu_;
  mutable std::map<std::string, Cached> cache_;
};

}  // namespace mpcc::identity
