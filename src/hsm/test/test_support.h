// Shared helpers for hsm_test: temporary state directories, the SoftHSM2
// configuration used by the tests, and a wrapping key pair for releases.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "crypto/keys.h"
#include "hsm/pkcs11_key_store.h"

namespace mpcc::hsm::testing {

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mpcc-hsm-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

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
