// Shared helpers for hsm_test: temporary state directories, the SoftHSM2
// configuration used by the tests, and a wrapping key pair for releases.
#pragma once

#include "common/testing/temp_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "crypto/keys.h"
#include "hsm/pkcs11_key_store.h"

namespace mpcc::hsm::testing {

// A fresh directory under $TMPDIR, removed with everything in it.
using ::mpcc::testing::TempDir;

inline std::string module_path() {
  const char* env = std::getenv("MPCC_PKCS11_MODULE");
  return env != nullptr && *env != '\0' ? env : "/usr/lib/softhsm/libsofthsm2.so";
}

inline constexpr const char* kUserPin = "user-1234";
inline constexpr const char* kSoPin = "so-5678";

inline Pkcs11Config softhsm_config(const std::filesystem::path& state_dir) {
  Pkcs11Config c;
  c.module_path = module_path();
  c.token_label = "mpcc-test";
  c.user_pin = kUserPin;
  c.so_pin = kSoPin;
  c.softhsm_state_dir = state_dir;
  return c;
}

// The "TEE" key a release is wrapped for; generated once per process.
inline const crypto::PrivateKey& wrapping_private_key() {
  static const crypto::PrivateKey key = crypto::PrivateKey::generate_rsa(2048).value();
  return key;
}

}  // namespace mpcc::hsm::testing
