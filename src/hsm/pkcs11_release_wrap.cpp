// Pkcs11KeyStore::export_wrapped and ::decrypt: the operations that take the
// private key's secrets through RSA-OAEP or AES-KWP. README.md says which
// steps run inside the module.
#include <algorithm>
#include <optional>
#include <utility>

#include "crypto/key_wrap.h"
#include "crypto/random.h"
#include "crypto/rsa_oaep.h"
#include "hsm/internal/pkcs11_store_impl.h"
#include "hsm/pkcs11_key_store.h"

namespace mpcc::hsm {
namespace {

using internal::AttrTemplate;
using internal::call;
using internal::ScopedObject;
using internal::Session;

constexpr CK_ULONG kKekBytes = 32;  // AES-256 (spec 9.5)
// PKCS#11 3.0's RFC 5649 mechanism; p11-kit's 2.40 header does not name it.
constexpr CK_MECHANISM_TYPE kCkmAesKeyWrapKwp = 0x210B;

std::size_t site_index(crypto::HashAlg hash) {
  switch (hash) {
    case crypto::HashAlg::kSha1:
      return 0;
    case crypto::HashAlg::kSha256:
      return 1;
    case crypto::HashAlg::kSha384:
      return 2;
    case crypto::HashAlg::kSha512:
      break;
  }
  throw std::logic_error("site_index: no OAEP hash (checked before)");
}

CK_RSA_PKCS_OAEP_PARAMS oaep_params(crypto::HashAlg hash) {
  CK_RSA_PKCS_OAEP_PARAMS p{};
  switch (site_index(hash)) {
    case 0:
      p.hashAlg = CKM_SHA_1;
      p.mgf = CKG_MGF1_SHA1;
      break;
    case 1:
      p.hashAlg = CKM_SHA256;
      p.mgf = CKG_MGF1_SHA256;
      break;
    default:
      p.hashAlg = CKM_SHA384;
      p.mgf = CKG_MGF1_SHA384;
      break;
  }
  p.source = CKZ_DATA_SPECIFIED;  // empty label
  p.pSourceData = nullptr;
  p.ulSourceDataLen = 0;
  return p;
}

// How modules say "not this mechanism / not these parameters": SoftHSM2 2.6.1
// answers an OAEP hash other than SHA-1 with CKR_ARGUMENTS_BAD.
bool is_mechanism_refusal(CK_RV rv) {
  return rv == CKR_MECHANISM_INVALID || rv == CKR_MECHANISM_PARAM_INVALID ||
         rv == CKR_ARGUMENTS_BAD;
}

// An ephemeral AES-256 session key that may wrap and be wrapped.
// `readable`: CKA_SENSITIVE false, so that CKA_VALUE can be read.
StatusOr<CK_OBJECT_HANDLE> generate_kek(Session& s, bool readable) {
  AttrTemplate t;
  t.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_AES)
      .add_ulong(CKA_VALUE_LEN, kKekBytes)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_PRIVATE, true)
      .add_bool(CKA_SENSITIVE, !readable)
      .add_bool(CKA_EXTRACTABLE, true)
      .add_bool(CKA_WRAP, true)
      .add_bool(CKA_UNWRAP, false)
      .add_bool(CKA_ENCRYPT, false)
      .add_bool(CKA_DECRYPT, false);
  CK_MECHANISM mech{CKM_AES_KEY_GEN, nullptr, 0};
  CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
  MPCC_RETURN_IF_ERROR(
      s.check(call(s.fn()->C_GenerateKey, s.handle(), &mech, t.data(), t.size(), &h),
              "C_GenerateKey(AES-256)"));
  return h;
}

// The release target's public key as a session object that may wrap.
StatusOr<CK_OBJECT_HANDLE> create_target(Session& s, const crypto::RsaPublicComponents& c) {
  AttrTemplate t;
  t.add_ulong(CKA_CLASS, CKO_PUBLIC_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_RSA)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_PRIVATE, false)
      .add_bool(CKA_WRAP, true)
      .add_bool(CKA_ENCRYPT, false)
      .add_bool(CKA_VERIFY, false)
      .add_bytes(CKA_MODULUS, c.n)
      .add_bytes(CKA_PUBLIC_EXPONENT, c.e);
  CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
  MPCC_RETURN_IF_ERROR(s.check(call(s.fn()->C_CreateObject, s.handle(), t.data(), t.size(), &h),
                               "C_CreateObject(wrapping key)"));
  return h;
}

// C_WrapKey, two-call. `*rv_out` (if given) receives the module's answer.
StatusOr<Bytes> wrap_key(Session& s, CK_MECHANISM& mech, CK_OBJECT_HANDLE wrapping,
                         CK_OBJECT_HANDLE key, std::string_view what, CK_RV* rv_out = nullptr) {
  CK_ULONG len = 0;
  CK_RV rv = call(s.fn()->C_WrapKey, s.handle(), &mech, wrapping, key, nullptr, &len);
  Bytes out;
  if (rv == CKR_OK) {
    out.resize(len);
    rv = call(s.fn()->C_WrapKey, s.handle(), &mech, wrapping, key, out.data(), &len);
  }
  if (rv_out != nullptr) *rv_out = rv;
  MPCC_RETURN_IF_ERROR(s.check(rv, what));
  out.resize(len);
  return out;
}

std::string kwp_name(CK_MECHANISM_TYPE m) {
  return m == kCkmAesKeyWrapKwp ? "CKM_AES_KEY_WRAP_KWP" : "CKM_AES_KEY_WRAP_PAD";
}

// Finds how this module does RFC 5649, by wrapping a throwaway 9-byte
// generic secret under a throwaway readable KEK and unwrapping the result in
// src/crypto: CKM_AES_KEY_WRAP_KWP (PKCS#11 3.0) if the module has it, else
// CKM_AES_KEY_WRAP_PAD, which PKCS#11 2.40 modules such as SoftHSM2 use for
// RFC 5649. SoftHSM2 2.6.1 zero-pads the data to 8 bytes first, so its
// length field counts the padding: `pads`.
StatusOr<Pkcs11KeyStore::Impl::Kwp> probe_kwp(Session& s) {
  const SecureBytes secret = crypto::random_secret(9);
  std::optional<Pkcs11KeyStore::Impl::Kwp> padded;
  for (CK_MECHANISM_TYPE m : {kCkmAesKeyWrapKwp, CK_MECHANISM_TYPE{CKM_AES_KEY_WRAP_PAD}}) {
    MPCC_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE kek_h, generate_kek(s, /*readable=*/true));
    ScopedObject kek(s, kek_h);
    AttrTemplate t;
    t.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
        .add_ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
        .add_bool(CKA_TOKEN, false)
        .add_bool(CKA_SENSITIVE, false)
        .add_bool(CKA_EXTRACTABLE, true)
        .add_bytes(CKA_VALUE, secret);
    CK_OBJECT_HANDLE probe_h = CK_INVALID_HANDLE;
    MPCC_RETURN_IF_ERROR(
        s.check(call(s.fn()->C_CreateObject, s.handle(), t.data(), t.size(), &probe_h),
                "C_CreateObject(key wrap probe)"));
    ScopedObject probe(s, probe_h);
    CK_MECHANISM mech{m, nullptr, 0};
    CK_RV rv = CKR_OK;
    StatusOr<Bytes> wrapped =
        wrap_key(s, mech, kek.get(), probe.get(), "C_WrapKey(" + kwp_name(m) + ")", &rv);
    if (!wrapped.ok()) {
      if (is_mechanism_refusal(rv)) continue;
      return wrapped.status();
    }
    MPCC_ASSIGN_OR_RETURN(SecureBytes kek_value, s.secret_attribute(kek.get(), CKA_VALUE));
    StatusOr<SecureBytes> back = crypto::aes_kwp_unwrap(kek_value, *wrapped);
    if (!back.ok()) continue;  // not RFC 5649 (e.g. PKCS#11 3.0 PAD = PKCS#7 + RFC 3394)
    if (*back == secret) return Pkcs11KeyStore::Impl::Kwp{m, false};
    const bool zero_padded =
        back->size() == 16 && std::equal(secret.begin(), secret.end(), back->begin()) &&
        std::all_of(back->begin() + 9, back->end(), [](uint8_t b) { return b == 0; });
    if (zero_padded && !padded) padded = Pkcs11KeyStore::Impl::Kwp{m, true};
  }
  if (padded) return *padded;
  return unimplemented("HSM: the module has no RFC 5649 AES key wrap with padding");
}

// The length of the DER element at the start of `der` (definite lengths up to
// 3 length bytes), or nullopt.
std::optional<std::size_t> der_element_size(ByteSpan der) {
  if (der.size() < 2 || der[0] != 0x30) return std::nullopt;
  const uint8_t first = der[1];
  if (first < 0x80) return 2u + first;
  const std::size_t n = first & 0x7f;
  if (n == 0 || n > 3 || der.size() < 2 + n) return std::nullopt;
  std::size_t len = 0;
  for (std::size_t i = 0; i < n; ++i) len = (len << 8) | der[2 + i];
  return 2 + n + len;
}

// For modules that zero-pad before RFC 5649 (SoftHSM2 2.6.1): unwraps the
// module's output with the (readable) KEK, cuts the zero padding after the
// PKCS#8 DER, and re-wraps under the same KEK. The clear PKCS#8 exists only
// in a wiping buffer for the duration of this call.
StatusOr<Bytes> correct_kwp(ByteSpan kek, ByteSpan module_output) {
  MPCC_ASSIGN_OR_RETURN(SecureBytes padded, crypto::aes_kwp_unwrap(kek, module_output));
  std::optional<std::size_t> size = der_element_size(padded);
  if (!size || *size > padded.size() || padded.size() - *size >= 8 ||
      !std::all_of(padded.begin() + static_cast<std::ptrdiff_t>(*size), padded.end(),
                   [](uint8_t b) { return b == 0; })) {
    return internal_error("PKCS#11: the module's wrapped key is not PKCS#8 DER plus zero padding");
  }
  return crypto::aes_kwp_wrap(kek, ByteSpan(padded).first(*size));
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

OaepSite Pkcs11KeyStore::oaep_site(crypto::RsaAesWrapAlg alg) const {
  return static_cast<OaepSite>(
      impl_->oaep_sites[site_index(crypto::rsa_aes_wrap_hash(alg))].load());
}

KwpMode Pkcs11KeyStore::kwp_mode() const {
  std::lock_guard lock(impl_->kwp_mu);
  if (!impl_->kwp) return KwpMode::kNotProbed;
  return impl_->kwp->pads ? KwpMode::kHostCorrected : KwpMode::kExact;
}

StatusOr<Bytes> Pkcs11KeyStore::export_wrapped(std::string_view id,
                                               const crypto::PublicKey& wrapping_key,
                                               crypto::RsaAesWrapAlg alg) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_RETURN_IF_ERROR(check_wrapping_key(wrapping_key));
  MPCC_ASSIGN_OR_RETURN(crypto::RsaPublicComponents target, wrapping_key.rsa());
  MPCC_ASSIGN_OR_RETURN(Session s, impl_->pool.acquire());
  MPCC_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE priv, Impl::private_key(s, id));
  MPCC_ASSIGN_OR_RETURN(bool extractable, s.bool_attribute(priv, CKA_EXTRACTABLE));
  if (!extractable) return key_not_extractable(id);

  Impl::Kwp kwp{};
  {
    std::lock_guard lock(impl_->kwp_mu);
    if (!impl_->kwp) {
      MPCC_ASSIGN_OR_RETURN(Impl::Kwp probed, probe_kwp(s));
      impl_->kwp = probed;
    }
    kwp = *impl_->kwp;
  }
  if (kwp.pads && !impl_->allow_host_kwp_correction) {
    return unimplemented("HSM: the module's " + kwp_name(kwp.mechanism) +
                         " counts zero padding in the RFC 5649 length and host-side "
                         "correction is disabled");
  }

  const crypto::HashAlg hash = crypto::rsa_aes_wrap_hash(alg);
  std::atomic<int>& site = impl_->oaep_sites[site_index(hash)];
  auto host_oaep_refused = [&] {
    return unimplemented(
        "HSM: the module has no RSA-OAEP with " + std::string(crypto::hash_name(hash)) + " for " +
        std::string(crypto::rsa_aes_wrap_name(alg)) + " and host-side OAEP is disabled");
  };
  // One reading of the shared cache; other threads may update it meanwhile.
  auto where = static_cast<OaepSite>(site.load());
  if (where == OaepSite::kHost && !impl_->allow_host_oaep) return host_oaep_refused();

  // The KEK stays sensitive unless a host-side step needs its value.
  bool readable = kwp.pads || where == OaepSite::kHost;
  for (;;) {
    // (a) The ephemeral AES-256 KEK, generated in the module; (d) destroyed
    // with `kek` on every path out of this scope.
    MPCC_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE kek_h, generate_kek(s, readable));
    ScopedObject kek(s, kek_h);
    std::optional<SecureBytes> kek_value;
    auto kek_bytes = [&]() -> StatusOr<ByteSpan> {
      if (!kek_value) {
        MPCC_ASSIGN_OR_RETURN(SecureBytes v, s.secret_attribute(kek.get(), CKA_VALUE));
        if (v.size() != kKekBytes) {
          return internal_error("PKCS#11: the ephemeral AES key has the wrong length");
        }
        kek_value = std::move(v);
      }
      return ByteSpan(*kek_value);
    };

    // (c) RSA-OAEP of the KEK for the target.
    Bytes oaep;
    if (where != OaepSite::kHost) {
      MPCC_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE target_h, create_target(s, target));
      ScopedObject target_obj(s, target_h);
      CK_RSA_PKCS_OAEP_PARAMS params = oaep_params(hash);
      CK_MECHANISM mech{CKM_RSA_PKCS_OAEP, &params, sizeof params};
      CK_RV rv = CKR_OK;
      StatusOr<Bytes> in_module =
          wrap_key(s, mech, target_obj.get(), kek.get(), "C_WrapKey(CKM_RSA_PKCS_OAEP)", &rv);
      if (in_module.ok()) {
        where = OaepSite::kModule;
        site.store(static_cast<int>(where));
        oaep = std::move(*in_module);
      } else if (is_mechanism_refusal(rv)) {
        where = OaepSite::kHost;  // the module lacks this hash
        site.store(static_cast<int>(where));
        if (!impl_->allow_host_oaep) return host_oaep_refused();
        if (!readable) {
          readable = true;  // start again with a KEK whose value can be read
          continue;
        }
      } else {
        return in_module.status();
      }
    }
    if (where == OaepSite::kHost) {
      MPCC_ASSIGN_OR_RETURN(ByteSpan k, kek_bytes());
      MPCC_ASSIGN_OR_RETURN(oaep, crypto::rsa_oaep_encrypt(wrapping_key, hash, k));
    }

    // (b) The private key under the KEK: C_WrapKey in the module is the only
    // way it leaves the token.
    CK_MECHANISM kwp_mech{kwp.mechanism, nullptr, 0};
    MPCC_ASSIGN_OR_RETURN(Bytes wrapped, wrap_key(s, kwp_mech, kek.get(), priv,
                                                  "C_WrapKey(" + kwp_name(kwp.mechanism) + ")"));
    if (kwp.pads) {
      MPCC_ASSIGN_OR_RETURN(ByteSpan k, kek_bytes());
      MPCC_ASSIGN_OR_RETURN(wrapped, correct_kwp(k, wrapped));
    }
    return concat(std::move(oaep), wrapped);
  }
}

StatusOr<SecureBytes> Pkcs11KeyStore::decrypt(std::string_view id, crypto::HashAlg oaep_hash,
                                              ByteSpan ciphertext) {
  MPCC_RETURN_IF_ERROR(check_key_id(id));
  MPCC_RETURN_IF_ERROR(check_oaep_hash(oaep_hash));
  MPCC_ASSIGN_OR_RETURN(Session s, impl_->pool.acquire());
  MPCC_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE priv, Impl::private_key(s, id));
  CK_RSA_PKCS_OAEP_PARAMS params = oaep_params(oaep_hash);
  CK_MECHANISM mech{CKM_RSA_PKCS_OAEP, &params, sizeof params};
  CK_RV rv = call(s.fn()->C_DecryptInit, s.handle(), &mech, priv);
  if (rv != CKR_OK) {
    Status st = s.check(rv, "C_DecryptInit(CKM_RSA_PKCS_OAEP)");
    if (is_mechanism_refusal(rv)) {
      return unimplemented("HSM: the module has no RSA-OAEP with " +
                           std::string(crypto::hash_name(oaep_hash)) + " (" + st.message() + ")");
    }
    return st;
  }
  // The module only reads the ciphertext; PKCS#11 declares it non-const.
  CK_BYTE* in = const_cast<CK_BYTE*>(ciphertext.data());
  const auto in_len = static_cast<CK_ULONG>(ciphertext.size());
  CK_ULONG out_len = 0;
  rv = call(s.fn()->C_Decrypt, s.handle(), in, in_len, nullptr, &out_len);
  SecureBytes out;
  if (rv == CKR_OK) {
    out.resize(out_len);
    rv = call(s.fn()->C_Decrypt, s.handle(), in, in_len, out.data(), &out_len);
  }
  if (rv != CKR_OK) {
    Status st = s.check(rv, "C_Decrypt");
    switch (st.code()) {
      case StatusCode::kUnavailable:
      case StatusCode::kUnauthenticated:
      case StatusCode::kResourceExhausted:
        return st;  // the device, not the ciphertext
      default:
        return permission_denied("RSA-OAEP: decryption failed");  // one answer, no oracle
    }
  }
  out.resize(out_len);
  return out;
}

}  // namespace mpcc::hsm
