// File: identity/identity_registry.h
//
// The managed identities of a deployment and the credentials that prove them.
// Provisioning an identity creates a client id, an object (principal) id and a
// random 256-bit credential; only SHA-256 of the credential is stored
// (DIR/identities.json, 0600), and the credential itself is handed to the
// container that runs as that identity (like ACI's per-container
// IDENTITY_HEADER secret). A caller proves an identity by presenting its
// credential; one identity's credential never yields another's token.
//
// Thread-safety: all methods may be called concurrently (one mutex).
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc::identity {

struct Identity {
  std::string name;       // "contoso", "deployer" ...
  std::string client_id;  // UUID form, as Azure's managed identities
  std::string object_id;  // UUID form: the principal id (token "oid"/"sub")
};

struct ProvisionedIdentity {
  Identity identity;
  std::string credential;  // secret: give it only to the container of this identity
};

class IdentityRegistry {
 public:
  // Loads DIR/identities.json if present (kDataLoss if unreadable).
  static StatusOr<std::unique_ptr<IdentityRegistry>> open(const std::filesystem::path& dir);

  // Creates a new identity (kAlreadyExists if the name is taken; kInvalidArgument
  // unless the name matches [a-z0-9-]{1,63}). Persists before returning.
  StatusOr<ProvisionedIdentity> provision(const std::string& name);
  // kNotFound when unknown.
  StatusOr<Identity> find_by_name(const std::string& name) const;
  StatusOr<Identity> find_by_client_id(const std::string& client_id) const;
  std::vector<Identity> list() const;

  // The identity whose credential this is; when `client_id` is given it must
  // name that same identity. kUnauthenticated otherwise (the message never says
  // whether the client id exists).
  StatusOr<Identity> authenticate(const std::optional<std::string>& client_id,
                                  const std::string& credential) const;

 private:
  explicit IdentityRegistry(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Status save_locked() const;

  struct Entry {
    Identity identity;
    Bytes credential_sha256;
  };
  std::filesystem::path dir_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> by_name_;
};

}  // namespace mpcc::identity
