// File: skr/vault_release.h
//
// The sidecar's secure-key-release request to Azure Key Vault / Managed HSM
// (or mpcc's vault), spec 9.3:
//
//   POST https://<akv_endpoint>/keys/<kid>/release?api-version=7.4
//   Authorization: Bearer <managed-identity token>
//   {"target": "<MAA token>"}
//   -> 200 {"value": "<compact JWS>"}   (open it with released_key.h)
//
// `kid` is the key's name, or name/version, pasted into the path as the
// Microsoft sidecar does; check_key_id() keeps it to those characters so it
// cannot add path segments or a query.
//
// Thread-safety: free functions (http::Client is thread-safe).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "http/client.h"
#include "skr/endpoint.h"
#include "skr/failure.h"

namespace mpcc::skr {

inline constexpr const char* kKeyVaultApiVersion = "7.4";

// OK for "name" or "name/version", each part 1..127 of [0-9a-zA-Z-];
// kInvalidArgument "kid: ..." otherwise.
Status check_key_id(std::string_view kid);

// The release JWS, or a step "release" Failure: the vault's refusal with its
// status and body ({"error":{"code","message","innererror"}}), or the
// transport error.
Outcome<std::string> request_key_release(const http::Client& client, const Endpoint& akv,
                                         const std::string& kid, const std::string& bearer_token,
                                         const std::string& maa_token,
                                         const std::string& user_agent);

}  // namespace mpcc::skr
