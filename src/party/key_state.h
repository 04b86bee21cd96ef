// File: party/key_state.h
//
// KeyState: the keys a party app holds in memory after secure key release —
// its own released key and (for the analyst) its partners' — each with the
// private key parsed once and the data key that protects that owner's
// records. The private parts never leave this object except to decrypt
// inside the app: nothing here is serialised or logged (the JWK is only
// shown redacted, see ReleasedKey::public_jwk).
//
//   state.set_own(std::make_shared<ReleasedKey>(...));
//   if (auto key = state.own()) { ... key->private_key ... }
//
// Thread-safety: all methods may be called concurrently; a ReleasedKey is
// immutable once published (shared_ptr<const>), so readers keep a consistent
// key even while a new one is released.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "crypto/keys.h"
#include "jose/jwk.h"
#include "records/data_key.h"

namespace mpcc::party {

struct ReleasedKey {
  std::string owner;     // whose key: "contoso"
  std::string key_name;  // "contoso-secret-key"
  std::string vault;     // host[:port] it was released from
  std::string kid;       // the vault's key id (URL ending in the version)
  std::string version;   // last path segment of kid
  crypto::PrivateKey private_key;
  crypto::PublicKey public_key;  // its public half, derived once (encryption uses it)
  jose::Jwk public_jwk;          // public part only (kid kept)
  std::chrono::system_clock::time_point released_at;
  // The owner's data key under this key version (set once the app has it).
  std::shared_ptr<const records::DataKey> data_key;
};

// Builds a ReleasedKey from the private JWK the sidecar returned: RSA only
// (kInvalidArgument otherwise, or when it has no private part), version taken
// from the kid (".../keys/<name>/<version>").
StatusOr<std::shared_ptr<ReleasedKey>> make_released_key(const jose::Jwk& jwk, std::string owner,
                                                         std::string key_name, std::string vault);

class KeyState {
 public:
  std::shared_ptr<const ReleasedKey> own() const;
  void set_own(std::shared_ptr<const ReleasedKey> key);

  std::shared_ptr<const ReleasedKey> partner(const std::string& name) const;
  void set_partner(const std::string& name, std::shared_ptr<const ReleasedKey> key);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ReleasedKey> own_;
  std::map<std::string, std::shared_ptr<const ReleasedKey>> partners_;
};

}  // namespace mpcc::party
