// File: crypto/openssl/x509.cpp
//
// Certificate parsing and the read-only queries of crypto/x509.h.
#include "crypto/x509.h"

#include <openssl/pem.h>

#include <ctime>
#include <stdexcept>

#include "crypto/hash.h"
#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {

using internal::openssl_error;
using internal::UniqueBio;
using internal::UniqueX509;

namespace {

std::string name_rfc2253(const X509_NAME* name) {
  UniqueBio bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
    throw std::logic_error(internal::drain_openssl_errors("X509: cannot print name"));
  }
  return internal::bio_to_string(bio.get());
}

std::string common_name(const X509_NAME* name) {
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    internal::clear_openssl_errors();
    return {};
  }
  internal::UniqueOsslBuf owned(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
}

UnixSeconds to_unix(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) {
    throw std::logic_error(internal::drain_openssl_errors("X509: invalid time"));
  }
  return static_cast<UnixSeconds>(timegm(&tm));
}

StatusOr<Certificate> wrap(UniqueX509 cert) {
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) {
    return openssl_error("X509: unsupported or malformed public key", StatusCode::kInvalidArgument);
  }
  int id = EVP_PKEY_get_base_id(key);
  if (id != EVP_PKEY_RSA && id != EVP_PKEY_RSA_PSS && id != EVP_PKEY_EC) {
    return invalid_argument("X509: public key is neither RSA nor EC");
  }
  // Reject certificates whose validity fields cannot be read back.
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notBefore(cert.get()), &tm) != 1 ||
      ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
    return openssl_error("X509: malformed validity", StatusCode::kInvalidArgument);
  }
  return Certificate(std::make_shared<internal::X509Handle>(cert.release()));
}

}  // namespace

StatusOr<Certificate> Certificate::from_der(ByteSpan der) {
  const unsigned char* p = internal::uchar_ptr(der);
  UniqueX509 cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return openssl_error("X509: malformed DER certificate", StatusCode::kInvalidArgument);
  if (p != der.data() + der.size()) {
    return invalid_argument("X509: trailing data after the certificate");
  }
  return wrap(std::move(cert));
}

StatusOr<Certificate> Certificate::from_pem(std::string_view pem) {
  MPCC_ASSIGN_OR_RETURN(auto all, from_pem_bundle(pem));
  if (all.size() != 1) {
    return invalid_argument("X509: expected one PEM certificate, found " +
                            std::to_string(all.size()));
  }
  return std::move(all.front());
}

StatusOr<std::vector<Certificate>> Certificate::from_pem_bundle(std::string_view pem) {
  UniqueBio bio = internal::mem_bio(as_span(pem));
  std::vector<Certificate> out;
  internal::clear_openssl_errors();
  for (;;) {
    UniqueX509 cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
      unsigned long err = ERR_peek_last_error();
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        internal::clear_openssl_errors();  // clean end of input
        break;
      }
      return openssl_error("X509: malformed PEM certificate", StatusCode::kInvalidArgument);
    }
    MPCC_ASSIGN_OR_RETURN(Certificate c, wrap(std::move(cert)));
    out.push_back(std::move(c));
  }
  if (out.empty()) return invalid_argument("X509: no PEM certificate found");
  return out;
}

StatusOr<std::vector<Certificate>> Certificate::from_pem_or_der(ByteSpan data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (text.find("-----BEGIN") != std::string_view::npos) return from_pem_bundle(text);
  MPCC_ASSIGN_OR_RETURN(Certificate c, from_der(data));
  std::vector<Certificate> out;
  out.push_back(std::move(c));
  return out;
}

Bytes Certificate::der() const {
  unsigned char* buf = nullptr;
  int len = i2d_X509(h_->cert, &buf);
  if (len <= 0) throw std::logic_error(internal::drain_openssl_errors("X509: i2d_X509 failed"));
  internal::UniqueOsslBuf owned(buf);
  return Bytes(buf, buf + len);
}

std::string Certificate::pem() const {
  UniqueBio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), h_->cert) != 1) {
    throw std::logic_error(internal::drain_openssl_errors("X509: PEM_write_bio_X509 failed"));
  }
  return internal::bio_to_string(bio.get());
}

Bytes Certificate::sha256_fingerprint() const { return sha256(der()); }

Bytes Certificate::public_key_spki_sha256() const {
  unsigned char* buf = nullptr;
  int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(h_->cert), &buf);
  if (len <= 0) throw std::logic_error(internal::drain_openssl_errors("X509: SPKI encode failed"));
  internal::UniqueOsslBuf owned(buf);
  return sha256(ByteSpan(buf, static_cast<std::size_t>(len)));
}

std::string Certificate::subject() const { return name_rfc2253(X509_get_subject_name(h_->cert)); }
std::string Certificate::issuer() const { return name_rfc2253(X509_get_issuer_name(h_->cert)); }
std::string Certificate::subject_common_name() const {
  return common_name(X509_get_subject_name(h_->cert));
}
std::string Certificate::issuer_common_name() const {
  return common_name(X509_get_issuer_name(h_->cert));
}

Bytes Certificate::serial() const {
  internal::UniqueBignum bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(h_->cert), nullptr));
  if (!bn) throw std::logic_error(internal::drain_openssl_errors("X509: bad serial"));
  return internal::bn_to_bytes(bn.get());
}

UnixSeconds Certificate::not_before() const { return to_unix(X509_get0_notBefore(h_->cert)); }
UnixSeconds Certificate::not_after() const { return to_unix(X509_get0_notAfter(h_->cert)); }

bool Certificate::is_ca() const {
  int crit = 0;
  internal::UniqueBasicConstraints bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(h_->cert, NID_basic_constraints, &crit, nullptr)));
  internal::clear_openssl_errors();
  return bc && bc->ca != 0;
}

std::string Certificate::signature_algorithm() const {
  int nid = X509_get_signature_nid(h_->cert);
  if (nid == NID_rsassaPss) return "RSASSA-PSS";
  const char* ln = OBJ_nid2ln(nid);
  if (ln != nullptr) return ln;
  // Unknown to OpenSSL: fall back to the dotted OID.
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(nullptr, &alg, h_->cert);
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
  char buf[128] = {0};
  OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  return buf;
}

PublicKey Certificate::public_key() const {
  EVP_PKEY* pkey = X509_get_pubkey(h_->cert);  // new reference
  if (pkey == nullptr) {
    throw std::logic_error(internal::drain_openssl_errors("X509: no public key"));
  }
  return PublicKey(internal::make_pkey_handle(internal::UniqueEvpPkey(pkey)));
}

std::optional<Bytes> Certificate::extension_value(std::string_view oid) const {
  std::string text(oid);
  internal::UniqueAsn1Object obj(OBJ_txt2obj(text.c_str(), 1));
  if (!obj) {
    internal::clear_openssl_errors();
    return std::nullopt;
  }
  int idx = X509_get_ext_by_OBJ(h_->cert, obj.get(), -1);
  if (idx < 0) return std::nullopt;
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(h_->cert, idx));
  const unsigned char* p = ASN1_STRING_get0_data(data);
  return Bytes(p, p + ASN1_STRING_length(data));
}

Status Certificate::verify_signed_by(const Certificate& issuer) const {
  if (X509_NAME_cmp(X509_get_issuer_name(h_->cert), X509_get_subject_name(issuer.h_->cert)) != 0) {
    return permission_denied("X509: issuer name of '" + subject_common_name() +
                             "' does not match subject of '" + issuer.subject_common_name() + "'");
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.h_->cert);
  int r = key == nullptr ? -1 : X509_verify(h_->cert, key);
  internal::clear_openssl_errors();
  if (r != 1) {
    return permission_denied("X509: signature of '" + subject_common_name() +
                             "' does not verify with the key of '" + issuer.subject_common_name() +
                             "'");
  }
  return ok_status();
}

bool Certificate::is_self_signed() const { return verify_signed_by(*this).ok(); }

Status Certificate::check_validity(UnixSeconds t) const {
  UnixSeconds nb = not_before(), na = not_after();
  if (t < nb) {
    return permission_denied("X509: certificate '" + subject_common_name() +
                             "' is not valid before " + format_rfc3339(nb) + " (now " +
                             format_rfc3339(t) + ")");
  }
  if (t > na) {
    return permission_denied("X509: certificate '" + subject_common_name() + "' expired at " +
                             format_rfc3339(na) + " (now " + format_rfc3339(t) + ")");
  }
  return ok_status();
}

}  // namespace mpcc::crypto
