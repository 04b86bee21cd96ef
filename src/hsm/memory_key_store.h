// File: hsm/memory_key_store.h
//
// MemoryKeyStore: a KeyStore held in process memory, for tests and for
// components that need a vault without a PKCS#11 module. Keys are
// crypto::PrivateKey values (OpenSSL clears the private components when the
// last handle goes, i.e. on destroy() or with the store); nothing is
// persisted. Behaves exactly as the KeyStore contract says, including the
// order of checks and the "HSM:" messages, so the same behavioural tests run
// against it and against Pkcs11KeyStore.
//
// Thread-safety: one std::shared_mutex guards the id -> key map; lookups take
// it shared, create/destroy exclusively. Key generation and all cryptography
// run outside the lock on an immutable key handle.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "hsm/key_store.h"

namespace mpcc::hsm {

class MemoryKeyStore final : public KeyStore {
 public:
  MemoryKeyStore() = default;
  ~MemoryKeyStore() override = default;

  std::string_view backend() const override { return "memory"; }
  StatusOr<KeyInfo> generate_rsa(std::string_view id, const RsaKeySpec& spec) override;
  StatusOr<KeyInfo> import_rsa(std::string_view id, const crypto::PrivateKey& key,
                               bool extractable) override;
  StatusOr<KeyInfo> get(std::string_view id) const override;
  StatusOr<std::vector<std::string>> list() const override;
  Status destroy(std::string_view id) override;
  StatusOr<Bytes> sign(std::string_view id, crypto::SignatureAlg alg, ByteSpan message) override;
  StatusOr<SecureBytes> decrypt(std::string_view id, crypto::HashAlg oaep_hash,
                                ByteSpan ciphertext) override;
  StatusOr<Bytes> export_wrapped(std::string_view id, const crypto::PublicKey& wrapping_key,
                                 crypto::RsaAesWrapAlg alg) override;

 private:
  struct Entry {
    crypto::PrivateKey key;
    bool extractable;
  };
  StatusOr<Entry> find(std::string_view id) const;
  StatusOr<KeyInfo> insert(std::string_view id, const crypto::PrivateKey& key, bool extractable);

  mutable std::shared_mutex mu_;
  std::map<std::string, Entry, std::less<>> keys_;
};

}  // namespace mpcc::hsm
