// File: deploy/vault_keys.h
//
// The parties' keys in their vaults, as `mpcc up` makes them once the vaults
// are healthy: per key-holding party an exportable RSA-HSM 4096 key (key_ops
// wrapKey unwrapKey encrypt decrypt) whose release policy names the
// attestation service and the exact HOST_DATA of each party allowed to hold
// it: its owner, and every analyst that lists the owner as a partner (the
// original's HEAD policies, seed-app 12.2; never the generic sevsnpvm-only one):
//
//   {"version": "1.0.0", "anyOf": [
//     {"authority": "<attestation URL>", "allOf": [
//        {"claim": "x-ms-attestation-type", "equals": "sevsnpvm"},
//        {"claim": "x-ms-sevsnpvm-hostdata", "equals": "<owner's host_data hex>"},
//        {"claim": "x-ms-sevsnpvm-is-debuggable", "equals": false}]},
//     {... the same with each analyst's host_data}]}
//
// The claims are the attestation service's top-level token claims
// (attestation/claims.cpp: the type a string, hostdata lowercase hex,
// is-debuggable a boolean).
//
//   MPCC_ASSIGN_OR_RETURN(json policy, key_release_policy(file, holder, att_url, host_data));
//   MPCC_ASSIGN_OR_RETURN(std::string bearer,
//                         fetch_access_token(options, identity_url, credential_file));
//   MPCC_ASSIGN_OR_RETURN(KeyAction a, ensure_release_key(client, vault_url, bearer,
//                                                          holder.key, policy));
//
// Thread-safety: reentrant functions (the http::Client may be shared).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "deploy/deployment_file.h"
#include "http/client.h"

namespace mpcc::deploy {

inline constexpr const char* kVaultResource = "https://vault.azure.net";
// RSA-HSM 4096, as the seed's README says (its script made 2048).
inline constexpr int kPartyKeySize = 4096;

// The release policy of `holder`'s key (see above); `host_data` maps party
// name -> hex HOST_DATA. kFailedPrecondition when a party it needs has none
// (a standard party can never be named in a release policy).
StatusOr<nlohmann::json> key_release_policy(const DeploymentFile& file, const PartySpec& holder,
                                            const std::string& authority,
                                            const std::map<std::string, std::string>& host_data);

// A managed-identity access token for `resource` from the identity service
// (identity/token_client.h), proving the identity with its credential file.
// Errors reading the credential file; the TokenClient's otherwise
// (kUnavailable when the service cannot be reached).
StatusOr<std::string> fetch_access_token(const http::ClientOptions& options,
                                         const std::string& identity_url,
                                         const std::filesystem::path& credential_file,
                                         const std::string& resource = kVaultResource);

enum class KeyAction { kCreated, kKept, kPolicyUpdated };
std::string_view key_action_name(KeyAction a);  // "created", "kept", "release policy updated"

// Makes sure `key_name` exists in the vault with `release_policy`: created
// when absent; kept when its policy is the same (compared canonically,
// keyvault/release_policy.h); otherwise its policy is replaced (PATCH; keys
// here are not immutable). Never weakens anything on failure: errors are
// kUnavailable (vault unreachable) or kFailedPrecondition carrying the
// vault's status and error message.
StatusOr<KeyAction> ensure_release_key(const http::Client& client, const std::string& vault_url,
                                       const std::string& bearer, const std::string& key_name,
                                       const nlohmann::json& release_policy);

}  // namespace mpcc::deploy
