// File: keyvault/key_registry.h
//
// The vault's metadata in SQLite (the same file as the audit log: tables
// vault_keys, vault_access_policies, vault_meta with format "mpcc-vault-v1";
// the audit_* tables belong to AuditLog): for every key version its name, type,
// size, operations, attributes, tags, release policy (the bytes as given) and
// the id of its key material in the KeyStore; and the vault's access policies
// (which identity, by AAD object id, may do which key operation).
//
// Key material is not here: it lives in the PKCS#11 token (hsm::KeyStore),
// named by KeyRecord::hsm_id. The vault writes the token first and this
// registry second, and deletes in the opposite order, so a crash leaves at
// worst an orphaned token object, never a record without its key.
//
//   MPCC_ASSIGN_OR_RETURN(auto reg, KeyRegistry::open(state_dir / "vault.db"));
//   MPCC_RETURN_IF_ERROR(reg->insert(record));
//   MPCC_ASSIGN_OR_RETURN(KeyRecord latest, reg->latest("contoso-key"));
//
// Thread-safety: every method may be called concurrently (one connection
// behind a mutex); other processes may use the same file (WAL, busy timeout),
// e.g. `mpcc keyvault access set` while the vault runs: access policies are
// read from the file on every call, never cached.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace mpcc::keyvault {

inline constexpr const char* kDefaultPolicyContentType = "application/json; charset=utf-8";

// release_policy as stored: the encoded bytes exactly as the client sent them
// (Key Vault returns them unchanged, SDK interop A5.2).
struct StoredReleasePolicy {
  std::string content_type = kDefaultPolicyContentType;
  std::string data;  // base64url (or base64) of the policy JSON, as given
  bool immutable = false;
};

struct KeyAttributes {
  bool enabled = true;
  bool exportable = false;
  std::optional<UnixSeconds> not_before;  // "nbf"
  std::optional<UnixSeconds> expires;     // "exp"
  UnixSeconds created = 0;
  UnixSeconds updated = 0;
};

struct KeyRecord {
  std::string name;     // ^[0-9a-zA-Z-]{1,127}$
  std::string version;  // 32 lowercase hex digits
  std::string kty;      // "RSA-HSM" or "RSA"
  std::size_t key_size = 0;
  std::vector<std::string> key_ops;  // as given, e.g. ["encrypt","decrypt","wrapKey","unwrapKey"]
  KeyAttributes attributes;
  nlohmann::json tags = nlohmann::json::object();  // string -> string
  std::optional<StoredReleasePolicy> release_policy;
  std::string hsm_id;  // KeyStore id of the key material
};

// Azure Key Vault's key permission names (access policy "keys"), compared
// case-insensitively, stored lowercase: get list update create import delete
// recover backup restore decrypt encrypt unwrapkey wrapkey verify sign purge
// release rotate getrotationpolicy setrotationpolicy; "all" expands to every one.
const std::vector<std::string>& all_key_permissions();
// Lowercases (ASCII), expands "all", sorts and dedups; an empty list gives an
// empty set. kInvalidArgument naming the first unknown permission.
StatusOr<std::set<std::string>> parse_key_permissions(const std::vector<std::string>& names);

struct AccessPolicy {
  std::string object_id;     // the identity's AAD object id (token "oid")
  std::string display_name;  // informational ("contoso"), may be empty
  std::set<std::string> key_permissions;  // lowercase names from all_key_permissions()

  bool allows(std::string_view permission) const;  // compared case-insensitively
  // {"objectId","displayName","permissions":{"keys":[...]}}, keys sorted, lowercase.
  nlohmann::json to_json() const;
};

class KeyRegistry {
 public:
  // Opens (creating file and tables when missing) `path`. Errors as AuditLog::open:
  // kDataLoss when the file is not a database or is corrupt, kFailedPrecondition
  // when it cannot be opened or written or holds another vault_meta format,
  // kUnavailable when it stays locked, else kInternal.
  static StatusOr<std::unique_ptr<KeyRegistry>> open(const std::filesystem::path& path);
  ~KeyRegistry();
  KeyRegistry(const KeyRegistry&) = delete;
  KeyRegistry& operator=(const KeyRegistry&) = delete;

  // ---- keys
  // Adds a version. kAlreadyExists if (name, version) or hsm_id is taken;
  // kInvalidArgument for a bad name/version/tags (tags must be an object of
  // strings), an empty kty or hsm_id, or strings that are not UTF-8.
  Status insert(const KeyRecord& record);
  // The newest version of `name` (the last inserted). kNotFound
  // "A key with (name/id) NAME was not found in this key vault." (Azure's words).
  // Lookups do not validate the name: a malformed one is simply not found.
  // kDataLoss (naming the row) when a stored row cannot be decoded, here and below.
  StatusOr<KeyRecord> latest(std::string_view name) const;
  // One version; kNotFound as above (naming NAME/VERSION).
  StatusOr<KeyRecord> find(std::string_view name, std::string_view version) const;
  // Every version of `name`, oldest first (kNotFound when none).
  StatusOr<std::vector<KeyRecord>> versions(std::string_view name) const;
  // The newest version of every key, sorted by name.
  StatusOr<std::vector<KeyRecord>> list_latest() const;
  // Replaces the mutable fields (key_ops, attributes.enabled/nbf/exp/updated,
  // tags, release_policy) of the stored (name, version); kty, key_size,
  // exportable, created and hsm_id stay as stored. kNotFound when absent;
  // kInvalidArgument for bad tags. Does not judge immutability: the vault does.
  Status update(const KeyRecord& record);
  // Removes every version of `name` and returns them (so the caller can
  // destroy their key material). kNotFound when none.
  StatusOr<std::vector<KeyRecord>> remove(std::string_view name);

  // ---- access policies
  // Creates or replaces the policy of `policy.object_id` (kInvalidArgument if
  // empty). Permissions are normalised by parse_key_permissions (kInvalidArgument
  // for an unknown one).
  Status set_access_policy(const AccessPolicy& policy);
  // kNotFound when there is none.
  Status remove_access_policy(std::string_view object_id);
  // nullopt when the identity has no policy (it may do nothing).
  StatusOr<std::optional<AccessPolicy>> access_policy(std::string_view object_id) const;
  // All, sorted by object id.
  StatusOr<std::vector<AccessPolicy>> access_policies() const;

 private:
  struct Db;
  explicit KeyRegistry(std::unique_ptr<Db> db);
  mutable std::mutex mu_;
  std::unique_ptr<Db> db_;
};

// ^[0-9a-zA-Z-]{1,127}$ (kInvalidArgument `key name "NAME" is invalid: why`;
// NAME shown as printable ASCII, other bytes \xNN, cut after ~140 characters).
Status check_key_name(std::string_view name);
// 32 lowercase hex digits.
bool is_key_version(std::string_view version);

}  // namespace mpcc::keyvault
