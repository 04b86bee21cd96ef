// File: fuzz/support/quick_key_store.h
//
// QuickKeyStore: an hsm::MemoryKeyStore whose generate_rsa imports a key
// generated once per size (2048/3072/4096) instead of a fresh one, so a
// fuzzed "create key" request costs no RSA key generation (hundreds of
// milliseconds under ASan). Everything else is MemoryKeyStore's. For the
// fuzz targets only: every key of one size is the same key.
//
// Thread-safety: as MemoryKeyStore; the per-size keys are made under a mutex.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string_view>

#include "hsm/memory_key_store.h"

namespace mpcc::fuzz {

class QuickKeyStore final : public hsm::KeyStore {
 public:
  std::string_view backend() const override { return inner_.backend(); }
  StatusOr<hsm::KeyInfo> generate_rsa(std::string_view id, const hsm::RsaKeySpec& spec) override;
  StatusOr<hsm::KeyInfo> import_rsa(std::string_view id, const crypto::PrivateKey& key,
                                    bool extractable) override {
    return inner_.import_rsa(id, key, extractable);
  }
  StatusOr<hsm::KeyInfo> get(std::string_view id) const override { return inner_.get(id); }
  StatusOr<std::vector<std::string>> list() const override { return inner_.list(); }
  Status destroy(std::string_view id) override { return inner_.destroy(id); }
  StatusOr<Bytes> sign(std::string_view id, crypto::SignatureAlg alg, ByteSpan message) override {
    return inner_.sign(id, alg, message);
  }
  StatusOr<SecureBytes> decrypt(std::string_view id, crypto::HashAlg oaep_hash,
                                ByteSpan ciphertext) override {
    return inner_.decrypt(id, oaep_hash, ciphertext);
  }
  StatusOr<Bytes> export_wrapped(std::string_view id, const crypto::PublicKey& wrapping_key,
                                 crypto::RsaAesWrapAlg alg) override {
    return inner_.export_wrapped(id, wrapping_key, alg);
  }

 private:
  hsm::MemoryKeyStore inner_;
  std::mutex mu_;
  std::map<std::size_t, crypto::PrivateKey> keys_;
};

}  // namespace mpcc::fuzz
