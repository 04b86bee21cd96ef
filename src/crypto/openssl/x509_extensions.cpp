// File: crypto/openssl/x509_extensions.cpp
//
// subjectAltName / extendedKeyUsage / authorityKeyIdentifier values on
// OpenSSL's ASN.1 types (GENERAL_NAMES, EXTENDED_KEY_USAGE, AUTHORITY_KEYID),
// and the text of X.509 verification result codes.
#include "crypto/x509_extensions.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <stdexcept>

#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {

namespace {

using UniqueGeneralNames = internal::OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using UniqueGeneralName = internal::OsslPtr<GENERAL_NAME, GENERAL_NAME_free>;
using UniqueEku = internal::OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using UniqueAkid = internal::OsslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;

template <typename T, typename Encode>
Bytes encode(const T* obj, Encode enc) {
  unsigned char* buf = nullptr;
  int len = enc(obj, &buf);
  if (len <= 0) throw std::logic_error(internal::drain_openssl_errors("DER: encoding failed"));
  internal::UniqueOsslBuf owned(buf);
  return Bytes(buf, buf + len);
}

bool valid_dns_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == '*';
    if (!ok) return false;
  }
  return true;
}

// Strict text -> address check (inet_pton rejects "1.2.3", "1.2.3.4x", "01.2.3.4").
bool valid_ip_text(const std::string& text) {
  std::array<unsigned char, sizeof(in6_addr)> buf{};
  return inet_pton(AF_INET, text.c_str(), buf.data()) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buf.data()) == 1;
}

std::string asn1_string_text(const ASN1_STRING* s) {
  const unsigned char* p = ASN1_STRING_get0_data(s);
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(ASN1_STRING_length(s)));
}

}  // namespace

StatusOr<Bytes> der_subject_alt_name(const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ip_addresses) {
  if (dns_names.empty() && ip_addresses.empty()) {
    return invalid_argument("X509 SAN: no DNS name and no IP address");
  }
  UniqueGeneralNames names(sk_GENERAL_NAME_new_null());
  if (!names) throw std::bad_alloc();
  for (const std::string& dns : dns_names) {
    if (!valid_dns_name(dns)) {
      return invalid_argument("X509 SAN: invalid DNS name '" + dns + "'");
    }
    internal::UniqueAsn1String ia5(ASN1_IA5STRING_new());
    if (!ia5 || ASN1_STRING_set(ia5.get(), dns.data(), internal::int_len(dns.size())) != 1) {
      throw std::bad_alloc();
    }
    UniqueGeneralName gen(GENERAL_NAME_new());
    if (!gen) throw std::bad_alloc();
    GENERAL_NAME_set0_value(gen.get(), GEN_DNS, ia5.release());
    if (sk_GENERAL_NAME_push(names.get(), gen.get()) <= 0) throw std::bad_alloc();
    (void)gen.release();  // owned by `names`
  }
  for (const std::string& ip : ip_addresses) {
    if (!valid_ip_text(ip)) return invalid_argument("X509 SAN: invalid IP address '" + ip + "'");
    internal::UniqueAsn1OctetString octets(a2i_IPADDRESS(ip.c_str()));
    if (!octets) {
      internal::clear_openssl_errors();
      return invalid_argument("X509 SAN: invalid IP address '" + ip + "'");
    }
    UniqueGeneralName gen(GENERAL_NAME_new());
    if (!gen) throw std::bad_alloc();
    GENERAL_NAME_set0_value(gen.get(), GEN_IPADD, octets.release());
    if (sk_GENERAL_NAME_push(names.get(), gen.get()) <= 0) throw std::bad_alloc();
    (void)gen.release();
  }
  return encode(names.get(), i2d_GENERAL_NAMES);
}

StatusOr<SubjectAltNames> parse_subject_alt_name(ByteSpan der) {
  const unsigned char* p = internal::uchar_ptr(der);
  UniqueGeneralNames names(d2i_GENERAL_NAMES(nullptr, &p, static_cast<long>(der.size())));
  if (!names || p != der.data() + der.size()) {
    internal::clear_openssl_errors();
    return invalid_argument("X509 SAN: malformed GeneralNames");
  }
  SubjectAltNames out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(names.get(), i);
    int type = 0;
    const void* value = GENERAL_NAME_get0_value(gen, &type);
    if (type == GEN_DNS) {
      out.dns_names.push_back(asn1_string_text(static_cast<const ASN1_STRING*>(value)));
    } else if (type == GEN_IPADD) {
      const auto* octets = static_cast<const ASN1_OCTET_STRING*>(value);
      int len = ASN1_STRING_length(octets);
      const unsigned char* data = ASN1_STRING_get0_data(octets);
      std::array<char, INET6_ADDRSTRLEN> text{};
      int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
      if (family == 0 || inet_ntop(family, data, text.data(), text.size()) == nullptr) {
        return invalid_argument("X509 SAN: iPAddress of " + std::to_string(len) + " bytes");
      }
      out.ip_addresses.emplace_back(text.data());
    }
  }
  return out;
}

StatusOr<Bytes> der_extended_key_usage(const std::vector<std::string>& purpose_oids) {
  if (purpose_oids.empty()) return invalid_argument("X509 EKU: no key purpose");
  UniqueEku eku(sk_ASN1_OBJECT_new_null());
  if (!eku) throw std::bad_alloc();
  for (const std::string& oid : purpose_oids) {
    internal::UniqueAsn1Object obj(OBJ_txt2obj(oid.c_str(), 1));
    if (!obj) {
      internal::clear_openssl_errors();
      return invalid_argument("X509 EKU: invalid OID '" + oid + "'");
    }
    if (sk_ASN1_OBJECT_push(eku.get(), obj.get()) <= 0) throw std::bad_alloc();
    (void)obj.release();
  }
  return encode(eku.get(), i2d_EXTENDED_KEY_USAGE);
}

StatusOr<std::vector<std::string>> parse_extended_key_usage(ByteSpan der) {
  const unsigned char* p = internal::uchar_ptr(der);
  UniqueEku eku(d2i_EXTENDED_KEY_USAGE(nullptr, &p, static_cast<long>(der.size())));
  if (!eku || p != der.data() + der.size()) {
    internal::clear_openssl_errors();
    return invalid_argument("X509 EKU: malformed ExtKeyUsageSyntax");
  }
  std::vector<std::string> out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    std::array<char, 128> buf{};
    int n = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()),
                        sk_ASN1_OBJECT_value(eku.get(), i), 1);
    if (n <= 0 || static_cast<std::size_t>(n) >= buf.size()) {
      internal::clear_openssl_errors();
      return invalid_argument("X509 EKU: unprintable key purpose OID");
    }
    out.emplace_back(buf.data(), static_cast<std::size_t>(n));
  }
  return out;
}

StatusOr<Bytes> subject_key_identifier(const Certificate& cert) {
  std::optional<Bytes> ext = cert.extension_value(kOidSubjectKeyIdentifier);
  if (!ext) {
    return not_found("X509: certificate '" + cert.subject_common_name() +
                     "' has no subjectKeyIdentifier");
  }
  const unsigned char* p = internal::uchar_ptr(*ext);
  internal::UniqueAsn1OctetString ski(
      d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(ext->size())));
  if (!ski || p != ext->data() + ext->size()) {
    internal::clear_openssl_errors();
    return invalid_argument("X509: malformed subjectKeyIdentifier");
  }
  const unsigned char* data = ASN1_STRING_get0_data(ski.get());
  return Bytes(data, data + ASN1_STRING_length(ski.get()));
}

StatusOr<Bytes> der_authority_key_identifier(const Certificate& issuer) {
  MPCC_ASSIGN_OR_RETURN(Bytes key_id, subject_key_identifier(issuer));
  UniqueAkid akid(AUTHORITY_KEYID_new());
  internal::UniqueAsn1OctetString id(ASN1_OCTET_STRING_new());
  if (!akid || !id ||
      ASN1_OCTET_STRING_set(id.get(), internal::uchar_ptr(key_id),
                            internal::int_len(key_id.size())) != 1) {
    throw std::bad_alloc();
  }
  akid->keyid = id.release();
  return encode(akid.get(), i2d_AUTHORITY_KEYID);
}

StatusOr<Bytes> parse_authority_key_identifier(ByteSpan der) {
  const unsigned char* p = internal::uchar_ptr(der);
  UniqueAkid akid(d2i_AUTHORITY_KEYID(nullptr, &p, static_cast<long>(der.size())));
  if (!akid || p != der.data() + der.size()) {
    internal::clear_openssl_errors();
    return invalid_argument("X509: malformed AuthorityKeyIdentifier");
  }
  if (akid->keyid == nullptr) return not_found("X509: AuthorityKeyIdentifier has no keyIdentifier");
  const unsigned char* data = ASN1_STRING_get0_data(akid->keyid);
  return Bytes(data, data + ASN1_STRING_length(akid->keyid));
}

std::string x509_verify_result_text(long code) {
  const char* text = X509_verify_cert_error_string(code);
  if (text == nullptr) return "X.509 verification error " + std::to_string(code);
  return text;
}

}  // namespace mpcc::crypto
