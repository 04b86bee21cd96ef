// File: crypto/x509.h
//
// X.509 certificates: parsing (PEM, PEM bundles, DER), the fields the SEV-SNP
// verifier needs, raw extension values by OID, and issuer-signature checks
// (including RSASSA-PSS as AMD uses it). Accepts serial number 0 (AMD VCEKs).
//
// Chain policy (which root is trusted, validity against which clock) belongs
// to the caller (verifier/); this file only answers "is B's signature made by
// A's key", "is this self-signed", "is `t` within the validity period".
//
// Thread-safety: immutable after construction; safe to share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/status.h"
#include "crypto/keys.h"

namespace mpcc::crypto {

namespace internal {
struct X509Handle;
}

class Certificate {
 public:
  static StatusOr<Certificate> from_der(ByteSpan der);
  // Exactly one certificate in PEM form.
  static StatusOr<Certificate> from_pem(std::string_view pem);
  // Every certificate in a PEM bundle, in order; fails if there is none.
  static StatusOr<std::vector<Certificate>> from_pem_bundle(std::string_view pem);
  // PEM bundle if the text contains "-----BEGIN", else a single DER certificate.
  static StatusOr<std::vector<Certificate>> from_pem_or_der(ByteSpan data);

  Bytes der() const;
  std::string pem() const;
  Bytes sha256_fingerprint() const;        // SHA-256 of the DER
  Bytes public_key_spki_sha256() const;    // SHA-256 of SubjectPublicKeyInfo DER

  std::string subject() const;             // RFC 2253 one-line form
  std::string issuer() const;
  std::string subject_common_name() const; // "" when absent
  std::string issuer_common_name() const;
  Bytes serial() const;                    // big-endian magnitude ({} for 0)
  UnixSeconds not_before() const;
  UnixSeconds not_after() const;
  bool is_ca() const;                      // basicConstraints cA
  std::string signature_algorithm() const; // e.g. "RSASSA-PSS", "ecdsa-with-SHA384"
  PublicKey public_key() const;

  // Contents of the extension's extnValue OCTET STRING (the DER inside it),
  // or nullopt if the certificate lacks the extension. `oid` is dotted text.
  std::optional<Bytes> extension_value(std::string_view oid) const;

  // OK if this certificate's signature verifies with `issuer`'s public key and
  // our issuer name equals its subject name; kPermissionDenied otherwise.
  Status verify_signed_by(const Certificate& issuer) const;
  bool is_self_signed() const;             // names match and signature verifies
  // OK if not_before <= t <= not_after, else kPermissionDenied with the dates.
  Status check_validity(UnixSeconds t) const;

  bool operator==(const Certificate& o) const { return der() == o.der(); }

  const internal::X509Handle& handle() const { return *h_; }
  explicit Certificate(std::shared_ptr<internal::X509Handle> h) : h_(std::move(h)) {}

 private:
  std::shared_ptr<internal::X509Handle> h_;
};

// Builds certificates (the simulated PSP issues ARK/ASK/VCEK with these).
struct ExtensionSpec {
  std::string oid;   // dotted
  Bytes der_value;   // DER placed inside extnValue
  bool critical = false;
};

struct CertificateSpec {
  // Name components in order, e.g. {{"C","US"},{"O","..."},{"CN","ARK-Milan"}}.
  std::vector<std::pair<std::string, std::string>> subject;
  Bytes serial;  // big-endian; empty means 0
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
  bool is_ca = false;
  std::optional<int> path_len;  // CA only
  bool key_cert_sign = false;   // keyUsage keyCertSign + cRLSign when true
  bool digital_signature = false;
  std::vector<ExtensionSpec> extensions;
};

enum class CertSignature { kRsaPssSha384, kEcdsaSha384, kRsaPkcs1Sha256 };

// Issues a certificate for `subject_key` signed by `issuer_key`; `issuer` gives
// the issuer name (nullopt: self-signed, issuer name = subject name).
StatusOr<Certificate> issue_certificate(const CertificateSpec& spec, const PublicKey& subject_key,
                                        const PrivateKey& issuer_key,
                                        const std::optional<Certificate>& issuer,
                                        CertSignature alg);

// DER helpers for extension values.
Bytes der_integer(uint64_t v);
Bytes der_ia5_string(std::string_view s);
Bytes der_octet_string(ByteSpan v);
// Decodes a DER INTEGER (non-negative, fits in 64 bits).
StatusOr<uint64_t> der_parse_integer(ByteSpan der);
// Decodes a DER IA5String / UTF8String / PrintableString to text.
StatusOr<std::string> der_parse_string(ByteSpan der);

}  // namespace mpcc::crypto
