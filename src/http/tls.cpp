// File: http/tls.cpp
//
// The local CA and the server certificates it issues (see tls.h). Keys are EC
// P-256, certificates ECDSA-SHA384 (an RSA CA key, if someone supplies one,
// signs with PKCS#1 v1.5 SHA-256). Writes go through write_file_atomic, the
// private key before the certificate, so a present certificate means a
// complete pair.
#include "http/tls.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <system_error>

#include "common/file_io.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/x509.h"
#include "crypto/x509_extensions.h"

namespace mpcc::http {

namespace fs = std::filesystem;

namespace {

constexpr UnixSeconds kDay = 24 * 60 * 60;
constexpr UnixSeconds kBackdate = 5 * 60;  // tolerate small clock differences
constexpr fs::perms kPublicPerms = fs::perms::owner_read | fs::perms::owner_write |
                                   fs::perms::group_read | fs::perms::others_read;

Bytes random_serial() {
  Bytes serial = crypto::random_bytes(16);
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x01);  // positive, 16 bytes long
  return serial;
}

crypto::CertSignature signature_for(const crypto::PrivateKey& key) {
  return key.type() == crypto::KeyType::kEc ? crypto::CertSignature::kEcdsaSha384
                                            : crypto::CertSignature::kRsaPkcs1Sha256;
}

Status ensure_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return ok_status();
  if (!fs::create_directories(dir, ec) && ec) {
    return unavailable("TLS: cannot create directory " + dir.string() + ": " + ec.message());
  }
  fs::permissions(dir, fs::perms::owner_all, ec);  // it will hold private keys
  return ok_status();
}

Status write_key_then_cert(const fs::path& key_path, const crypto::PrivateKey& key,
                           const fs::path& cert_path, const crypto::Certificate& cert) {
  SecureBytes pem = key.to_pkcs8_pem();
  MPCC_RETURN_IF_ERROR(write_file_atomic(key_path, ByteSpan(pem.data(), pem.size())));
  std::string cert_pem = cert.pem();
  return write_file_atomic(cert_path, as_span(cert_pem), kPublicPerms);
}

struct Pair {
  crypto::Certificate cert;
  crypto::PrivateKey key;
};

// Loads a certificate and its private key and checks they belong together.
StatusOr<Pair> load_pair(const fs::path& cert_path, const fs::path& key_path) {
  MPCC_ASSIGN_OR_RETURN(std::string cert_pem, read_text_file(cert_path, 1u << 20));
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::from_pem(cert_pem));
  MPCC_ASSIGN_OR_RETURN(Bytes key_pem, read_file(key_path, 1u << 20));
  SecureBytes secure_pem = to_secure(key_pem);
  secure_wipe(key_pem.data(), key_pem.size());
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                        crypto::PrivateKey::from_pem(std::string_view(
                            reinterpret_cast<const char*>(secure_pem.data()), secure_pem.size())));
  if (!cert.public_key().equals(key.public_key())) {
    return failed_precondition("TLS: " + key_path.string() + " is not the key of " +
                               cert_path.string());
  }
  return Pair{std::move(cert), std::move(key)};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// True if the certificate's SAN lists exactly these names (DNS names compared
// case-insensitively, in any order).
bool same_names(const crypto::Certificate& cert, const std::vector<std::string>& dns,
                const std::vector<std::string>& ips) {
  std::optional<Bytes> ext = cert.extension_value(crypto::kOidSubjectAltName);
  if (!ext) return false;
  StatusOr<crypto::SubjectAltNames> names = crypto::parse_subject_alt_name(*ext);
  if (!names.ok()) return false;
  std::set<std::string> have_dns, want_dns, have_ip, want_ip;
  for (const auto& n : names->dns_names) have_dns.insert(lower(n));
  for (const auto& n : dns) want_dns.insert(lower(n));
  have_ip.insert(names->ip_addresses.begin(), names->ip_addresses.end());
  // Normalize the requested addresses through the same encoder/decoder.
  StatusOr<Bytes> der = crypto::der_subject_alt_name({}, ips);
  if (!ips.empty()) {
    if (!der.ok()) return false;
    StatusOr<crypto::SubjectAltNames> norm = crypto::parse_subject_alt_name(*der);
    if (!norm.ok()) return false;
    want_ip.insert(norm->ip_addresses.begin(), norm->ip_addresses.end());
  }
  return have_dns == want_dns && have_ip == want_ip;
}

bool has_server_auth(const crypto::Certificate& cert) {
  std::optional<Bytes> ext = cert.extension_value(crypto::kOidExtendedKeyUsage);
  if (!ext) return false;
  StatusOr<std::vector<std::string>> eku = crypto::parse_extended_key_usage(*ext);
  return eku.ok() && std::find(eku->begin(), eku->end(), crypto::kOidKpServerAuth) != eku->end();
}

bool valid_file_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name == "ca" || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

StatusOr<LocalCaFiles> ensure_local_ca(const fs::path& dir) {
  return ensure_local_ca(dir, *system_clock());
}

StatusOr<LocalCaFiles> ensure_local_ca(const fs::path& dir, const Clock& clock) {
  MPCC_RETURN_IF_ERROR(ensure_dir(dir));
  LocalCaFiles files{dir / "ca.pem", dir / "ca.key"};
  const UnixSeconds now = clock.now();
  std::error_code ec;
  if (fs::exists(files.ca_cert, ec)) {
    auto unusable = [&](const std::string& why) {
      return failed_precondition("TLS: the local CA in " + dir.string() + " is unusable (" + why +
                                 "); remove ca.pem and ca.key there to create a new one");
    };
    StatusOr<Pair> pair = load_pair(files.ca_cert, files.ca_key);
    if (!pair.ok()) return unusable(pair.status().message());
    if (!pair->cert.is_ca()) return unusable("ca.pem is not a CA certificate");
    if (!pair->cert.is_self_signed()) return unusable("ca.pem is not self-signed");
    Status valid = pair->cert.check_validity(now);
    if (!valid.ok()) return unusable(valid.message());
    return files;
  }

  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::generate_ec(crypto::Curve::kP256));
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", "mpcc local CA (not a public CA)"}};
  spec.serial = random_serial();
  spec.not_before = now - kBackdate;
  spec.not_after = now + 3650 * kDay;
  spec.is_ca = true;
  spec.path_len = 0;
  spec.key_cert_sign = true;
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate cert,
                        crypto::issue_certificate(spec, key.public_key(), key, std::nullopt,
                                                  signature_for(key)));
  MPCC_RETURN_IF_ERROR(write_key_then_cert(files.ca_key, key, files.ca_cert, cert));
  return files;
}

StatusOr<TlsFiles> ensure_server_certificate(const LocalCaFiles& ca, const fs::path& dir,
                                             const std::string& name,
                                             const std::vector<std::string>& dns_names,
                                             const std::vector<std::string>& ip_addresses) {
  return ensure_server_certificate(ca, dir, name, dns_names, ip_addresses, *system_clock());
}

StatusOr<TlsFiles> ensure_server_certificate(const LocalCaFiles& ca, const fs::path& dir,
                                             const std::string& name,
                                             const std::vector<std::string>& dns_names,
                                             const std::vector<std::string>& ip_addresses,
                                             const Clock& clock) {
  if (!valid_file_name(name)) {
    return invalid_argument("TLS: invalid certificate name '" + name +
                            "' (letters, digits, '-', '_', '.'; not 'ca')");
  }
  // Validates the names (and that there is at least one).
  MPCC_ASSIGN_OR_RETURN(Bytes san, crypto::der_subject_alt_name(dns_names, ip_addresses));
  MPCC_ASSIGN_OR_RETURN(Pair ca_pair, load_pair(ca.ca_cert, ca.ca_key));
  MPCC_RETURN_IF_ERROR(ensure_dir(dir));
  TlsFiles files{(dir / (name + ".pem")).string(), (dir / (name + ".key")).string()};
  const UnixSeconds now = clock.now();

  std::error_code ec;
  if (fs::exists(files.cert_pem_path, ec) && fs::exists(files.key_pem_path, ec)) {
    StatusOr<Pair> existing = load_pair(files.cert_pem_path, files.key_pem_path);
    if (existing.ok() && existing->cert.verify_signed_by(ca_pair.cert).ok() &&
        existing->cert.check_validity(now).ok() && existing->cert.not_after() >= now + kDay &&
        same_names(existing->cert, dns_names, ip_addresses) && has_server_auth(existing->cert)) {
      return files;
    }
  }

  MPCC_ASSIGN_OR_RETURN(Bytes eku,
                        crypto::der_extended_key_usage({std::string(crypto::kOidKpServerAuth)}));
  MPCC_ASSIGN_OR_RETURN(Bytes aki, crypto::der_authority_key_identifier(ca_pair.cert));
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::generate_ec(crypto::Curve::kP256));
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", dns_names.empty() ? ip_addresses.front() : dns_names.front()}};
  spec.serial = random_serial();
  spec.not_before = now - kBackdate;
  spec.not_after = std::min(now + 365 * kDay, ca_pair.cert.not_after());
  spec.digital_signature = true;
  spec.extensions = {
      {std::string(crypto::kOidSubjectAltName), std::move(san), false},
      {std::string(crypto::kOidExtendedKeyUsage), std::move(eku), false},
      {std::string(crypto::kOidAuthorityKeyIdentifier), std::move(aki), false},
  };
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate cert,
                        crypto::issue_certificate(spec, key.public_key(), ca_pair.key, ca_pair.cert,
                                                  signature_for(ca_pair.key)));
  MPCC_RETURN_IF_ERROR(write_key_then_cert(files.key_pem_path, key, files.cert_pem_path, cert));
  return files;
}

}  // namespace mpcc::http
