// File: hsm/key_store.h
//
// KeyStore: where the key vault keeps its asymmetric key material. Keys are
// RSA (2048, 3072 or 4096 bits, public exponent 65537) named by the vault's
// key *version* id. The private half never leaves the store in clear: the
// store signs, decrypts, and, for keys created `extractable`, exports the
// private key only wrapped for a given RSA public key in the
// CKM_RSA_AES_KEY_WRAP format (spec 9.5; what secure key release hands to an
// attested TEE).
//
// Implementations: Pkcs11KeyStore (hsm/pkcs11_key_store.h; a PKCS#11 token,
// SoftHSM2 by default) and MemoryKeyStore (hsm/memory_key_store.h; for tests).
//
// Key ids: 1..kMaxKeyIdSize bytes of printable ASCII without spaces
// (0x21..0x7e); anything else is kInvalidArgument.
//
// Every operation checks in the same fixed order and returns early, so both
// implementations fail identically (after SoftHSM's C_WrapKey order):
//   1. arguments (id syntax, key size, algorithm, wrapping key) - kInvalidArgument
//   2. the key named by id                                      - kNotFound /
//                                                                 kAlreadyExists
//   3. what the key permits (extractable)                       - kFailedPrecondition
//   4. the operation itself (module errors keep their own codes, e.g.
//      kUnimplemented for a mechanism the module lacks).
// Store-level messages start with "HSM:"; module errors with "PKCS#11:".
//
// Thread-safety: every method may be called concurrently from any thread;
// each implementation documents how it achieves that.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/key_wrap.h"
#include "crypto/keys.h"
#include "crypto/signature.h"

namespace mpcc::hsm {

inline constexpr std::size_t kMaxKeyIdSize = 128;
inline constexpr uint32_t kRsaPublicExponent = 65537;

// What generate_rsa creates.
struct RsaKeySpec {
  std::size_t bits = 2048;   // 2048, 3072 or 4096
  bool extractable = false;  // may export_wrapped() release it?
};

// A stored key as the vault sees it.
struct KeyInfo {
  std::string id;
  std::size_t bits = 0;
  bool extractable = false;
  crypto::PublicKey public_key;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  KeyStore() = default;
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // "memory" or "pkcs11".
  virtual std::string_view backend() const = 0;

  // Creates an RSA key pair (exponent 65537) under `id` inside the store.
  // Returns its KeyInfo; kInvalidArgument for a bad id or size,
  // kAlreadyExists if `id` is taken (also while another thread creates it).
  virtual StatusOr<KeyInfo> generate_rsa(std::string_view id, const RsaKeySpec& spec) = 0;

  // Stores an existing RSA private key (bring-your-own-key) under `id`;
  // same sizes and errors as generate_rsa.
  virtual StatusOr<KeyInfo> import_rsa(std::string_view id, const crypto::PrivateKey& key,
                                       bool extractable) = 0;

  // The public key and attributes of `id`; kNotFound when absent.
  virtual StatusOr<KeyInfo> get(std::string_view id) const = 0;

  // All key ids, sorted.
  virtual StatusOr<std::vector<std::string>> list() const = 0;

  // Deletes both halves of `id`; kNotFound when absent.
  virtual Status destroy(std::string_view id) = 0;

  // Signs `message` (the store hashes it) with RS256/RS384 (kRsaPkcs1*) or
  // PS256/PS384 (kRsaPss*, salt = hash length). The signature verifies with
  // crypto::verify against get(id)->public_key. EC algorithms are
  // kInvalidArgument; unknown id kNotFound.
  virtual StatusOr<Bytes> sign(std::string_view id, crypto::SignatureAlg alg, ByteSpan message) = 0;

  // RSA-OAEP decryption (label empty, MGF1 with the same hash; SHA-1, SHA-256
  // or SHA-384) with the private key of `id`: Key Vault's decrypt/unwrapKey.
  // A ciphertext that does not decrypt gives kPermissionDenied
  // "RSA-OAEP: decryption failed" (one message, no oracle); a hash the
  // module does not offer gives kUnimplemented.
  virtual StatusOr<SecureBytes> decrypt(std::string_view id, crypto::HashAlg oaep_hash,
                                        ByteSpan ciphertext) = 0;

  // Secure key release: returns OAEP(K) || AES-KWP_K(PKCS#8 DER of the
  // private key of `id`) for a fresh AES-256 key K, OAEP with the hash of
  // `alg` under `wrapping_key` (crypto::rsa_aes_key_unwrap inverts it).
  // kInvalidArgument if `wrapping_key` is not RSA, kNotFound for an unknown
  // id, kFailedPrecondition "HSM: key '<id>' is not extractable" when the key
  // was not created extractable.
  virtual StatusOr<Bytes> export_wrapped(std::string_view id, const crypto::PublicKey& wrapping_key,
                                         crypto::RsaAesWrapAlg alg) = 0;
};

// Shared argument checks and messages, so that every implementation answers
// the same way. Each returns OK or the Status described.
Status check_key_id(std::string_view id);                          // kInvalidArgument
Status check_rsa_bits(std::size_t bits);                           // kInvalidArgument
Status check_rsa_signature_alg(crypto::SignatureAlg alg);          // kInvalidArgument
Status check_oaep_hash(crypto::HashAlg hash);                      // kInvalidArgument
Status check_wrapping_key(const crypto::PublicKey& wrapping_key);  // kInvalidArgument
Status key_not_found(std::string_view id);                         // kNotFound
Status key_exists(std::string_view id);                            // kAlreadyExists
Status key_not_extractable(std::string_view id);                   // kFailedPrecondition

}  // namespace mpcc::hsm
