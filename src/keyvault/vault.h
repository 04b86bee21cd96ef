// File: keyvault/vault.h
//
// KeyVault: one vault's key operations, after authentication and before
// HTTP: the access-policy check, the work (registry + KeyStore), and an
// audit record for every change, every release and every denial.
//
// Denials carry the layer that refused, so that the 403 can say it:
//   "access_policy"      the caller's identity may not do this on this vault
//   "attestation_token"  the release's target token is not acceptable
//   "release_policy"     the token's claims do not satisfy the key's policy
//                        (Refusal::evaluation lists each failed clause)
//   "key"                the key itself refuses (disabled, outside nbf/exp,
//                        not exportable, immutable policy)
// Status codes: kPermissionDenied for those; kInvalidArgument for a bad
// request (400 BadParameter), kNotFound for an unknown key (404 KeyNotFound),
// kUnavailable when an issuer's keys cannot be fetched.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "common/clock.h"
#include "common/status.h"
#include "hsm/key_store.h"
#include "keyvault/audit_log.h"
#include "keyvault/issuer_keys.h"
#include "keyvault/key_bundle.h"
#include "keyvault/key_registry.h"
#include "keyvault/release.h"
#include "keyvault/release_policy.h"

namespace mpcc::keyvault {

// Who asks (from the verified bearer token).
struct Caller {
  std::string object_id;     // token "oid"
  std::string client_id;     // token "appid", informational
  std::string token_digest;  // SHA-256 hex of the bearer token
};

// A refused or failed operation.
struct Refusal {
  Status status;
  std::string layer;                     // see above; empty for bad requests and errors
  std::optional<Evaluation> evaluation;  // release_policy denials
};

template <typename T>
using Outcome = std::variant<T, Refusal>;

struct VaultOptions {
  std::string name;  // "contoso": in audit records
  std::shared_ptr<hsm::KeyStore> keys;
  std::shared_ptr<KeyRegistry> registry;
  std::shared_ptr<AuditLog> audit;
  std::shared_ptr<IssuerKeys> attestation_issuers;
  std::shared_ptr<const ReleaseSigner> signer;
  std::shared_ptr<const Clock> clock;  // null: system clock
  int64_t token_leeway_seconds = 60;
};

class KeyVault {
 public:
  // kInvalidArgument when a required member is missing.
  static StatusOr<std::unique_ptr<KeyVault>> create(VaultOptions options);

  // `origin` is the vault's origin as the client addressed it (key ids).
  Outcome<nlohmann::json> create_key(const Caller& caller, const std::string& origin,
                                     const std::string& name, const CreateKeyRequest& request);
  Outcome<nlohmann::json> get_key(const Caller& caller, const std::string& origin,
                                  const std::string& name, const std::string& version);
  // {"value": [items], "nextLink": null}; versions of one key when `name` is set.
  Outcome<nlohmann::json> list_keys(const Caller& caller, const std::string& origin);
  Outcome<nlohmann::json> list_versions(const Caller& caller, const std::string& origin,
                                        const std::string& name);
  Outcome<nlohmann::json> update_key(const Caller& caller, const std::string& origin,
                                     const std::string& name, const std::string& version,
                                     const UpdateKeyRequest& request);
  // Deletes every version at once (no soft delete: the bundle has no recoveryId).
  Outcome<nlohmann::json> delete_key(const Caller& caller, const std::string& origin,
                                     const std::string& name);
  // {"value": "<JWS>"} (release.h); `version` empty: the latest.
  Outcome<nlohmann::json> release(const Caller& caller, const std::string& origin,
                                  const std::string& name, const std::string& version,
                                  const ReleaseRequest& request, const std::string& api_version);

  // Audits an authentication failure (actor "unauthenticated").
  void audit_unauthenticated(const std::string& action, const std::string& name,
                             const std::string& token_digest, const std::string& reason);

  const VaultOptions& options() const { return options_; }

 private:
  explicit KeyVault(VaultOptions options);
  // OK, or an access_policy refusal, audited with `token_digest` (the
  // bearer token's when empty; a release records its attestation token's).
  std::optional<Refusal> check_access(const Caller& caller, const std::string& permission,
                                      const std::string& action, const std::string& name,
                                      const std::string& token_digest = {});
  StatusOr<KeyRecord> find(const std::string& name, const std::string& version) const;
  StatusOr<nlohmann::json> bundle(const std::string& origin, const KeyRecord& record) const;
  Refusal deny(const Caller& caller, const std::string& action, const std::string& name,
               const std::string& version, const std::string& token_digest, Refusal refusal);
  void audit(const Caller& caller, const std::string& action, const std::string& name,
             const std::string& version, const std::string& token_digest,
             AuditDecision decision, nlohmann::json reasons);

  VaultOptions options_;
};

// ^[0-9a-f]{32}$ from the random generator.
std::string new_key_version();

}  // namespace mpcc::keyvault
