// File: keyvault/vault_setup.h
//
// Assembles one vault from its state directory, as `mpcc serve keyvault`
// and the tests do:
//   DIR/vault.db                  key registry + access policies + audit log (SQLite)
//   DIR/release-signing.{key,pem} the RS256 key and certificate that sign release values
//   DIR/hsm/                      SoftHSM2's configuration and token (default module),
//   DIR/hsm/user.pin, so.pin      the token's PINs, random, 0600, made on first start
//                                 (a real HSM: --hsm-module and --hsm-pin-file instead)
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "hsm/key_store.h"
#include "hsm/pkcs11_key_store.h"
#include "keyvault/issuer_keys.h"
#include "keyvault/vault.h"

namespace mpcc::keyvault {

inline constexpr const char* kVaultDbFile = "vault.db";
inline constexpr const char* kReleaseSigningKeyName = "release-signing";

struct VaultSetup {
  std::filesystem::path state_dir;  // required
  std::string name;                 // required: the vault's name
  // The key store; null: a PKCS#11 store from `pkcs11` (below).
  std::shared_ptr<hsm::KeyStore> keys;
  // Used when `keys` is null. Empty module_path: SoftHSM2 under DIR/hsm with
  // generated PINs; otherwise that module with the PIN read from `pin_file`.
  std::string hsm_module;
  std::string hsm_token_label = "mpcc";
  std::filesystem::path hsm_pin_file;
  IssuerKeysOptions attestation_issuers;  // how attestation issuers' keys are fetched
  std::shared_ptr<const Clock> clock;
  int64_t token_leeway_seconds = 60;
};

// Creates DIR (0700) and what is missing in it, opens everything.
StatusOr<std::shared_ptr<KeyVault>> open_vault(const VaultSetup& setup);

// The SoftHSM2 configuration of DIR/hsm, creating random PINs on first use.
StatusOr<hsm::Pkcs11Config> softhsm_config(const std::filesystem::path& state_dir);

}  // namespace mpcc::keyvault
