// File: crypto/keys.h
//
// Asymmetric keys: PublicKey and PrivateKey, each a shared, immutable handle to
// an OpenSSL EVP_PKEY (no OpenSSL types leak into this header). Supported: RSA
// (2048..8192 bits) and EC on P-256 / P-384 / P-521.
//
// Private key material never appears in logs; exports (PEM/DER/components)
// return SecureBytes / secure strings that wipe themselves.
//
// Thread-safety: const methods may be called concurrently (OpenSSL 3 EVP_PKEY
// is safe for concurrent read-only use).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc::crypto {

enum class KeyType { kRsa, kEc };
enum class Curve { kP256, kP384, kP521 };

std::string_view curve_jwk_name(Curve c);  // "P-256", "P-384", "P-521"
StatusOr<Curve> curve_from_jwk_name(std::string_view name);
std::size_t curve_coordinate_size(Curve c);  // 32, 48, 66

namespace internal {
struct PkeyHandle;  // wraps EVP_PKEY*; defined in openssl/
}

// Big-endian unsigned integers, as in JWK (RFC 7518 §6.3).
struct RsaPublicComponents {
  Bytes n, e;
};
struct RsaPrivateComponents {
  Bytes n, e;
  SecureBytes d, p, q, dp, dq, qi;
};
struct EcPublicComponents {
  Curve curve;
  Bytes x, y;  // each curve_coordinate_size() bytes
};
struct EcPrivateComponents {
  Curve curve;
  Bytes x, y;
  SecureBytes d;
};

class PublicKey {
 public:
  static StatusOr<PublicKey> from_pem(std::string_view pem);  // SubjectPublicKeyInfo
  static StatusOr<PublicKey> from_der(ByteSpan spki_der);
  static StatusOr<PublicKey> from_rsa(const RsaPublicComponents& c);
  static StatusOr<PublicKey> from_ec(const EcPublicComponents& c);

  KeyType type() const;
  std::size_t bits() const;               // modulus bits, or curve order bits
  std::optional<Curve> curve() const;     // EC only
  std::string to_pem() const;
  Bytes to_der() const;                   // SubjectPublicKeyInfo
  StatusOr<RsaPublicComponents> rsa() const;
  StatusOr<EcPublicComponents> ec() const;
  bool equals(const PublicKey& other) const;

  const internal::PkeyHandle& handle() const { return *h_; }
  explicit PublicKey(std::shared_ptr<internal::PkeyHandle> h) : h_(std::move(h)) {}

 private:
  std::shared_ptr<internal::PkeyHandle> h_;
};

class PrivateKey {
 public:
  static StatusOr<PrivateKey> generate_rsa(std::size_t bits, uint32_t public_exponent = 65537);
  static StatusOr<PrivateKey> generate_ec(Curve curve);
  // PKCS#8 (or traditional "RSA PRIVATE KEY"/"EC PRIVATE KEY") PEM.
  static StatusOr<PrivateKey> from_pem(std::string_view pem);
  static StatusOr<PrivateKey> from_pkcs8_der(ByteSpan der);
  static StatusOr<PrivateKey> from_rsa(const RsaPrivateComponents& c);
  static StatusOr<PrivateKey> from_ec(const EcPrivateComponents& c);

  KeyType type() const;
  std::size_t bits() const;
  std::optional<Curve> curve() const;
  PublicKey public_key() const;
  SecureBytes to_pkcs8_der() const;
  SecureBytes to_pkcs8_pem() const;  // PEM text in a wiping buffer
  StatusOr<RsaPrivateComponents> rsa() const;
  StatusOr<EcPrivateComponents> ec() const;

  const internal::PkeyHandle& handle() const { return *h_; }
  explicit PrivateKey(std::shared_ptr<internal::PkeyHandle> h) : h_(std::move(h)) {}

 private:
  std::shared_ptr<internal::PkeyHandle> h_;
};

}  // namespace mpcc::crypto
