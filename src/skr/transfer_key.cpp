#include "skr/transfer_key.h"

#include <nlohmann/json.hpp>

namespace mpcc::skr {

StatusOr<TransferKey> TransferKey::generate() {
  StatusOr<crypto::PrivateKey> key = crypto::PrivateKey::generate_rsa(kTransferKeyBits);
  if (!key.ok()) return internal_error("transfer key: " + key.status().message());
  StatusOr<jose::Jwk> jwk = jose::Jwk::from_public_key(key->public_key());
  if (!jwk.ok()) return internal_error("transfer key: " + jwk.status().message());
  jwk->set_key_ops({"encrypt"});
  jwk->set_kid(jwk->thumbprint(crypto::HashAlg::kSha256));
  std::string runtime = nlohmann::json{{"keys", nlohmann::json::array({jwk->to_json()})}}.dump();
  return TransferKey(std::move(key).value(), std::move(jwk).value(), std::move(runtime));
}

}  // namespace mpcc::skr
