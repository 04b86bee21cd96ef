// File: skr/identity_token.h
//
// The managed-identity access token the sidecar presents to the key vault
// when the caller gives none (spec 2.5 step 4, 9.1), from an IMDS-shaped
// endpoint (mpcc's identity service, or Azure IMDS itself):
//
//   GET <endpoint>/metadata/identity/oauth2/token?api-version=2018-02-01
//       &resource=<https://vault.azure.net | https://managedhsm.azure.net>[&client_id=<id>]
//   Metadata: true
//   X-IDENTITY-HEADER: <the container's credential>   (mpcc's identity service)
//   -> 200 {"access_token": ..., ...}
//
//   Outcome<std::string> token = fetch_access_token(client, identity, token_resource_for(akv));
//
// Thread-safety: free functions (http::Client is thread-safe).
#pragma once

#include <string>

#include "common/bytes.h"
#include "http/client.h"
#include "skr/endpoint.h"
#include "skr/failure.h"

namespace mpcc::skr {

inline constexpr const char* kVaultResource = "https://vault.azure.net";
inline constexpr const char* kManagedHsmResource = "https://managedhsm.azure.net";

struct IdentityConfig {
  std::string endpoint;    // "https://host:port" (no path); "" when no identity is configured
  SecureBytes credential;  // X-IDENTITY-HEADER value; empty for Azure IMDS
  std::string client_id;   // which user-assigned identity; "" for the default
};

// https://managedhsm.azure.net when the vault's host contains "managedhsm",
// else https://vault.azure.net.
std::string token_resource_for(const Endpoint& akv);

// The access token for `resource`, or a step "identity" Failure: no endpoint
// configured (kFailedPrecondition), the service refused (its status and
// body) or could not be reached.
Outcome<std::string> fetch_access_token(const http::Client& client, const IdentityConfig& config,
                                        const std::string& resource);

}  // namespace mpcc::skr
