#include "hsm/pkcs11_key_store.h"

#include <algorithm>
#include <utility>

#include "hsm/internal/pkcs11_store_impl.h"
#include "hsm/internal/pkcs11_token.h"

namespace mpcc::hsm {
namespace {

using internal::AttrTemplate;
using internal::call;
using internal::Session;

const Bytes kExponent65537 = {0x01, 0x00, 0x01};

// Marks `id` as being created for the guard's lifetime, so that two threads
// creating the same id cannot both pass the existence check.
class CreationGuard {
 public:
  CreationGuard(std::mutex& mu, std::set<std::string, std::less<>>& creating, std::string_view id)
      : mu_(mu), creating_(creating), id_(id) {
    std::lock_guard lock(mu_);
    claimed_ = creating_.insert(id_).second;
  }
  ~CreationGuard() {
    if (!claimed_) return;
    std::lock_guard lock(mu_);
    creating_.erase(id_);
  }
  CreationGuard(const CreationGuard&) = delete;
  CreationGuard& operator=(const CreationGuard&) = delete;
  bool claimed() const { return claimed_; }

 private:
  std::mutex& mu_;
  std::set<std::string, std::less<>>& creating_;
  std::string id_;
  bool claimed_ = false;
};

// kAlreadyExists if any object carries CKA_ID == id.
Status check_id_free(Session& s, std::string_view id) {
  AttrTemplate t;
  t.add_string(CKA_ID, id);
  MPCC_ASSIGN_OR_RETURN(std::optional<CK_OBJECT_HANDLE> any, s.find_one(t));
  if (any) return key_exists(id);
  return ok_status();
}

void add_public_attributes(AttrTemplate& t, std::string_view id) {
  t.add_ulong(CKA_CLASS, CKO_PUBLIC_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_RSA)
      .add_bool(CKA_TOKEN, true)
      .add_bool(CKA_PRIVATE, false)
      .add_bool(CKA_VERIFY, true)
      .add_bool(CKA_ENCRYPT, true)
      .add_bool(CKA_WRAP, false)
      .add_string(CKA_ID, id)
      .add_string(CKA_LABEL, id);
}

void add_private_attributes(AttrTemplate& t, std::string_view id, bool extractable) {
  t.add_ulong(CKA_CLASS, CKO_PRIVATE_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_RSA)
      .add_bool(CKA_TOKEN, true)
      .add_bool(CKA_PRIVATE, true)
      .add_bool(CKA_SENSITIVE, true)
      .add_bool(CKA_EXTRACTABLE, extractable)
      .add_bool(CKA_SIGN, true)
      .add_bool(CKA_DECRYPT, true)
      .add_bool(CKA_UNWRAP, false)
      .add_string(CKA_ID, id)
      .add_string(CKA_LABEL, id);
}

struct SignMechanism {
  CK_MECHANISM_TYPE mechanism;
  CK_RSA_PKCS_PSS_PARAMS pss;
  bool uses_pss;
};

SignMechanism sign_mechanism(crypto::SignatureAlg alg) {
  switch (alg) {
    case crypto::SignatureAlg::kRsaPkcs1Sha256:
      return {CKM_SHA256_RSA_PKCS, {}, false};
    case crypto::SignatureAlg::kRsaPkcs1Sha384:
      return {CKM_SHA384_RSA_PKCS, {}, false};
    case crypto::SignatureAlg::kRsaPssSha256:
      return {CKM_SHA256_RSA_PKCS_PSS, {CKM_SHA256, CKG_MGF1_SHA256, 32}, true};
    case crypto::SignatureAlg::kRsaPssSha384:
      return {CKM_SHA384_RSA_PKCS_PSS, {CKM_SHA384, CKG_MGF1_SHA384, 48}, true};
    case crypto::SignatureAlg::kEcdsaP256Sha256:
    case crypto::SignatureAlg::kEcdsaP384Sha384:
      break;
  }
  throw std::logic_error("sign_mechanism: not an RSA algorithm (checked before)");
}

}  // namespace

// ---- Impl -------------------------------------------------------------------

Pkcs11KeyStore::Impl::Impl(std::shared_ptr<internal::Module> m, CK_SLOT_ID slot,
                           const Pkcs11Config& config)
    : module(std::move(m)),
      pool(module, slot),
      allow_host_oaep(config.allow_host_oaep),
      allow_host_kwp_correction(config.allow_host_kwp_correction) {}

Pkcs11KeyStore::Impl::~Impl() {
  // No C_Logout: the login belongs to the application, and another store in
  // this process may still use it. Closing the last session logs out.
  if (login_session != CK_INVALID_HANDLE) {
    (void)call(module->fn()->C_CloseSession, login_session);
  }
}

StatusOr<std::optional<CK_OBJECT_HANDLE>> Pkcs11KeyStore::Impl::find_key(Session& s,
                                                                         CK_OBJECT_CLASS cls,
                                                                         std::string_view id) {
  AttrTemplate t;
  t.add_ulong(CKA_CLASS, cls).add_string(CKA_ID, id);
  return s.find_one(t);
}

StatusOr<CK_OBJECT_HANDLE> Pkcs11KeyStore::Impl::private_key(Session& s, std::string_view id) {
  MPCC_ASSIGN_OR_RETURN(std::optional<CK_OBJECT_HANDLE> h, find_key(s, CKO_PRIVATE_KEY, id));
  if (!h) return key_not_found(id);
  return *h;
}

StatusOr<KeyInfo> Pkcs11KeyStore::Impl::key_info(Session& s, CK_OBJECT_HANDLE priv,
                                                 std::string_view id) {
  crypto::RsaPublicComponents c;
  MPCC_ASSIGN_OR_RETURN(c.n, s.attribute(priv, CKA_MODULUS));
  MPCC_ASSIGN_OR_RETURN(c.e, s.attribute(priv, CKA_PUBLIC_EXPONENT));
  MPCC_ASSIGN_OR_RETURN(bool extractable, s.bool_attribute(priv, CKA_EXTRACTABLE));
  {
    std::lock_guard lock(public_keys_mu);
    auto it = public_keys.find(id);
    if (it != public_keys.end() && it->second.n == c.n && it->second.e == c.e) {
      return KeyInfo{std::string(id), it->second.key.bits(), extractable, it->second.key};
    }
  }
  StatusOr<crypto::PublicKey> pub = crypto::PublicKey::from_rsa(c);
  if (!pub.ok()) return pub.status().with_context("HSM: key '" + std::string(id) + "'");
  {
    std::lock_guard lock(public_keys_mu);
    public_keys.insert_or_assign(std::string(id), CachedPublicKey{c.n, c.e, *pub});
  }
  return KeyInfo{std::string(id), pub->bits(), extractable, *pub};
}

// ---- life cycle -------------------------------------------------------------

Pkcs11KeyStore::Pkcs11KeyStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pkcs11KeyStore::~Pkcs11KeyStore() = default;

StatusOr<std::unique_ptr<Pkcs11KeyStore>> Pkcs11KeyStore::open(const Pkcs11Config& config) {
  if (config.user_pin.empty()) return invalid_argument("HSM: the user PIN is empty");
  if (config.module_path.empty()) return invalid_argument("HSM: the module path is empty");
  std::string conf;
  if (!config.softhsm_state_dir.empty()) {
    MPCC_ASSIGN_OR_RETURN(conf, internal::prepare_softhsm_state_dir(config.softhsm_state_dir));
  }
  MPCC_ASSIGN_OR_RETURN(std::shared_ptr<internal::Module> module,
                        internal::Module::acquire(config.module_path, conf));
  MPCC_ASSIGN_OR_RETURN(
      CK_SLOT_ID slot,
      internal::find_or_init_token(*module, config.token_label, config.so_pin, config.user_pin));
  auto impl = std::make_unique<Impl>(module, slot, config);
  CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
  if (CK_RV rv = call(module->fn()->C_OpenSession, slot,
                      CK_FLAGS{CKF_SERIAL_SESSION | CKF_RW_SESSION}, nullptr, nullptr, &h);
      rv != CKR_OK) {
    return internal::ckr_error(rv, "C_OpenSession");
  }
  impl->login_session = h;  // closed by ~Impl, also on the error path below
  MPCC_RETURN_IF_ERROR(internal::login_user(*module, h, config.user_pin));
  return std::unique_ptr<Pkcs11KeyStore>(new Pkcs11KeyStore(std::move(impl)));
}

std::string Pkcs11KeyStore::module_description() const { return impl_->module->description(); }

// ---- keys -------------------------------------------------------------------

StatusOr<KeyInfo> Pkcs11KeyStore::generate_rsa(std::string_view id, const RsaKeySpec& spec) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_RETURN_IF_ERROR(check_rsa_bits(spec.bits));
  CreationGuard guard(impl_->create_mu, impl_->creating, id);
  if (!guard.claimed()) return key_exists(id);
  MPCC_ASSIGN_OR_RETURN(Session s, impl_->pool.acquire());
  MPCC_RETURN_IF_ERROR(check_id_free(s, id));

  AttrTemplate pub;
  add_public_attributes(pub, id);
  pub.add_ulong(CKA_MODULUS_BITS, static_cast<CK_ULONG>(spec.bits))
      .add_bytes(CKA_PUBLIC_EXPONENT, kExponent65537);
  AttrTemplate priv;
  add_private_attributes(priv, id, spec.extractable);
  CK_MECHANISM mech{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE pub_h = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE priv_h = CK_INVALID_HANDLE;
  MPCC_RETURN_IF_ERROR(s.check(call(s.fn()->C_GenerateKeyPair, s.handle(), &mech, pub.data(),
                                    pub.size(), priv.data(), priv.size(), &pub_h, &priv_h),
                               "C_GenerateKeyPair"));
  return impl_->key_info(s, priv_h, id);
}

StatusOr<KeyInfo> Pkcs11KeyStore::import_rsa(std::string_view id, const crypto::PrivateKey& key,
                                             bool extractable) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  if (key.type() != crypto::KeyType::kRsa) {
    return invalid_argument("HSM: only RSA keys can be imported");
  }
  MPCC_RETURN_IF_ERROR(check_rsa_bits(key.bits()));
  MPCC_ASSIGN_OR_RETURN(crypto::RsaPrivateComponents c, key.rsa());
  CreationGuard guard(impl_->create_mu, impl_->creating, id);
  if (!guard.claimed()) return key_exists(id);
  MPCC_ASSIGN_OR_RETURN(Session s, impl_->pool.acquire());
  MPCC_RETURN_IF_ERROR(check_id_free(s, id));

  AttrTemplate priv;
  add_private_attributes(priv, id, extractable);
  priv.add_bytes(CKA_MODULUS, c.n)
      .add_bytes(CKA_PUBLIC_EXPONENT, c.e)
      .add_bytes(CKA_PRIVATE_EXPONENT, c.d)
      .add_bytes(CKA_PRIME_1, c.p)
      .add_bytes(CKA_PRIME_2, c.q)
      .add_bytes(CKA_EXPONENT_1, c.dp)
      .add_bytes(CKA_EXPONENT_2, c.dq)
      .add_bytes(CKA_COEFFICIENT, c.qi);
  CK_OBJECT_HANDLE priv_h = CK_INVALID_HANDLE;
  MPCC_RETURN_IF_ERROR(
      s.check(call(s.fn()->C_CreateObject, s.handle(), priv.data(), priv.size(), &priv_h),
              "C_CreateObject(private key)"));
  AttrTemplate pub;
  add_public_attributes(pub, id);
  pub.add_bytes(CKA_MODULUS, c.n).add_bytes(CKA_PUBLIC_EXPONENT, c.e);
  CK_OBJECT_HANDLE pub_h = CK_INVALID_HANDLE;
  Status created = s.check(call(s.fn()->C_CreateObject, s.handle(), pub.data(), pub.size(), &pub_h),
                           "C_CreateObject(public key)");
  if (!created.ok()) {
    (void)s.destroy(priv_h);  // no half-imported key
    return created;
  }
  return impl_->key_info(s, priv_h, id);
}

StatusOr<KeyInfo> Pkcs11KeyStore::get(std::string_view id) const {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_ASSIGN_OR_RETURN(Session s, impl_->pool.acquire());
  MPCC_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE priv, Impl::private_key(s, id));
  return impl_->key_info(s, priv, id);
}

StatusOr<std::vector<std::string>> Pkcs11KeyStore::list() const {
  MPCC_ASSIGN_OR_RETURN(Session s, impl_->pool.acquire());
  AttrTemplate t;
  t.add_ulong(CKA_CLASS, CKO_PRIVATE_KEY);
  MPCC_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> keys, s.find(t));
  std::vector<std::string> ids;
  for (CK_OBJECT_HANDLE h : keys) {
    MPCC_ASSIGN_OR_RETURN(Bytes raw, s.attribute(h, CKA_ID));
    std::string id = to_string(raw);
    if (check_key_id(id).ok()) ids.push_back(std::move(id));  // skip foreign objects
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Status Pkcs11KeyStore::destroy(std::string_view id) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_ASSIGN_OR_RETURN(Session s, impl_->pool.acquire());
  std::vector<CK_OBJECT_HANDLE> objects;
  for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
    AttrTemplate t;
    t.add_ulong(CKA_CLASS, cls).add_string(CKA_ID, id);
    MPCC_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> found, s.find(t));
    objects.insert(objects.end(), found.begin(), found.end());
  }
  if (objects.empty()) return key_not_found(id);
  {
    std::lock_guard lock(impl_->public_keys_mu);
    if (auto it = impl_->public_keys.find(id); it != impl_->public_keys.end()) {
      impl_->public_keys.erase(it);
    }
  }
  for (CK_OBJECT_HANDLE h : objects) MPCC_RETURN_IF_ERROR(s.destroy(h));
  return ok_status();
}

StatusOr<Bytes> Pkcs11KeyStore::sign(std::string_view id, crypto::SignatureAlg alg,
                                     ByteSpan message) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_RETURN_IF_ERROR(check_rsa_signature_alg(alg));
  MPCC_ASSIGN_OR_RETURN(Session s, impl_->pool.acquire());
  MPCC_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE priv, Impl::private_key(s, id));
  SignMechanism m = sign_mechanism(alg);
  CK_MECHANISM mech{m.mechanism, nullptr, 0};
  if (m.uses_pss) {
    mech.pParameter = &m.pss;
    mech.ulParameterLen = sizeof m.pss;
  }
  MPCC_RETURN_IF_ERROR(s.check(call(s.fn()->C_SignInit, s.handle(), &mech, priv), "C_SignInit"));
  // The module only reads the message; PKCS#11 declares it non-const.
  CK_BYTE* data = const_cast<CK_BYTE*>(message.data());
  const auto data_len = static_cast<CK_ULONG>(message.size());
  CK_ULONG sig_len = 0;
  MPCC_RETURN_IF_ERROR(
      s.check(call(s.fn()->C_Sign, s.handle(), data, data_len, nullptr, &sig_len), "C_Sign"));
  Bytes sig(sig_len);
  MPCC_RETURN_IF_ERROR(
      s.check(call(s.fn()->C_Sign, s.handle(), data, data_len, sig.data(), &sig_len), "C_Sign"));
  sig.resize(sig_len);
  return sig;
}

}  // namespace mpcc::hsm
