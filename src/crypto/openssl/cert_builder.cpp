// File: crypto/openssl/cert_builder.cpp
//
// issue_certificate(): an X.509 v3 builder shaped after AMD's certificates
// (RSASSA-PSS/SHA-384/MGF1-SHA-384/salt 48), also able to sign with ECDSA
// SHA-384 or RSA PKCS#1 v1.5 SHA-256.
#include <openssl/rsa.h>

#include <stdexcept>

#include "crypto/openssl/wrappers.h"
#include "crypto/x509.h"

namespace mpcc::crypto {

using internal::openssl_error;
using internal::UniqueX509;

namespace {

constexpr int kAmdPssSaltLength = 48;

Status add_conf_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  internal::UniqueX509Ext ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return openssl_error("X509 builder: cannot add extension " + std::string(OBJ_nid2sn(nid)) +
                         "=" + value);
  }
  return ok_status();
}

Status add_raw_extension(X509* cert, const ExtensionSpec& spec) {
  internal::UniqueAsn1Object obj(OBJ_txt2obj(spec.oid.c_str(), 1));
  if (!obj) {
    internal::clear_openssl_errors();
    return invalid_argument("X509 builder: invalid extension OID '" + spec.oid + "'");
  }
  if (X509_get_ext_by_OBJ(cert, obj.get(), -1) >= 0) {
    return invalid_argument("X509 builder: duplicate extension " + spec.oid);
  }
  internal::UniqueAsn1OctetString value(ASN1_OCTET_STRING_new());
  if (!value || ASN1_OCTET_STRING_set(value.get(), internal::uchar_ptr(spec.der_value),
                                      internal::int_len(spec.der_value.size())) != 1) {
    throw std::bad_alloc();
  }
  internal::UniqueX509Ext ext(
      X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), spec.critical ? 1 : 0, value.get()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return openssl_error("X509 builder: cannot add extension " + spec.oid);
  }
  return ok_status();
}

Status build_name(X509_NAME* name, const CertificateSpec& spec) {
  if (spec.subject.empty()) return invalid_argument("X509 builder: empty subject");
  for (const auto& [field, value] : spec.subject) {
    if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   internal::int_len(value.size()), -1, 0) != 1) {
      return openssl_error("X509 builder: invalid subject entry " + field + "=" + value,
                           StatusCode::kInvalidArgument);
    }
  }
  return ok_status();
}

Status sign_cert(X509* cert, EVP_PKEY* key, CertSignature alg) {
  int id = EVP_PKEY_get_base_id(key);
  bool rsa = id == EVP_PKEY_RSA;
  switch (alg) {
    case CertSignature::kRsaPssSha384: {
      if (!rsa) return invalid_argument("X509 builder: RSASSA-PSS needs an RSA issuer key");
      internal::UniqueEvpMdCtx md(EVP_MD_CTX_new());
      EVP_PKEY_CTX* pctx = nullptr;  // owned by `md`
      if (!md || EVP_DigestSignInit(md.get(), &pctx, EVP_sha384(), nullptr, key) != 1 ||
          EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, kAmdPssSaltLength) != 1 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1 ||
          X509_sign_ctx(cert, md.get()) <= 0) {
        return openssl_error("X509 builder: RSASSA-PSS signing failed");
      }
      return ok_status();
    }
    case CertSignature::kEcdsaSha384:
      if (id != EVP_PKEY_EC) return invalid_argument("X509 builder: ECDSA needs an EC issuer key");
      if (X509_sign(cert, key, EVP_sha384()) <= 0) {
        return openssl_error("X509 builder: ECDSA signing failed");
      }
      return ok_status();
    case CertSignature::kRsaPkcs1Sha256:
      if (!rsa) return invalid_argument("X509 builder: PKCS#1 v1.5 needs an RSA issuer key");
      if (X509_sign(cert, key, EVP_sha256()) <= 0) {
        return openssl_error("X509 builder: RSA signing failed");
      }
      return ok_status();
  }
  throw std::logic_error("crypto: unknown CertSignature");
}

}  // namespace

StatusOr<Certificate> issue_certificate(const CertificateSpec& spec, const PublicKey& subject_key,
                                        const PrivateKey& issuer_key,
                                        const std::optional<Certificate>& issuer,
                                        CertSignature alg) {
  if (spec.not_after < spec.not_before) {
    return invalid_argument("X509 builder: not_after precedes not_before");
  }
  if (spec.path_len && (!spec.is_ca || *spec.path_len < 0)) {
    return invalid_argument("X509 builder: path_len needs is_ca and a non-negative value");
  }
  if (issuer && !issuer->public_key().equals(issuer_key.public_key())) {
    return invalid_argument("X509 builder: issuer_key does not match the issuer certificate");
  }
  if (!issuer && !subject_key.equals(issuer_key.public_key())) {
    return invalid_argument("X509 builder: self-signed certificate needs issuer_key == subject");
  }
  UniqueX509 cert(X509_new());
  if (!cert) throw std::bad_alloc();
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return openssl_error("X509 builder: set version");
  }
  internal::UniqueBignum bn(
      BN_bin2bn(internal::uchar_ptr(spec.serial), internal::int_len(spec.serial.size()), nullptr));
  internal::UniqueAsn1Integer serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!serial || X509_set_serialNumber(cert.get(), serial.get()) != 1) {
    return openssl_error("X509 builder: set serial");
  }
  MPCC_RETURN_IF_ERROR(build_name(X509_get_subject_name(cert.get()), spec));
  if (X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer->handle().cert)
                                              : X509_get_subject_name(cert.get())) != 1) {
    return openssl_error("X509 builder: set issuer name");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after)) ==
          nullptr) {
    return openssl_error("X509 builder: set validity", StatusCode::kInvalidArgument);
  }
  if (X509_set_pubkey(cert.get(), subject_key.handle().pkey) != 1) {
    return openssl_error("X509 builder: set public key");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer->handle().cert : cert.get(), cert.get(), nullptr, nullptr,
                 0);
  if (spec.is_ca) {
    std::string bc = "critical,CA:TRUE";
    if (spec.path_len) bc += ",pathlen:" + std::to_string(*spec.path_len);
    MPCC_RETURN_IF_ERROR(add_conf_extension(cert.get(), &ctx, NID_basic_constraints, bc));
  }
  if (spec.key_cert_sign || spec.digital_signature) {
    std::string ku = "critical";
    if (spec.digital_signature) ku += ",digitalSignature";
    if (spec.key_cert_sign) ku += ",keyCertSign,cRLSign";
    MPCC_RETURN_IF_ERROR(add_conf_extension(cert.get(), &ctx, NID_key_usage, ku));
  }
  MPCC_RETURN_IF_ERROR(add_conf_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  for (const ExtensionSpec& e : spec.extensions) {
    MPCC_RETURN_IF_ERROR(add_raw_extension(cert.get(), e));
  }

  MPCC_RETURN_IF_ERROR(sign_cert(cert.get(), issuer_key.handle().pkey, alg));
  // Round-trip through DER so the result is exactly what a parser sees.
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert.get(), &buf);
  if (len <= 0) return openssl_error("X509 builder: DER encoding failed");
  internal::UniqueOsslBuf owned(buf);
  return Certificate::from_der(ByteSpan(buf, static_cast<std::size_t>(len)));
}

}  // namespace mpcc::crypto
