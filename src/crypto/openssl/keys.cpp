// File: crypto/openssl/keys.cpp
//
// PublicKey / PrivateKey on EVP_PKEY: generation, PEM/DER import and export,
// and JWK-style components through OSSL_PARAM (EVP_PKEY_fromdata /
// EVP_PKEY_get_bn_param).
#include "crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <cstring>
#include <stdexcept>

#include "crypto/openssl/key_util.h"
#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {

using internal::int_len;
using internal::make_pkey_handle;
using internal::openssl_error;
using internal::UniqueBignum;
using internal::UniqueBio;
using internal::UniqueEvpPkey;
using internal::UniqueEvpPkeyCtx;
using internal::UniqueParamBld;
using internal::UniqueParams;

namespace {

constexpr std::size_t kMinRsaBits = 2048;
constexpr std::size_t kMaxRsaBits = 8192;

const char* curve_group_name(Curve c) {
  switch (c) {
    case Curve::kP256:
      return "prime256v1";
    case Curve::kP384:
      return "secp384r1";
    case Curve::kP521:
      return "secp521r1";
  }
  throw std::logic_error("crypto: unknown Curve");
}

// Rejects encrypted PEM instead of prompting for a pass phrase.
int no_password(char*, int, int, void*) { return -1; }

UniqueBignum bn_from(ByteSpan b) {
  UniqueBignum bn(BN_bin2bn(internal::uchar_ptr(b), int_len(b.size()), nullptr));
  if (!bn) throw std::bad_alloc();
  return bn;
}

// A BIGNUM flagged secure, so OSSL_PARAM_BLD keeps it in the clearing
// (secure) part of the parameter block.
internal::UniqueSecureBignum secret_bn_from(ByteSpan b) {
  internal::UniqueSecureBignum bn(BN_secure_new());
  if (!bn || BN_bin2bn(internal::uchar_ptr(b), int_len(b.size()), bn.get()) == nullptr) {
    throw std::bad_alloc();
  }
  return bn;
}

// True when every byte is zero (or the span is empty).
bool is_zero(ByteSpan b) {
  for (uint8_t v : b) {
    if (v != 0) return false;
  }
  return true;
}

StatusOr<UniqueEvpPkey> from_params(const char* type, int selection, OSSL_PARAM_BLD* bld,
                                    std::string_view what) {
  UniqueParams params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return openssl_error(std::string(what) + ": cannot build parameters");
  UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    return openssl_error(std::string(what) + ": invalid key components",
                         StatusCode::kInvalidArgument);
  }
  return UniqueEvpPkey(raw);
}

// Public-key sanity check (point on curve, RSA modulus/exponent shape).
Status check_public(EVP_PKEY* pkey, std::string_view what) {
  UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
    return openssl_error(std::string(what) + ": public key check failed",
                         StatusCode::kInvalidArgument);
  }
  return ok_status();
}

Status check_pair(EVP_PKEY* pkey, std::string_view what) {
  UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_pairwise_check(ctx.get()) != 1) {
    return openssl_error(std::string(what) + ": private and public parts do not match",
                         StatusCode::kInvalidArgument);
  }
  return ok_status();
}

StatusOr<std::shared_ptr<internal::PkeyHandle>> accept(UniqueEvpPkey pkey, std::string_view what) {
  MPCC_RETURN_IF_ERROR(internal::check_supported(pkey.get(), what));
  return make_pkey_handle(std::move(pkey));
}

StatusOr<UniqueEvpPkey> ec_from_components(const EcPublicComponents& pub, const SecureBytes* d,
                                           std::string_view what) {
  std::size_t n = curve_coordinate_size(pub.curve);
  if (pub.x.size() != n || pub.y.size() != n) {
    return invalid_argument(std::string(what) + ": EC coordinates must be " + std::to_string(n) +
                            " bytes");
  }
  if (d != nullptr && (d->empty() || d->size() > n || is_zero(*d))) {
    return invalid_argument(std::string(what) + ": invalid EC private scalar size");
  }
  Bytes point;
  point.reserve(1 + 2 * n);
  point.push_back(0x04);
  point.insert(point.end(), pub.x.begin(), pub.x.end());
  point.insert(point.end(), pub.y.begin(), pub.y.end());
  UniqueParamBld bld(OSSL_PARAM_BLD_new());
  internal::UniqueSecureBignum priv;
  if (d != nullptr) priv = secret_bn_from(*d);
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      curve_group_name(pub.curve), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1 ||
      (d != nullptr &&
       (!priv || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1))) {
    return openssl_error(std::string(what) + ": cannot build EC parameters");
  }
  MPCC_ASSIGN_OR_RETURN(
      UniqueEvpPkey pkey,
      from_params("EC", d != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld.get(), what));
  MPCC_RETURN_IF_ERROR(check_public(pkey.get(), what));
  if (d != nullptr) MPCC_RETURN_IF_ERROR(check_pair(pkey.get(), what));
  return pkey;
}

StatusOr<Bytes> get_bn(EVP_PKEY* pkey, const char* name, std::size_t pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) {
    return openssl_error(std::string("key: cannot read ") + name);
  }
  UniqueBignum owned(bn);
  return internal::bn_to_bytes(bn, pad);
}

StatusOr<SecureBytes> get_secret_bn(EVP_PKEY* pkey, const char* name, std::size_t pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) {
    return openssl_error(std::string("key: cannot read ") + name);
  }
  internal::UniqueSecureBignum owned(bn);
  return internal::bn_to_secure_bytes(bn, pad);
}

StatusOr<RsaPublicComponents> rsa_public(EVP_PKEY* pkey) {
  if (internal::key_type(pkey) != KeyType::kRsa) {
    return invalid_argument("key: not an RSA key");
  }
  RsaPublicComponents c;
  MPCC_ASSIGN_OR_RETURN(c.n, get_bn(pkey, OSSL_PKEY_PARAM_RSA_N));
  MPCC_ASSIGN_OR_RETURN(c.e, get_bn(pkey, OSSL_PKEY_PARAM_RSA_E));
  return c;
}

StatusOr<EcPublicComponents> ec_public(EVP_PKEY* pkey) {
  std::optional<Curve> curve = internal::key_curve(pkey);
  if (internal::key_type(pkey) != KeyType::kEc || !curve) {
    return invalid_argument("key: not an EC key on a supported curve");
  }
  std::size_t n = curve_coordinate_size(*curve);
  EcPublicComponents c{*curve, {}, {}};
  MPCC_ASSIGN_OR_RETURN(c.x, get_bn(pkey, OSSL_PKEY_PARAM_EC_PUB_X, n));
  MPCC_ASSIGN_OR_RETURN(c.y, get_bn(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, n));
  return c;
}

}  // namespace

// ---- curve names ----------------------------------------------------------

std::string_view curve_jwk_name(Curve c) {
  switch (c) {
    case Curve::kP256:
      return "P-256";
    case Curve::kP384:
      return "P-384";
    case Curve::kP521:
      return "P-521";
  }
  throw std::logic_error("crypto: unknown Curve");
}

StatusOr<Curve> curve_from_jwk_name(std::string_view name) {
  if (name == "P-256") return Curve::kP256;
  if (name == "P-384") return Curve::kP384;
  if (name == "P-521") return Curve::kP521;
  return invalid_argument("key: unsupported curve '" + std::string(name) + "'");
}

std::size_t curve_coordinate_size(Curve c) {
  switch (c) {
    case Curve::kP256:
      return 32;
    case Curve::kP384:
      return 48;
    case Curve::kP521:
      return 66;
  }
  throw std::logic_error("crypto: unknown Curve");
}

namespace internal {

KeyType key_type(const EVP_PKEY* pkey) {
  int id = EVP_PKEY_get_base_id(pkey);
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) return KeyType::kRsa;
  if (id == EVP_PKEY_EC) return KeyType::kEc;
  throw std::logic_error("crypto: key of unsupported type");
}

std::optional<Curve> key_curve(const EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) return std::nullopt;
  char name[64] = {0};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) !=
      1) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::string_view n(name, len);
  if (n == "prime256v1" || n == "P-256") return Curve::kP256;
  if (n == "secp384r1" || n == "P-384") return Curve::kP384;
  if (n == "secp521r1" || n == "P-521") return Curve::kP521;
  return std::nullopt;
}

Status check_supported(const EVP_PKEY* pkey, std::string_view what) {
  int id = EVP_PKEY_get_base_id(pkey);
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
    auto bits = static_cast<std::size_t>(EVP_PKEY_get_bits(pkey));
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return invalid_argument(std::string(what) + ": RSA key size " + std::to_string(bits) +
                              " outside 2048..8192");
    }
    return ok_status();
  }
  if (id == EVP_PKEY_EC) {
    if (!key_curve(pkey)) return invalid_argument(std::string(what) + ": unsupported EC curve");
    return ok_status();
  }
  return invalid_argument(std::string(what) + ": unsupported key type");
}

std::size_t rsa_modulus_bytes(const EVP_PKEY* pkey) {
  return static_cast<std::size_t>(EVP_PKEY_get_size(pkey));
}

}  // namespace internal

// ---- PublicKey ------------------------------------------------------------

StatusOr<PublicKey> PublicKey::from_pem(std::string_view pem) {
  UniqueBio bio = internal::mem_bio(as_span(pem));
  UniqueEvpPkey pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_password, nullptr));
  if (!pkey) {
    return openssl_error("key: not a PEM SubjectPublicKeyInfo", StatusCode::kInvalidArgument);
  }
  MPCC_ASSIGN_OR_RETURN(auto h, accept(std::move(pkey), "key"));
  return PublicKey(std::move(h));
}

StatusOr<PublicKey> PublicKey::from_der(ByteSpan spki_der) {
  const unsigned char* p = internal::uchar_ptr(spki_der);
  long len = static_cast<long>(spki_der.size());
  UniqueEvpPkey pkey(d2i_PUBKEY(nullptr, &p, len));
  if (!pkey) {
    return openssl_error("key: not a DER SubjectPublicKeyInfo", StatusCode::kInvalidArgument);
  }
  if (p != spki_der.data() + spki_der.size()) {
    return invalid_argument("key: trailing data after SubjectPublicKeyInfo");
  }
  MPCC_ASSIGN_OR_RETURN(auto h, accept(std::move(pkey), "key"));
  return PublicKey(std::move(h));
}

StatusOr<PublicKey> PublicKey::from_rsa(const RsaPublicComponents& c) {
  if (c.n.empty() || c.e.empty() || is_zero(c.n) || is_zero(c.e)) {
    return invalid_argument("key: RSA n and e must be non-empty");
  }
  UniqueBignum n = bn_from(c.n), e = bn_from(c.e);
  UniqueParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return openssl_error("key: cannot build RSA parameters");
  }
  MPCC_ASSIGN_OR_RETURN(UniqueEvpPkey pkey,
                        from_params("RSA", EVP_PKEY_PUBLIC_KEY, bld.get(), "key"));
  MPCC_RETURN_IF_ERROR(check_public(pkey.get(), "key"));
  MPCC_ASSIGN_OR_RETURN(auto h, accept(std::move(pkey), "key"));
  return PublicKey(std::move(h));
}

StatusOr<PublicKey> PublicKey::from_ec(const EcPublicComponents& c) {
  MPCC_ASSIGN_OR_RETURN(UniqueEvpPkey pkey, ec_from_components(c, nullptr, "key"));
  MPCC_ASSIGN_OR_RETURN(auto h, accept(std::move(pkey), "key"));
  return PublicKey(std::move(h));
}

KeyType PublicKey::type() const { return internal::key_type(h_->pkey); }
std::size_t PublicKey::bits() const {
  return static_cast<std::size_t>(EVP_PKEY_get_bits(h_->pkey));
}
std::optional<Curve> PublicKey::curve() const { return internal::key_curve(h_->pkey); }

std::string PublicKey::to_pem() const {
  UniqueBio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), h_->pkey) != 1) {
    throw std::logic_error(internal::drain_openssl_errors("key: PEM_write_bio_PUBKEY failed"));
  }
  return internal::bio_to_string(bio.get());
}

Bytes PublicKey::to_der() const {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(h_->pkey, &buf);
  if (len <= 0) throw std::logic_error(internal::drain_openssl_errors("key: i2d_PUBKEY failed"));
  internal::UniqueOsslBuf owned(buf);
  return Bytes(buf, buf + len);
}

StatusOr<RsaPublicComponents> PublicKey::rsa() const { return rsa_public(h_->pkey); }
StatusOr<EcPublicComponents> PublicKey::ec() const { return ec_public(h_->pkey); }

bool PublicKey::equals(const PublicKey& other) const {
  int r = EVP_PKEY_eq(h_->pkey, other.h_->pkey);
  ERR_clear_error();
  return r == 1;
}

// ---- PrivateKey -----------------------------------------------------------

StatusOr<PrivateKey> PrivateKey::generate_rsa(std::size_t bits, uint32_t public_exponent) {
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return invalid_argument("key: RSA size must be 2048..8192 bits");
  }
  if (public_exponent < 3 || public_exponent % 2 == 0) {
    return invalid_argument("key: RSA public exponent must be odd and >= 3");
  }
  UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  UniqueBignum e(BN_new());
  if (!ctx || !e || BN_set_word(e.get(), public_exponent) != 1 ||
      EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) != 1 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) != 1) {
    return openssl_error("key: RSA key generation setup failed");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return openssl_error("key: RSA key generation failed");
  }
  return PrivateKey(make_pkey_handle(UniqueEvpPkey(raw)));
}

StatusOr<PrivateKey> PrivateKey::generate_ec(Curve curve) {
  UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), curve_group_name(curve)) != 1) {
    return openssl_error("key: EC key generation setup failed");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return openssl_error("key: EC key generation failed");
  }
  return PrivateKey(make_pkey_handle(UniqueEvpPkey(raw)));
}

StatusOr<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  UniqueBio bio = internal::mem_bio(as_span(pem));
  UniqueEvpPkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  if (!pkey) {
    return openssl_error("key: not an unencrypted PEM private key", StatusCode::kInvalidArgument);
  }
  MPCC_ASSIGN_OR_RETURN(auto h, accept(std::move(pkey), "key"));
  return PrivateKey(std::move(h));
}

StatusOr<PrivateKey> PrivateKey::from_pkcs8_der(ByteSpan der) {
  const unsigned char* p = internal::uchar_ptr(der);
  long len = static_cast<long>(der.size());
  UniqueEvpPkey pkey(d2i_AutoPrivateKey(nullptr, &p, len));
  if (!pkey) {
    return openssl_error("key: not a DER PKCS#8 private key", StatusCode::kInvalidArgument);
  }
  if (p != der.data() + der.size()) {
    return invalid_argument("key: trailing data after PKCS#8 private key");
  }
  MPCC_ASSIGN_OR_RETURN(auto h, accept(std::move(pkey), "key"));
  return PrivateKey(std::move(h));
}

StatusOr<PrivateKey> PrivateKey::from_rsa(const RsaPrivateComponents& c) {
  if (c.n.empty() || c.e.empty() || c.d.empty() || is_zero(c.n) || is_zero(c.e) || is_zero(c.d)) {
    return invalid_argument("key: RSA n, e and d must be non-empty");
  }
  bool crt = !c.p.empty() || !c.q.empty() || !c.dp.empty() || !c.dq.empty() || !c.qi.empty();
  if (crt && (c.p.empty() || c.q.empty() || c.dp.empty() || c.dq.empty() || c.qi.empty())) {
    return invalid_argument("key: RSA CRT components must be all present or all absent");
  }
  UniqueBignum n = bn_from(c.n), e = bn_from(c.e);
  internal::UniqueSecureBignum d = secret_bn_from(c.d);
  internal::UniqueSecureBignum p, q, dp, dq, qi;
  if (crt) {
    p = secret_bn_from(c.p);
    q = secret_bn_from(c.q);
    dp = secret_bn_from(c.dp);
    dq = secret_bn_from(c.dq);
    qi = secret_bn_from(c.qi);
  }
  UniqueParamBld bld(OSSL_PARAM_BLD_new());
  bool ok = bld && d && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get()) == 1;
  if (ok && crt) {
    ok = p && q && dp && dq && qi &&
         OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()) == 1 &&
         OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()) == 1 &&
         OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()) == 1 &&
         OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()) == 1 &&
         OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi.get()) == 1;
  }
  if (!ok) return openssl_error("key: cannot build RSA parameters");
  MPCC_ASSIGN_OR_RETURN(UniqueEvpPkey pkey, from_params("RSA", EVP_PKEY_KEYPAIR, bld.get(), "key"));
  MPCC_RETURN_IF_ERROR(check_public(pkey.get(), "key"));
  if (crt) MPCC_RETURN_IF_ERROR(check_pair(pkey.get(), "key"));
  MPCC_ASSIGN_OR_RETURN(auto h, accept(std::move(pkey), "key"));
  return PrivateKey(std::move(h));
}

StatusOr<PrivateKey> PrivateKey::from_ec(const EcPrivateComponents& c) {
  EcPublicComponents pub{c.curve, c.x, c.y};
  MPCC_ASSIGN_OR_RETURN(UniqueEvpPkey pkey, ec_from_components(pub, &c.d, "key"));
  MPCC_ASSIGN_OR_RETURN(auto h, accept(std::move(pkey), "key"));
  return PrivateKey(std::move(h));
}

KeyType PrivateKey::type() const { return internal::key_type(h_->pkey); }
std::size_t PrivateKey::bits() const {
  return static_cast<std::size_t>(EVP_PKEY_get_bits(h_->pkey));
}
std::optional<Curve> PrivateKey::curve() const { return internal::key_curve(h_->pkey); }

PublicKey PrivateKey::public_key() const {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(h_->pkey, &buf);
  if (len <= 0) throw std::logic_error(internal::drain_openssl_errors("key: i2d_PUBKEY failed"));
  internal::UniqueOsslBuf owned(buf);
  const unsigned char* p = buf;
  UniqueEvpPkey pub(d2i_PUBKEY(nullptr, &p, len));
  if (!pub) throw std::logic_error(internal::drain_openssl_errors("key: d2i_PUBKEY failed"));
  return PublicKey(make_pkey_handle(std::move(pub)));
}

SecureBytes PrivateKey::to_pkcs8_der() const {
  UniqueBio bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      i2d_PKCS8PrivateKey_bio(bio.get(), h_->pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw std::logic_error(internal::drain_openssl_errors("key: PKCS#8 DER export failed"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) throw std::logic_error("key: empty PKCS#8 export");
  return SecureBytes(data, data + len);
}

SecureBytes PrivateKey::to_pkcs8_pem() const {
  UniqueBio bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), h_->pkey, nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    throw std::logic_error(internal::drain_openssl_errors("key: PKCS#8 PEM export failed"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) throw std::logic_error("key: empty PKCS#8 export");
  return SecureBytes(data, data + len);
}

StatusOr<RsaPrivateComponents> PrivateKey::rsa() const {
  MPCC_ASSIGN_OR_RETURN(RsaPublicComponents pub, rsa_public(h_->pkey));
  RsaPrivateComponents c;
  c.n = std::move(pub.n);
  c.e = std::move(pub.e);
  EVP_PKEY* k = h_->pkey;
  MPCC_ASSIGN_OR_RETURN(c.d, get_secret_bn(k, OSSL_PKEY_PARAM_RSA_D));
  MPCC_ASSIGN_OR_RETURN(c.p, get_secret_bn(k, OSSL_PKEY_PARAM_RSA_FACTOR1));
  MPCC_ASSIGN_OR_RETURN(c.q, get_secret_bn(k, OSSL_PKEY_PARAM_RSA_FACTOR2));
  MPCC_ASSIGN_OR_RETURN(c.dp, get_secret_bn(k, OSSL_PKEY_PARAM_RSA_EXPONENT1));
  MPCC_ASSIGN_OR_RETURN(c.dq, get_secret_bn(k, OSSL_PKEY_PARAM_RSA_EXPONENT2));
  MPCC_ASSIGN_OR_RETURN(c.qi, get_secret_bn(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1));
  return c;
}

StatusOr<EcPrivateComponents> PrivateKey::ec() const {
  MPCC_ASSIGN_OR_RETURN(EcPublicComponents pub, ec_public(h_->pkey));
  EcPrivateComponents c{pub.curve, std::move(pub.x), std::move(pub.y), {}};
  MPCC_ASSIGN_OR_RETURN(
      c.d, get_secret_bn(h_->pkey, OSSL_PKEY_PARAM_PRIV_KEY, curve_coordinate_size(pub.curve)));
  return c;
}

}  // namespace mpcc::crypto
