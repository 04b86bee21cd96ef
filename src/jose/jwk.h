// File: jose/jwk.h
//
// JSON Web Key (RFC 7517, members from RFC 7518 §6) and JWK Set.
//  - Jwk: an RSA or EC public/private key, or a symmetric "oct" key (for `dir`
//    JWE). Parsing validates every member it knows (types, base64url, EC
//    coordinate sizes, complete RSA CRT parameters) and keeps unknown members
//    (e.g. "x5t") so a key set round-trips. An RSA/EC JWK that only carries
//    "x5c" (as MAA's /certs does, spec 8.5) takes its public key from x5c[0];
//    when both are present they must agree (RFC 7517 §4.7).
//  - Conversions to and from crypto::PublicKey / crypto::PrivateKey.
//  - RFC 7638 SHA-256 thumbprint.
//  - JwkSet ({"keys":[...]}) with lookup by kid.
//
// Private members (d, p, q, dp, dq, qi, k) are kept in SecureBytes. to_json()
// writes them (it is the export format); every text/log form
// (to_redacted_string(), operator<<, JwkSet::to_redacted_string()) replaces
// them with "<redacted>".
//
// Thread-safety: values; const methods may be called concurrently.
#pragma once

#include <iosfwd>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/keys.h"

namespace mpcc::jose {

enum class KeyKind { kRsa, kEc, kOct };

std::string_view key_kind_name(KeyKind kind);  // "RSA", "EC", "oct"

class Jwk {
 public:
  // Parses one JWK object. Fails with kInvalidArgument ("JWK: ...") on a
  // missing or mistyped member, bad base64url, wrong coordinate size,
  // incomplete RSA private parameters, or x5c disagreeing with n/e (x/y);
  // kUnimplemented for an unsupported kty / crv or multi-prime RSA ("oth").
  static StatusOr<Jwk> from_json(const nlohmann::json& j);
  static StatusOr<Jwk> parse(std::string_view text);

  static StatusOr<Jwk> from_public_key(const crypto::PublicKey& key);
  static StatusOr<Jwk> from_private_key(const crypto::PrivateKey& key);
  // A symmetric key; fails with kInvalidArgument if `k` is empty.
  static StatusOr<Jwk> from_oct(ByteSpan k);

  KeyKind kind() const { return kind_; }
  std::string_view kty() const { return key_kind_name(kind_); }
  // True for oct keys and for RSA/EC keys carrying d.
  bool is_private() const;

  // Key material (empty when absent). Big-endian unsigned integers / raw bytes.
  const Bytes& n() const { return n_; }
  const Bytes& e() const { return e_; }
  std::optional<crypto::Curve> curve() const { return curve_; }
  const Bytes& x() const { return x_; }
  const Bytes& y() const { return y_; }
  const SecureBytes& d() const { return d_; }
  const SecureBytes& k() const { return k_; }

  // Optional metadata (RFC 7517 §4). Empty string / vector means absent.
  const std::string& kid() const { return kid_; }
  const std::string& use() const { return use_; }
  const std::string& alg() const { return alg_; }
  const std::vector<std::string>& key_ops() const { return key_ops_; }
  const std::vector<std::string>& x5c() const { return x5c_; }  // standard base64 DER
  void set_kid(std::string kid) { kid_ = std::move(kid); }
  void set_use(std::string use) { use_ = std::move(use); }
  void set_alg(std::string alg) { alg_ = std::move(alg); }
  void set_key_ops(std::vector<std::string> ops) { key_ops_ = std::move(ops); }
  void set_x5c(std::vector<std::string> x5c) { x5c_ = std::move(x5c); }

  // The JWK as JSON, private members included (it is what gets exported).
  nlohmann::json to_json() const;
  // The same with private members replaced by "<redacted>"; safe to log.
  nlohmann::json to_redacted_json() const;
  std::string to_redacted_string() const;

  // The key without its private members (metadata kept). Throws
  // std::logic_error for an oct key, which has no public form.
  Jwk public_only() const;

  // Fails with kInvalidArgument for oct keys; otherwise whatever crypto says
  // about the parameters (e.g. an RSA modulus below 2048 bits).
  StatusOr<crypto::PublicKey> to_public_key() const;
  // Fails with kInvalidArgument ("JWK: not a private key") without d.
  StatusOr<crypto::PrivateKey> to_private_key() const;

  // RFC 7638 thumbprint: base64url(H(required members, lexicographic order, no
  // whitespace)). RSA {e,kty,n}; EC {crv,kty,x,y}; oct {k,kty}.
  std::string thumbprint(crypto::HashAlg hash = crypto::HashAlg::kSha256) const;

  // Same key material and metadata.
  friend bool operator==(const Jwk& a, const Jwk& b);

 private:
  Jwk() = default;
  void write_members(nlohmann::json& j, bool redact) const;

  KeyKind kind_ = KeyKind::kRsa;
  Bytes n_, e_;
  std::optional<crypto::Curve> curve_;
  Bytes x_, y_;
  SecureBytes d_, p_, q_, dp_, dq_, qi_;
  SecureBytes k_;
  std::string kid_, use_, alg_;
  std::vector<std::string> key_ops_;
  std::vector<std::string> x5c_;
  nlohmann::json extra_ = nlohmann::json::object();  // unknown public members, kept as-is

  // to_public_key()'s result, computed once and shared by copies: the
  // conversion runs OpenSSL's public key check (for RSA, SP 800-56B's
  // small-factor GCD: milliseconds), and a cached issuer key is converted at
  // every token verification otherwise. Key material never changes after a
  // factory built the Jwk, so copies may share it.
  struct PublicKeyCache {
    std::once_flag once;
    std::optional<StatusOr<crypto::PublicKey>> value;
  };
  std::shared_ptr<PublicKeyCache> public_key_cache_ = std::make_shared<PublicKeyCache>();
};

// Writes the redacted form.
std::ostream& operator<<(std::ostream& os, const Jwk& jwk);

class JwkSet {
 public:
  JwkSet() = default;
  explicit JwkSet(std::vector<Jwk> keys) : keys_(std::move(keys)) {}

  // Parses {"keys":[...]}. Fails with kInvalidArgument ("JWKS: ...") if the
  // value is not an object with a "keys" array. Entries that are not valid or
  // supported JWKs are skipped, as RFC 7517 §5 advises; skipped() counts them.
  static StatusOr<JwkSet> from_json(const nlohmann::json& j);
  static StatusOr<JwkSet> parse(std::string_view text);

  const std::vector<Jwk>& keys() const { return keys_; }
  std::size_t skipped() const { return skipped_; }
  void add(Jwk key) { keys_.push_back(std::move(key)); }

  // The first key whose kid equals `kid`, or nullptr.
  const Jwk* find(std::string_view kid) const;

  // Public forms of the asymmetric keys; oct keys are dropped.
  JwkSet public_only() const;

  nlohmann::json to_json() const;
  std::string to_redacted_string() const;

 private:
  std::vector<Jwk> keys_;
  std::size_t skipped_ = 0;
};

std::ostream& operator<<(std::ostream& os, const JwkSet& set);

}  // namespace mpcc::jose
