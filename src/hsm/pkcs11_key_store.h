// File: hsm/pkcs11_key_store.h
//
// Pkcs11KeyStore: the KeyStore whose keys live in a PKCS#11 token - SoftHSM2
// by default, any Cryptoki 2.x module by configuration. The module is loaded
// with dlopen; no PKCS#11 header leaks out of this file.
//
// Objects per key id (CKA_ID = CKA_LABEL = id):
//  - CKO_PRIVATE_KEY/CKK_RSA: CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true;
//    CKA_EXTRACTABLE as requested; CKA_SIGN and CKA_DECRYPT true.
//  - CKO_PUBLIC_KEY/CKK_RSA: CKA_TOKEN true, CKA_VERIFY and CKA_ENCRYPT true.
// Signing and decryption run inside the module. export_wrapped composes
// CKM_RSA_AES_KEY_WRAP (which SoftHSM2 2.6.1 lacks) from mechanisms the
// module has; the private key leaves the token only as the output of
// C_WrapKey with AES key wrap with padding under an ephemeral AES key.
// README.md lists which step runs where; oaep_site() and kwp_mode() say it
// for this module at run time.
//
// With `softhsm_state_dir` set, open() prepares DIR/softhsm2.conf (token
// directory DIR/tokens, file object store) on first start and exports
// SOFTHSM2_CONF before loading the module; then it initialises a token with
// the label if none has it (needs the SO PIN) and logs in with the user PIN.
//
// One module instance is shared by the whole process (PKCS#11 is process
// global): several stores on the same module must use the same state
// directory; the module is finalised when the last store closes.
//
// Thread-safety: all methods may be called concurrently. The module is
// initialised with OS locking; each operation borrows its own session from a
// pool (one thread per session, as PKCS#11 requires); the login is held by a
// dedicated session for the store's lifetime. Creation of a given id is
// serialised so that two concurrent generate_rsa("x") yield one key and one
// kAlreadyExists.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "hsm/key_store.h"

namespace mpcc::hsm {

struct Pkcs11Config {
  std::string module_path = "/usr/lib/softhsm/libsofthsm2.so";
  std::string token_label = "mpcc";  // 1..32 bytes
  std::string user_pin;              // required
  // Needed only to initialise the token (and its user PIN) on first start;
  // empty: the token must already exist.
  std::string so_pin;
  // SoftHSM2 only: the directory for its configuration and token files.
  // Empty: SOFTHSM2_CONF is left as the environment has it (or a real HSM).
  std::filesystem::path softhsm_state_dir;
  // Host-side steps export_wrapped may take where the module falls short
  // (README.md, "Where the release wrap runs"). Either makes the ephemeral AES
  // key readable by this process; if disallowed, such releases fail
  // kUnimplemented.
  //  - The module has no RSA-OAEP with the hash the release asks for
  //    (SoftHSM2 2.6.1: SHA-1 only): encrypt the AES key in src/crypto.
  bool allow_host_oaep = true;
  //  - The module's AES-KWP counts zero padding in the RFC 5649 length
  //    (SoftHSM2 2.6.1 pads key data to 8 bytes before wrapping): unwrap its
  //    output in this process, cut the padding after the PKCS#8 DER, re-wrap.
  bool allow_host_kwp_correction = true;
};

// Where the RSA-OAEP step of export_wrapped runs for one OAEP hash.
enum class OaepSite {
  kNotProbed,  // no release with this hash yet
  kModule,     // C_WrapKey(CKM_RSA_PKCS_OAEP) inside the token
  kHost,       // the module refused that hash: crypto::rsa_oaep_encrypt
};

// How export_wrapped gets an RFC 5649 wrap of the PKCS#8 out of the module,
// found with a throwaway secret at the first release.
enum class KwpMode {
  kNotProbed,
  kExact,          // C_WrapKey(CKM_AES_KEY_WRAP_KWP or _PAD) is exact RFC 5649
  kHostCorrected,  // the module pads the key data first: corrected in this process
};

class Pkcs11KeyStore final : public KeyStore {
 public:
  // Loads the module, finds or initialises the token, logs in.
  // Errors: kInvalidArgument for a bad config (empty user PIN, label size);
  // kFailedPrecondition "PKCS#11: cannot load module '<path>': ..." for a
  // missing or foreign module file, or no token and no SO PIN;
  // kUnauthenticated "PKCS#11: C_Login(user) failed: CKR_PIN_INCORRECT" for a
  // wrong PIN; other module errors with their CKR_* name.
  static StatusOr<std::unique_ptr<Pkcs11KeyStore>> open(const Pkcs11Config& config);
  ~Pkcs11KeyStore() override;  // closes its sessions; finalises the module if last

  std::string_view backend() const override { return "pkcs11"; }
  // C_GetInfo's manufacturer, description and version, e.g. "SoftHSM ... 2.6".
  std::string module_description() const;
  OaepSite oaep_site(crypto::RsaAesWrapAlg alg) const;
  KwpMode kwp_mode() const;

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

  struct Impl;  // defined in pkcs11_key_store.cpp; public for the .cpp helpers

 private:
  explicit Pkcs11KeyStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpcc::hsm
