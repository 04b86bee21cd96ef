#include "records/data_key.h"

#include <nlohmann/json.hpp>

#include "crypto/random.h"
#include "jose/jwe.h"

namespace mpcc::records {

using nlohmann::json;

namespace {

Status check_name(std::string_view what, std::string_view value) {
  if (value.empty()) return invalid_argument("data key: " + std::string(what) + " is empty");
  if (value.find('/') != std::string_view::npos) {
    return invalid_argument("data key: " + std::string(what) + " must not contain '/'");
  }
  return ok_status();
}

StatusOr<std::string> header_member(const json& header, const char* name) {
  const auto it = header.find(name);
  if (it == header.end() || !it->is_string()) {
    return invalid_argument(std::string("data key: header has no string ") + name);
  }
  return it->get<std::string>();
}

}  // namespace

StatusOr<DataKey> DataKey::from_bytes(std::string owner, std::string key_version,
                                      SecureBytes key) {
  MPCC_RETURN_IF_ERROR(check_name("owner", owner));
  MPCC_RETURN_IF_ERROR(check_name("key version", key_version));
  if (key.size() != kDataKeySize) {
    return invalid_argument("data key: key is " + std::to_string(key.size()) +
                            " bytes, expected 32");
  }
  std::string id = owner + "/" + key_version;
  return DataKey{std::move(owner), std::move(key_version), std::move(id), std::move(key)};
}

StatusOr<DataKey> DataKey::generate(std::string owner, std::string key_version) {
  return from_bytes(std::move(owner), std::move(key_version), crypto::random_secret(kDataKeySize));
}

StatusOr<std::string> wrap_data_key(const DataKey& data_key, const crypto::PublicKey& party_rsa_key,
                                    std::string_view rsa_kid) {
  MPCC_RETURN_IF_ERROR(check_name("owner", data_key.owner));
  MPCC_RETURN_IF_ERROR(check_name("key version", data_key.key_version));
  if (data_key.id != data_key.owner + "/" + data_key.key_version ||
      data_key.key.size() != kDataKeySize) {
    return invalid_argument("data key: id or key size inconsistent (build it with generate())");
  }
  if (party_rsa_key.type() != crypto::KeyType::kRsa) {
    return invalid_argument("data key: the party key must be RSA");
  }
  const json extras = {
      {"kid", rsa_kid.empty() ? data_key.key_version : std::string(rsa_kid)},
      {"mpcc_owner", data_key.owner},
      {"mpcc_data_key", data_key.id},
  };
  return jose::jwe_encrypt_rsa_oaep_256(party_rsa_key, data_key.key, extras);
}

StatusOr<DataKey> unwrap_data_key(std::string_view jwe, const crypto::PrivateKey& party_rsa_key,
                                  std::string_view expected_owner) {
  StatusOr<jose::JweDecrypted> opened = jose::jwe_decrypt_rsa(jwe, party_rsa_key);
  if (!opened.ok()) {
    if (opened.status().code() == StatusCode::kPermissionDenied) {
      return permission_denied("data key: decryption failed (wrong RSA key or tampered)");
    }
    return opened.status().with_context("data key");
  }
  if (opened->alg != jose::JweAlg::kRsaOaep256) {
    return invalid_argument("data key: alg must be RSA-OAEP-256");
  }
  MPCC_ASSIGN_OR_RETURN(std::string owner, header_member(opened->header, "mpcc_owner"));
  MPCC_ASSIGN_OR_RETURN(std::string id, header_member(opened->header, "mpcc_data_key"));
  if (owner != expected_owner) {
    return permission_denied("data key: owner is '" + owner + "', expected '" +
                             std::string(expected_owner) + "'");
  }
  const std::string prefix = owner + "/";
  if (!id.starts_with(prefix) || id.size() == prefix.size() ||
      id.find('/', prefix.size()) != std::string::npos) {
    return permission_denied("data key: id '" + id + "' does not belong to owner '" + owner + "'");
  }
  return DataKey::from_bytes(std::move(owner), id.substr(prefix.size()),
                             std::move(opened->plaintext));
}

}  // namespace mpcc::records
