// File: crypto/openssl/wrappers.h
//
// Private to src/crypto: RAII owners for the OpenSSL objects the library uses,
// the handle structs forward-declared by keys.h / x509.h, and helpers turning
// the OpenSSL error queue into a Status. No header outside src/crypto/openssl
// includes OpenSSL.
//
// Thread-safety: the aliases are plain unique_ptrs; PkeyHandle and X509Handle
// are only read after construction (OpenSSL 3 allows concurrent reads).
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"

namespace mpcc::crypto::internal {

template <auto Fn>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    if (p != nullptr) Fn(p);
  }
};

template <typename T, auto Fn>
using OsslPtr = std::unique_ptr<T, OsslDeleter<Fn>>;

using UniqueEvpPkey = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using UniqueEvpPkeyCtx = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using UniqueEvpMdCtx = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using UniqueEvpCipherCtx = OsslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using UniqueX509 = OsslPtr<X509, X509_free>;
using UniqueX509Name = OsslPtr<X509_NAME, X509_NAME_free>;
using UniqueX509Ext = OsslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using UniqueBio = OsslPtr<BIO, BIO_free_all>;
using UniqueBignum = OsslPtr<BIGNUM, BN_free>;
using UniqueSecureBignum = OsslPtr<BIGNUM, BN_clear_free>;
using UniqueEcdsaSig = OsslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using UniqueParamBld = OsslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using UniqueParams = OsslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using UniqueAsn1Object = OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using UniqueAsn1Integer = OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using UniqueAsn1OctetString = OsslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using UniqueAsn1String = OsslPtr<ASN1_STRING, ASN1_STRING_free>;
using UniqueAsn1Time = OsslPtr<ASN1_TIME, ASN1_TIME_free>;
using UniqueBasicConstraints = OsslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using UniqueEcGroup = OsslPtr<EC_GROUP, EC_GROUP_free>;
using UniqueEcPoint = OsslPtr<EC_POINT, EC_POINT_free>;
using UniqueBnCtx = OsslPtr<BN_CTX, BN_CTX_free>;

// OPENSSL_free for buffers OpenSSL allocated (i2d_* with a null out pointer).
struct OpensslFree {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
  void operator()(char* p) const { OPENSSL_free(p); }
};
using UniqueOsslBuf = std::unique_ptr<unsigned char, OpensslFree>;
using UniqueOsslStr = std::unique_ptr<char, OpensslFree>;

}  // namespace mpcc::crypto::internal

namespace mpcc::crypto::internal {

// The EVP_PKEY behind PublicKey / PrivateKey. Owns one reference.
struct PkeyHandle {
  explicit PkeyHandle(EVP_PKEY* p) : pkey(p) {}
  ~PkeyHandle() { EVP_PKEY_free(pkey); }
  PkeyHandle(const PkeyHandle&) = delete;
  PkeyHandle& operator=(const PkeyHandle&) = delete;
  EVP_PKEY* pkey;
};

// The X509 behind Certificate. Owns one reference.
struct X509Handle {
  explicit X509Handle(X509* c) : cert(c) {}
  ~X509Handle() { X509_free(cert); }
  X509Handle(const X509Handle&) = delete;
  X509Handle& operator=(const X509Handle&) = delete;
  X509* cert;
};

// Drains the OpenSSL error queue into one line: "context: <reason>; <reason>".
std::string drain_openssl_errors(std::string_view context);
// The error queue as a Status with `code` (the queue is emptied).
Status openssl_error(std::string_view context, StatusCode code = StatusCode::kInternal);
// Discards any queued OpenSSL errors (after an expected failure).
void clear_openssl_errors();

// EVP_MD for a HashAlg (never null).
const EVP_MD* evp_md(HashAlg alg);

// A ByteSpan as the `const unsigned char*` OpenSSL wants (never null).
const unsigned char* uchar_ptr(ByteSpan s);
// Length as int for OpenSSL APIs; throws std::logic_error if it does not fit.
int int_len(std::size_t n);

// Memory BIO reading `data` (not copied; `data` must outlive the BIO).
UniqueBio mem_bio(ByteSpan data);
// Everything written to a memory BIO.
std::string bio_to_string(BIO* bio);

// Wraps an owned EVP_PKEY into the shared handle.
std::shared_ptr<PkeyHandle> make_pkey_handle(UniqueEvpPkey pkey);

// BIGNUM <-> big-endian bytes; `pad_to` > 0 left-pads with zeros.
Bytes bn_to_bytes(const BIGNUM* bn, std::size_t pad_to = 0);
SecureBytes bn_to_secure_bytes(const BIGNUM* bn, std::size_t pad_to = 0);

}  // namespace mpcc::crypto::internal
