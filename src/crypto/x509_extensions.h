// File: crypto/x509_extensions.h
//
// DER encoders and decoders for the X.509 v3 extensions a TLS server
// certificate needs (RFC 5280 §4.2.1): subjectAltName with DNS names and IP
// addresses, extendedKeyUsage, authorityKeyIdentifier; plus the text of an
// X.509 chain-verification result code (what a TLS client reports when it
// refuses a server certificate). The encoders return the DER placed inside
// extnValue, ready for ExtensionSpec::der_value (crypto/x509.h).
//
//   MPCC_ASSIGN_OR_RETURN(Bytes san, der_subject_alt_name({"localhost"}, {"127.0.0.1"}));
//   spec.extensions.push_back({std::string(kOidSubjectAltName), san, false});
//
// Thread-safety: free functions without shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/x509.h"

namespace mpcc::crypto {

inline constexpr std::string_view kOidSubjectKeyIdentifier = "2.5.29.14";
inline constexpr std::string_view kOidSubjectAltName = "2.5.29.17";
inline constexpr std::string_view kOidAuthorityKeyIdentifier = "2.5.29.35";
inline constexpr std::string_view kOidExtendedKeyUsage = "2.5.29.37";
inline constexpr std::string_view kOidKpServerAuth = "1.3.6.1.5.5.7.3.1";
inline constexpr std::string_view kOidKpClientAuth = "1.3.6.1.5.5.7.3.2";

struct SubjectAltNames {
  std::vector<std::string> dns_names;     // dNSName entries, in order
  std::vector<std::string> ip_addresses;  // iPAddress entries as text ("127.0.0.1", "::1")
};

// GeneralNames with one dNSName per DNS name and one iPAddress per address
// (IPv4 dotted quad or IPv6 text). kInvalidArgument when both lists are empty,
// a DNS name is empty or not printable 7-bit ASCII without spaces, or an
// address does not parse.
StatusOr<Bytes> der_subject_alt_name(const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ip_addresses);
// Decodes GeneralNames; entries of other types (email, URI, ...) are skipped.
// kInvalidArgument when the DER is malformed or has trailing bytes.
StatusOr<SubjectAltNames> parse_subject_alt_name(ByteSpan der);

// ExtKeyUsageSyntax with the given dotted purpose OIDs (e.g. kOidKpServerAuth).
// kInvalidArgument when the list is empty or an OID does not parse.
StatusOr<Bytes> der_extended_key_usage(const std::vector<std::string>& purpose_oids);
// The dotted purpose OIDs, in order; kInvalidArgument when malformed.
StatusOr<std::vector<std::string>> parse_extended_key_usage(ByteSpan der);

// The subjectKeyIdentifier of `cert` (the bytes inside its OCTET STRING);
// kNotFound when the certificate has none, kInvalidArgument when malformed.
StatusOr<Bytes> subject_key_identifier(const Certificate& cert);
// AuthorityKeyIdentifier carrying keyIdentifier = the issuer's
// subjectKeyIdentifier (kNotFound when the issuer has none).
StatusOr<Bytes> der_authority_key_identifier(const Certificate& issuer);
// The keyIdentifier of an AuthorityKeyIdentifier; kNotFound when it has only
// issuer/serial, kInvalidArgument when malformed.
StatusOr<Bytes> parse_authority_key_identifier(ByteSpan der);

// OpenSSL's text for an X.509 verification result code (X509_V_ERR_*), e.g.
// 20 -> "unable to get local issuer certificate". Unknown codes give a
// generic text naming the number.
std::string x509_verify_result_text(long code);

}  // namespace mpcc::crypto
