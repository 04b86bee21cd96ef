// File: keyvault/key_bundle.h
//
// Azure Key Vault's wire shapes for keys (spec 9.2, SDK interop A5): the
// create and update request bodies, parsed strictly into typed requests, and
// the KeyBundle / key-item JSON the vault answers with. Field names are
// Azure's: snake_case at the top (key_size, key_ops, release_policy),
// camelCase inside attributes and release_policy; binary fields base64url
// without padding; times integer seconds.
//
// A key id (kid) is "<vault origin>/keys/<name>/<version>": the SDK's
// parser accepts nothing else (A2), so the origin is the one the client used.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/key_wrap.h"
#include "crypto/keys.h"
#include "keyvault/key_registry.h"

namespace mpcc::keyvault {

// Operations an RSA key may list in key_ops.
const std::vector<std::string>& rsa_key_operations();  // encrypt decrypt sign verify wrapKey unwrapKey

// POST /keys/{name}/create
struct CreateKeyRequest {
  std::string kty;  // "RSA-HSM" or "RSA"
  std::size_t key_size = 2048;
  std::vector<std::string> key_ops;  // default: rsa_key_operations()
  bool enabled = true;
  bool exportable = false;
  std::optional<UnixSeconds> not_before, expires;
  nlohmann::json tags = nlohmann::json::object();
  std::optional<StoredReleasePolicy> release_policy;
};
// kInvalidArgument (400 BadParameter) naming the field for anything Azure
// refuses: unsupported kty (EC, oct: "not supported by this vault"), a size
// other than 2048/3072/4096, public_exponent other than 65537, unknown
// key_ops, non-string tags, a release policy that does not parse (spec 10),
// exportable without a release policy or without an -HSM type, a release
// policy on a key that is not exportable.
StatusOr<CreateKeyRequest> parse_create_request(const nlohmann::json& body);

// PATCH /keys/{name}[/{version}]: every member optional.
struct UpdateKeyRequest {
  std::optional<std::vector<std::string>> key_ops;
  std::optional<bool> enabled;
  std::optional<bool> exportable;  // may only restate the current value
  std::optional<std::optional<UnixSeconds>> not_before, expires;  // inner nullopt: clear
  std::optional<nlohmann::json> tags;
  std::optional<StoredReleasePolicy> release_policy;
};
StatusOr<UpdateKeyRequest> parse_update_request(const nlohmann::json& body);

// POST /keys/{name}[/{version}]/release: {"target", "nonce"?, "enc"?}
struct ReleaseRequest {
  std::string target;  // the attestation token (secret-ish: never logged)
  std::optional<std::string> nonce;
  crypto::RsaAesWrapAlg enc = crypto::RsaAesWrapAlg::kCkmRsaAesKeyWrap;
};
StatusOr<ReleaseRequest> parse_release_request(const nlohmann::json& body);

// "<origin>/keys/<name>/<version>" and "<origin>/keys/<name>".
std::string key_id(const std::string& origin, const KeyRecord& record);
std::string key_base_id(const std::string& origin, const std::string& name);

// {"enabled","created","updated","recoveryLevel":"Purgeable","exportable","nbf"?,"exp"?}
nlohmann::json attributes_json(const KeyAttributes& a);
// {"contentType","data","immutable"}
nlohmann::json release_policy_json(const StoredReleasePolicy& p);
// The JWK part: {"kid","kty","key_ops","n","e"}.
StatusOr<nlohmann::json> key_json(const std::string& origin, const KeyRecord& record,
                                  const crypto::PublicKey& public_key);
// {"key": key_json, "attributes", "tags"? (when non-empty), "release_policy"?}
StatusOr<nlohmann::json> key_bundle(const std::string& origin, const KeyRecord& record,
                                    const crypto::PublicKey& public_key);
// A list item: {"kid" (base id, or versioned when `versioned`), "attributes", "tags"?}
nlohmann::json key_item(const std::string& origin, const KeyRecord& record, bool versioned);

}  // namespace mpcc::keyvault
