#include "hsm/memory_key_store.h"

#include <mutex>
#include <utility>

#include "crypto/rsa_oaep.h"

namespace mpcc::hsm {
namespace {

KeyInfo info_of(std::string_view id, const crypto::PrivateKey& key, bool extractable) {
  return KeyInfo{std::string(id), key.bits(), extractable, key.public_key()};
}

}  // namespace

StatusOr<MemoryKeyStore::Entry> MemoryKeyStore::find(std::string_view id) const {
  std::shared_lock lock(mu_);
  auto it = keys_.find(id);
  if (it == keys_.end()) return key_not_found(id);
  return it->second;  // copies the shared, immutable key handle
}

StatusOr<KeyInfo> MemoryKeyStore::insert(std::string_view id, const crypto::PrivateKey& key,
                                         bool extractable) {
  std::unique_lock lock(mu_);
  auto [it, inserted] = keys_.try_emplace(std::string(id), Entry{key, extractable});
  if (!inserted) return key_exists(id);
  return info_of(id, it->second.key, extractable);
}

StatusOr<KeyInfo> MemoryKeyStore::generate_rsa(std::string_view id, const RsaKeySpec& spec) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_RETURN_IF_ERROR(check_rsa_bits(spec.bits));
  {
    std::shared_lock lock(mu_);
    if (keys_.find(id) != keys_.end()) return key_exists(id);
  }
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                        crypto::PrivateKey::generate_rsa(spec.bits, kRsaPublicExponent));
  return insert(id, key, spec.extractable);  // re-checks: a racing creator wins
}

StatusOr<KeyInfo> MemoryKeyStore::import_rsa(std::string_view id, const crypto::PrivateKey& key,
                                             bool extractable) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  if (key.type() != crypto::KeyType::kRsa) {
    return invalid_argument("HSM: only RSA keys can be imported");
  }
  MPCC_RETURN_IF_ERROR(check_rsa_bits(key.bits()));
  // A private copy, so the caller's handle does not alias the stored key.
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey copy,
                        crypto::PrivateKey::from_pkcs8_der(key.to_pkcs8_der()));
  return insert(id, copy, extractable);
}

StatusOr<KeyInfo> MemoryKeyStore::get(std::string_view id) const {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_ASSIGN_OR_RETURN(Entry e, find(id));
  return info_of(id, e.key, e.extractable);
}

StatusOr<std::vector<std::string>> MemoryKeyStore::list() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> ids;
  ids.reserve(keys_.size());
  for (const auto& [id, entry] : keys_) ids.push_back(id);
  return ids;  // std::map keeps them sorted
}

Status MemoryKeyStore::destroy(std::string_view id) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  std::unique_lock lock(mu_);
  auto it = keys_.find(id);
  if (it == keys_.end()) return key_not_found(id);
  keys_.erase(it);
  return ok_status();
}

StatusOr<Bytes> MemoryKeyStore::sign(std::string_view id, crypto::SignatureAlg alg,
                                     ByteSpan message) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_RETURN_IF_ERROR(check_rsa_signature_alg(alg));
  MPCC_ASSIGN_OR_RETURN(Entry e, find(id));
  return crypto::sign(e.key, alg, message);
}

StatusOr<SecureBytes> MemoryKeyStore::decrypt(std::string_view id, crypto::HashAlg oaep_hash,
                                              ByteSpan ciphertext) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_RETURN_IF_ERROR(check_oaep_hash(oaep_hash));
  MPCC_ASSIGN_OR_RETURN(Entry e, find(id));
  return crypto::rsa_oaep_decrypt(e.key, oaep_hash, ciphertext);
}

StatusOr<Bytes> MemoryKeyStore::export_wrapped(std::string_view id,
                                               const crypto::PublicKey& wrapping_key,
                                               crypto::RsaAesWrapAlg alg) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_RETURN_IF_ERROR(check_wrapping_key(wrapping_key));
  MPCC_ASSIGN_OR_RETURN(Entry e, find(id));
  if (!e.extractable) return key_not_extractable(id);
  return crypto::rsa_aes_key_wrap(wrapping_key, alg, e.key.to_pkcs8_der());
}

}  // namespace mpcc::hsm
