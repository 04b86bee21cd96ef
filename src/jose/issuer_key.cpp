#include "jose/issuer_key.h"

#include <fmt/format.h>

#include "common/file_io.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace mpcc::jose {

namespace fs = std::filesystem;

Jwk IssuerKey::public_jwk() const {
  Jwk jwk = Jwk::from_public_key(key.public_key()).value();
  jwk.set_kid(kid);
  jwk.set_use("sig");
  jwk.set_alg("RS256");
  jwk.set_x5c({crypto::base64_encode(certificate.der())});
  return jwk;
}

namespace {

std::string kid_for(const crypto::Certificate& cert) {
  return crypto::base64url_encode(cert.sha256_fingerprint());
}

StatusOr<IssuerKey> load(const fs::path& key_path, const fs::path& cert_path) {
  MPCC_ASSIGN_OR_RETURN(std::string key_pem, read_text_file(key_path));
  auto key = crypto::PrivateKey::from_pem(key_pem);
  secure_wipe(key_pem.data(), key_pem.size());
  if (!key.ok()) return data_loss(fmt::format("{}: {}", key_path.string(), key.status().message()));
  MPCC_ASSIGN_OR_RETURN(std::string cert_pem, read_text_file(cert_path));
  auto cert = crypto::Certificate::from_pem(cert_pem);
  if (!cert.ok()) return data_loss(fmt::format("{}: {}", cert_path.string(), cert.status().message()));
  if (!cert->public_key().equals(key->public_key())) {
    return data_loss(fmt::format("{} does not hold the key of {}", cert_path.string(), key_path.string()));
  }
  std::string kid = kid_for(*cert);
  return IssuerKey{std::move(key).value(), std::move(cert).value(), std::move(kid)};
}

StatusOr<IssuerKey> create(const fs::path& key_path, const fs::path& cert_path,
                           std::string_view subject_cn, std::size_t bits) {
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::generate_rsa(bits));
  crypto::CertificateSpec spec;
  spec.subject = {{"O", "mpcc"}, {"CN", std::string(subject_cn)}};
  spec.serial = crypto::random_bytes(16);
  spec.serial[0] &= 0x7f;
  const UnixSeconds now = system_clock()->now();
  spec.not_before = now - 3600;
  spec.not_after = now + 10LL * 365 * 24 * 3600;
  spec.digital_signature = true;
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate cert,
                        crypto::issue_certificate(spec, key.public_key(), key, std::nullopt,
                                                  crypto::CertSignature::kRsaPkcs1Sha256));
  SecureBytes pem = key.to_pkcs8_pem();
  MPCC_RETURN_IF_ERROR(write_file_atomic(key_path, ByteSpan(pem.data(), pem.size())));
  MPCC_RETURN_IF_ERROR(write_file_atomic(cert_path, as_span(cert.pem()),
                                         fs::perms::owner_read | fs::perms::owner_write |
                                             fs::perms::group_read | fs::perms::others_read));
  std::string kid = kid_for(cert);
  return IssuerKey{std::move(key), std::move(cert), std::move(kid)};
}

}  // namespace

StatusOr<IssuerKey> load_or_create_issuer_key(const fs::path& dir, std::string_view name,
                                              std::string_view subject_cn, std::size_t bits) {
  const fs::path key_path = dir / fmt::format("{}.key", name);
  const fs::path cert_path = dir / fmt::format("{}.pem", name);
  std::error_code ec;
  const bool have_key = fs::exists(key_path, ec);
  const bool have_cert = fs::exists(cert_path, ec);
  if (have_key && have_cert) return load(key_path, cert_path);
  if (have_key != have_cert) {
    return data_loss(fmt::format("{}: only one of {}.key and {}.pem exists", dir.string(), name, name));
  }
  fs::create_directories(dir, ec);
  if (ec) return unavailable(fmt::format("{}: cannot create: {}", dir.string(), ec.message()));
  return create(key_path, cert_path, subject_cn, bits);
}

}  // namespace mpcc::jose
