// File: crypto/openssl/signature.cpp
//
// RSASSA-PKCS1-v1_5, RSASSA-PSS and ECDSA through EVP_DigestSign/Verify, plus
// the DER <-> r||s conversion for ECDSA signatures.
#include "crypto/signature.h"

#include <openssl/rsa.h>

#include <stdexcept>

#include "crypto/openssl/key_util.h"
#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {

using internal::int_len;
using internal::openssl_error;
using internal::UniqueBignum;
using internal::UniqueEcdsaSig;
using internal::UniqueEvpMdCtx;
using internal::UniqueEvpPkeyCtx;

namespace {

struct AlgInfo {
  HashAlg hash;
  KeyType key;
  bool pss;
  std::optional<Curve> curve;
};

AlgInfo info(SignatureAlg alg) {
  switch (alg) {
    case SignatureAlg::kRsaPkcs1Sha256:
      return {HashAlg::kSha256, KeyType::kRsa, false, {}};
    case SignatureAlg::kRsaPkcs1Sha384:
      return {HashAlg::kSha384, KeyType::kRsa, false, {}};
    case SignatureAlg::kRsaPssSha256:
      return {HashAlg::kSha256, KeyType::kRsa, true, {}};
    case SignatureAlg::kRsaPssSha384:
      return {HashAlg::kSha384, KeyType::kRsa, true, {}};
    case SignatureAlg::kEcdsaP256Sha256:
      return {HashAlg::kSha256, KeyType::kEc, false, Curve::kP256};
    case SignatureAlg::kEcdsaP384Sha384:
      return {HashAlg::kSha384, KeyType::kEc, false, Curve::kP384};
  }
  throw std::logic_error("crypto: unknown SignatureAlg");
}

// kInvalidArgument unless the key type (and curve) fits the algorithm.
Status check_key(const EVP_PKEY* pkey, SignatureAlg alg) {
  AlgInfo in = info(alg);
  int id = EVP_PKEY_get_base_id(pkey);
  bool rsa = id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
  if (in.key == KeyType::kRsa) {
    if (!rsa) {
      return invalid_argument("signature: " + std::string(signature_alg_name(alg)) +
                              " needs an RSA key");
    }
    if (id == EVP_PKEY_RSA_PSS && !in.pss) {
      return invalid_argument("signature: an RSA-PSS key cannot make PKCS#1 v1.5 signatures");
    }
    return ok_status();
  }
  if (id != EVP_PKEY_EC || internal::key_curve(pkey) != in.curve) {
    return invalid_argument("signature: " + std::string(signature_alg_name(alg)) + " needs an " +
                            std::string(curve_jwk_name(*in.curve)) + " key");
  }
  return ok_status();
}

Status configure_pss(EVP_PKEY_CTX* pctx, const AlgInfo& in) {
  if (!in.pss) return ok_status();
  if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, internal::evp_md(in.hash)) != 1) {
    return openssl_error("signature: cannot configure RSASSA-PSS");
  }
  return ok_status();
}

}  // namespace

std::string_view signature_alg_name(SignatureAlg alg) {
  switch (alg) {
    case SignatureAlg::kRsaPkcs1Sha256:
      return "RS256";
    case SignatureAlg::kRsaPkcs1Sha384:
      return "RS384";
    case SignatureAlg::kRsaPssSha256:
      return "PS256";
    case SignatureAlg::kRsaPssSha384:
      return "PS384";
    case SignatureAlg::kEcdsaP256Sha256:
      return "ES256";
    case SignatureAlg::kEcdsaP384Sha384:
      return "ES384";
  }
  throw std::logic_error("crypto: unknown SignatureAlg");
}

StatusOr<Bytes> sign(const PrivateKey& key, SignatureAlg alg, ByteSpan message) {
  EVP_PKEY* pkey = key.handle().pkey;
  MPCC_RETURN_IF_ERROR(check_key(pkey, alg));
  AlgInfo in = info(alg);
  UniqueEvpMdCtx md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by `md`
  if (!md || EVP_DigestSignInit(md.get(), &pctx, internal::evp_md(in.hash), nullptr, pkey) != 1) {
    return openssl_error("signature: sign init failed");
  }
  MPCC_RETURN_IF_ERROR(configure_pss(pctx, in));
  std::size_t len = 0;
  if (EVP_DigestSign(md.get(), nullptr, &len, internal::uchar_ptr(message), message.size()) != 1) {
    return openssl_error("signature: sign failed");
  }
  Bytes sig(len);
  if (EVP_DigestSign(md.get(), sig.data(), &len, internal::uchar_ptr(message), message.size()) !=
      1) {
    return openssl_error("signature: sign failed");
  }
  sig.resize(len);
  return sig;
}

Status verify(const PublicKey& key, SignatureAlg alg, ByteSpan message, ByteSpan signature) {
  EVP_PKEY* pkey = key.handle().pkey;
  MPCC_RETURN_IF_ERROR(check_key(pkey, alg));
  AlgInfo in = info(alg);
  UniqueEvpMdCtx md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by `md`
  if (!md || EVP_DigestVerifyInit(md.get(), &pctx, internal::evp_md(in.hash), nullptr, pkey) != 1) {
    return openssl_error("signature: verify init failed");
  }
  MPCC_RETURN_IF_ERROR(configure_pss(pctx, in));
  int r = EVP_DigestVerify(md.get(), internal::uchar_ptr(signature), signature.size(),
                           internal::uchar_ptr(message), message.size());
  internal::clear_openssl_errors();
  if (r != 1) return permission_denied("signature does not verify");
  return ok_status();
}

Status verify_ecdsa_digest(const PublicKey& key, ByteSpan digest, ByteSpan der_signature) {
  EVP_PKEY* pkey = key.handle().pkey;
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) {
    return invalid_argument("signature: ECDSA needs an EC key");
  }
  if (digest.empty()) return invalid_argument("signature: empty digest");
  UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) {
    return openssl_error("signature: verify init failed");
  }
  int r = EVP_PKEY_verify(ctx.get(), internal::uchar_ptr(der_signature), der_signature.size(),
                          digest.data(), digest.size());
  internal::clear_openssl_errors();
  if (r != 1) return permission_denied("signature does not verify");
  return ok_status();
}

StatusOr<Bytes> ecdsa_der_to_raw(ByteSpan der, std::size_t coordinate_size) {
  if (coordinate_size == 0 || coordinate_size > 66) {
    return invalid_argument("ECDSA: invalid coordinate size");
  }
  const unsigned char* p = internal::uchar_ptr(der);
  UniqueEcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    internal::clear_openssl_errors();
    return invalid_argument("ECDSA: malformed DER signature");
  }
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  if (BN_is_negative(r) || BN_is_negative(s) ||
      static_cast<std::size_t>(BN_num_bytes(r)) > coordinate_size ||
      static_cast<std::size_t>(BN_num_bytes(s)) > coordinate_size) {
    return invalid_argument("ECDSA: signature value too large for the curve");
  }
  Bytes out = internal::bn_to_bytes(r, coordinate_size);
  Bytes sb = internal::bn_to_bytes(s, coordinate_size);
  out.insert(out.end(), sb.begin(), sb.end());
  return out;
}

StatusOr<Bytes> ecdsa_raw_to_der(ByteSpan raw) {
  if (raw.empty() || raw.size() % 2 != 0 || raw.size() > 132) {
    return invalid_argument("ECDSA: raw signature must be r||s of equal halves");
  }
  std::size_t half = raw.size() / 2;
  UniqueBignum r(BN_bin2bn(raw.data(), int_len(half), nullptr));
  UniqueBignum s(BN_bin2bn(raw.data() + half, int_len(half), nullptr));
  UniqueEcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig) throw std::bad_alloc();
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return openssl_error("ECDSA: cannot build signature");
  }
  r.release();  // now owned by sig
  s.release();
  unsigned char* buf = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &buf);
  if (len <= 0) return openssl_error("ECDSA: DER encoding failed");
  internal::UniqueOsslBuf owned(buf);
  return Bytes(buf, buf + len);
}

}  // namespace mpcc::crypto
