// File: fuzz/support/quick_key_store.cpp
//
// See quick_key_store.h.
#include "quick_key_store.h"

namespace mpcc::fuzz {

StatusOr<hsm::KeyInfo> QuickKeyStore::generate_rsa(std::string_view id,
                                                   const hsm::RsaKeySpec& spec) {
  MPCC_RETURN_IF_ERROR(hsm::check_rsa_bits(spec.bits));
  const crypto::PrivateKey* key = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = keys_.find(spec.bits);
    if (it == keys_.end()) {
      MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey made, crypto::PrivateKey::generate_rsa(spec.bits));
      it = keys_.emplace(spec.bits, std::move(made)).first;
    }
    key = &it->second;
  }
  return inner_.import_rsa(id, *key, spec.extractable);
}

}  // namespace mpcc::fuzz
