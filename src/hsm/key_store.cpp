#include "hsm/key_store.h"

#include <string>

namespace mpcc::hsm {

Status check_key_id(std::string_view id) {
  if (id.empty()) return invalid_argument("HSM: key id is empty");
  if (id.size() > kMaxKeyIdSize) {
    return invalid_argument("HSM: key id is longer than " + std::to_string(kMaxKeyIdSize) +
                            " bytes");
  }
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return invalid_argument("HSM: key id has a character outside printable ASCII");
    }
  }
  return ok_status();
}

Status check_rsa_bits(std::size_t bits) {
  if (bits != 2048 && bits != 3072 && bits != 4096) {
    return invalid_argument("HSM: RSA key size must be 2048, 3072 or 4096 bits, not " +
                            std::to_string(bits));
  }
  return ok_status();
}

Status check_rsa_signature_alg(crypto::SignatureAlg alg) {
  switch (alg) {
    case crypto::SignatureAlg::kRsaPkcs1Sha256:
    case crypto::SignatureAlg::kRsaPkcs1Sha384:
    case crypto::SignatureAlg::kRsaPssSha256:
    case crypto::SignatureAlg::kRsaPssSha384:
      return ok_status();
    case crypto::SignatureAlg::kEcdsaP256Sha256:
    case crypto::SignatureAlg::kEcdsaP384Sha384:
      break;
  }
  return invalid_argument("HSM: signature algorithm " +
                          std::string(crypto::signature_alg_name(alg)) +
                          " does not fit an RSA key");
}

Status check_oaep_hash(crypto::HashAlg hash) {
  switch (hash) {
    case crypto::HashAlg::kSha1:
    case crypto::HashAlg::kSha256:
    case crypto::HashAlg::kSha384:
      return ok_status();
    case crypto::HashAlg::kSha512:
      break;
  }
  return invalid_argument("HSM: RSA-OAEP hash must be SHA-1, SHA-256 or SHA-384, not " +
                          std::string(crypto::hash_name(hash)));
}

Status check_wrapping_key(const crypto::PublicKey& wrapping_key) {
  if (wrapping_key.type() != crypto::KeyType::kRsa) {
    return invalid_argument("HSM: the wrapping key must be an RSA public key");
  }
  return ok_status();
}

Status key_not_found(std::string_view id) {
  return not_found("HSM: no key '" + std::string(id) + "'");
}

Status key_exists(std::string_view id) {
  return already_exists("HSM: key '" + std::string(id) + "' already exists");
}

Status key_not_extractable(std::string_view id) {
  return failed_precondition("HSM: key '" + std::string(id) + "' is not extractable");
}

}  // namespace mpcc::hsm
