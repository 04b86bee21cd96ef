// File: hsm/internal/pkcs11_store_impl.h
//
// Pkcs11KeyStore::Impl, shared by pkcs11_key_store.cpp (life cycle, keys,
// signing) and pkcs11_release_wrap.cpp (export_wrapped, decrypt). Private to
// src/hsm. Thread-safety: as Pkcs11KeyStore.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <map>
#include <string_view>

#include "hsm/internal/pkcs11_module.h"
#include "hsm/internal/pkcs11_session.h"
#include "hsm/pkcs11_key_store.h"

namespace mpcc::hsm {

struct Pkcs11KeyStore::Impl {
  Impl(std::shared_ptr<internal::Module> m, CK_SLOT_ID slot, const Pkcs11Config& config);
  ~Impl();  // closes the login session, then (members) the pool

  // Declared in destruction order's reverse: the module outlives the pool.
  std::shared_ptr<internal::Module> module;
  internal::SessionPool pool;
  CK_SESSION_HANDLE login_session = CK_INVALID_HANDLE;
  bool allow_host_oaep;
  bool allow_host_kwp_correction;

  std::mutex create_mu;
  std::set<std::string, std::less<>> creating;  // ids being created now

  // OaepSite per OAEP hash: [0] SHA-1, [1] SHA-256, [2] SHA-384.
  std::array<std::atomic<int>, 3> oaep_sites{};

  // The AES key wrap mechanism releases use, probed once (kwp_mu guards it).
  struct Kwp {
    CK_MECHANISM_TYPE mechanism;
    bool pads;  // zero-pads key data before RFC 5649: correct on the host
  };
  std::mutex kwp_mu;
  std::optional<Kwp> kwp;

  // The key object of `cls` with CKA_ID == id, if any.
  static StatusOr<std::optional<CK_OBJECT_HANDLE>> find_key(internal::Session& s,
                                                            CK_OBJECT_CLASS cls,
                                                            std::string_view id);
  // The private key of `id`, or key_not_found(id).
  static StatusOr<CK_OBJECT_HANDLE> private_key(internal::Session& s, std::string_view id);
  // KeyInfo read from the private key object (modulus, exponent,
  // extractable). The public key built from a modulus and exponent is kept
  // per id and reused while the token's object has the same ones: building
  // it runs OpenSSL's public-key check, which for RSA-4096 (a primality
  // test of the modulus) was nearly all the time of a vault's GET key.
  StatusOr<KeyInfo> key_info(internal::Session& s, CK_OBJECT_HANDLE priv, std::string_view id);

  struct CachedPublicKey {
    Bytes n, e;
    crypto::PublicKey key;
  };
  std::mutex public_keys_mu;
  std::map<std::string, CachedPublicKey, std::less<>> public_keys;
};

}  // namespace mpcc::hsm
