// File: keyvault/key_client.h
//
// KeyClient: the few Key Vault data-plane calls mpcc makes as a client of a
// vault (ours or Azure's, api-version 7.4) with a bearer token: read a key's
// release policy, create an exportable key with one, replace it (PATCH), and
// delete a key. `mpcc up` / `mpcc down` make and remove the parties' keys;
// an owner's app withdraws and restores its analysts' entries (the revoke
// button). Also the policy entry every party's key is bound with.
//
//   KeyClient vault(http_client, "https://127.0.0.1:8001", bearer);
//   MPCC_ASSIGN_OR_RETURN(std::optional<nlohmann::json> policy, vault.release_policy("k"));
//   MPCC_RETURN_IF_ERROR(vault.set_release_policy("k", new_policy));
//
// Errors: a vault refusal is kFailedPrecondition "<what> key <name>: the vault
// answered <status>: <its message>" (kPermissionDenied for 401/403, kNotFound
// for 404 where the call says so); transport errors from http::Client.
// Thread-safety: reentrant (the http::Client may be shared).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/client.h"

namespace mpcc::keyvault {

// {"authority": <authority>, "allOf": [attestation-type sevsnpvm, hostdata
// equals <host_data>, is-debuggable false]}: one anyOf entry of a party's
// key (seed-app 12.2, HEAD's policies; never the generic sevsnpvm-only one).
nlohmann::json hostdata_bound_entry(const std::string& authority, const std::string& host_data);
// The x-ms-sevsnpvm-hostdata an entry requires ("" when it names none).
std::string entry_host_data(const nlohmann::json& entry);

class KeyClient {
 public:
  KeyClient(const http::Client& client, std::string vault_url, std::string bearer);

  // The key's current release policy (decoded JSON); nullopt when the key
  // has none; kNotFound when there is no such key.
  StatusOr<std::optional<nlohmann::json>> release_policy(const std::string& key_name) const;
  // PATCH the key's release policy (mutable).
  Status set_release_policy(const std::string& key_name, const nlohmann::json& policy) const;
  // POST /keys/<name>/create: RSA-HSM of `key_size` bits, exportable, key_ops
  // wrapKey unwrapKey encrypt decrypt, with `policy`.
  Status create_release_key(const std::string& key_name, int key_size,
                            const nlohmann::json& policy) const;
  // DELETE /keys/<name>; kNotFound when there is none.
  Status delete_key(const std::string& key_name) const;

 private:
  StatusOr<http::ClientResponse> call(std::string_view method, const std::string& path,
                                      const std::string& body) const;

  const http::Client& client_;
  std::string vault_url_;
  std::string bearer_;
};

}  // namespace mpcc::keyvault
