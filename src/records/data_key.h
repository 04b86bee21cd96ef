// File: records/data_key.h
//
// The envelope's middle layer (ARCHITECTURE.md "Data protection"): one AES-256
// data key per party and party-key version encrypts that party's records; the
// data key itself is stored as a JWE to the party's RSA key (alg RSA-OAEP-256,
// enc A256GCM), so reading a million records costs one RSA operation.
//
// Wrapped form: compact JWE whose plaintext is the 32 raw key bytes and whose
// protected header (authenticated as the GCM AAD) is
//   {"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"<RSA kid or key_version>",
//    "mpcc_owner":"contoso","mpcc_data_key":"contoso/<key_version>"}
//
//   MPCC_ASSIGN_OR_RETURN(DataKey dk, DataKey::generate("contoso", version));
//   MPCC_ASSIGN_OR_RETURN(std::string jwe, wrap_data_key(dk, rsa_public, kid));
//   MPCC_ASSIGN_OR_RETURN(DataKey back, unwrap_data_key(jwe, rsa_private, "contoso"));
//
// Errors: see each function. The key bytes never appear in messages or logs.
// Thread-safety: DataKey is a plain value; the functions are pure.
#pragma once

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"

namespace mpcc::records {

inline constexpr std::size_t kDataKeySize = 32;  // AES-256

struct DataKey {
  std::string owner;        // lowercase party name, e.g. "contoso"
  std::string key_version;  // the party RSA key's version (last segment of its kid)
  std::string id;           // "<owner>/<key_version>"
  SecureBytes key;          // 32 bytes

  // A fresh random key. kInvalidArgument "data key: ..." when owner or
  // key_version is empty or contains '/'.
  static StatusOr<DataKey> generate(std::string owner, std::string key_version);
  // An existing key (e.g. unwrapped elsewhere); same checks, and the key must
  // be 32 bytes.
  static StatusOr<DataKey> from_bytes(std::string owner, std::string key_version,
                                      SecureBytes key);
};

// JWE compact, RSA-OAEP-256 + A256GCM to `party_rsa_key`, header as above;
// "kid" is `rsa_kid` when given, else the key version. kInvalidArgument for a
// non-RSA key or a malformed DataKey.
StatusOr<std::string> wrap_data_key(const DataKey& data_key, const crypto::PublicKey& party_rsa_key,
                                    std::string_view rsa_kid = {});

// Decrypts a wrapped data key and checks whom it belongs to. Errors:
//  - kPermissionDenied "data key: decryption failed (wrong RSA key or tampered)";
//  - kPermissionDenied "data key: owner is 'x', expected 'y'" (header
//    mpcc_owner), "data key: id 'x' does not belong to owner 'y'" (header
//    mpcc_data_key not "<expected_owner>/<version>");
//  - kInvalidArgument "data key: ..." for a malformed JWE, an alg other than
//    RSA-OAEP-256, missing header members, a key that is not 32 bytes.
StatusOr<DataKey> unwrap_data_key(std::string_view jwe, const crypto::PrivateKey& party_rsa_key,
                                  std::string_view expected_owner);

}  // namespace mpcc::records
