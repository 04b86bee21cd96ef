// File: party/key_state.cpp
#include "party/key_state.h"

namespace mpcc::party {

StatusOr<std::shared_ptr<ReleasedKey>> make_released_key(const jose::Jwk& jwk, std::string owner,
                                                         std::string key_name, std::string vault) {
  if (jwk.kind() != jose::KeyKind::kRsa) {
    return invalid_argument("released key: expected an RSA key, got " + std::string(jwk.kty()));
  }
  if (!jwk.is_private()) return invalid_argument("released key: it has no private part");
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey private_key, jwk.to_private_key());
  const std::string& kid = jwk.kid();
  const auto slash = kid.find_last_of('/');
  std::string version = slash == std::string::npos ? kid : kid.substr(slash + 1);
  if (version.empty()) return invalid_argument("released key: its kid names no version");
  crypto::PublicKey public_key = private_key.public_key();
  auto key = std::make_shared<ReleasedKey>(ReleasedKey{std::move(owner), std::move(key_name),
                                                       std::move(vault), kid, std::move(version),
                                                       std::move(private_key), std::move(public_key),
                                                       jwk.public_only(),
                                                       std::chrono::system_clock::now(), nullptr});
  return key;
}

std::shared_ptr<const ReleasedKey> KeyState::own() const {
  std::lock_guard lock(mu_);
  return own_;
}

void KeyState::set_own(std::shared_ptr<const ReleasedKey> key) {
  std::lock_guard lock(mu_);
  own_ = std::move(key);
}

std::shared_ptr<const ReleasedKey> KeyState::partner(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = partners_.find(name);
  return it == partners_.end() ? nullptr : it->second;
}

void KeyState::set_partner(const std::string& name, std::shared_ptr<const ReleasedKey> key) {
  std::lock_guard lock(mu_);
  partners_[name] = std::move(key);
}

}  // namespace mpcc::party
