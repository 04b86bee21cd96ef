#include "skr/released_key.h"

#include <array>
#include <nlohmann/json.hpp>
#include <span>

#include "crypto/encoding.h"
#include "crypto/key_wrap.h"
#include "crypto/x509.h"
#include "jose/jws.h"

namespace mpcc::skr {

using nlohmann::json;

namespace {

Status malformed(const std::string& what) { return invalid_argument("release answer: " + what); }

// Walks `path` of object members; nullptr when one is missing.
const json* find_path(const json& j, std::initializer_list<const char*> path) {
  const json* at = &j;
  for (const char* member : path) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(member);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

std::string string_at(const json& j, std::initializer_list<const char*> path) {
  const json* v = find_path(j, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

StatusOr<jose::ParsedJws> verify_with_x5c(std::string_view jws) {
  MPCC_ASSIGN_OR_RETURN(jose::ParsedJws parsed, jose::jws_parse(jws));
  const json* x5c = find_path(parsed.header, {"x5c"});
  if (x5c == nullptr || !x5c->is_array() || x5c->empty() || !(*x5c)[0].is_string()) {
    return malformed("the JWS header has no x5c certificate");
  }
  StatusOr<Bytes> der = crypto::base64_decode((*x5c)[0].get<std::string>());
  if (!der.ok()) return malformed("x5c[0] is not base64: " + der.status().message());
  StatusOr<crypto::Certificate> cert = crypto::Certificate::from_der(*der);
  if (!cert.ok()) return malformed("x5c[0] is not a certificate: " + cert.status().message());
  static constexpr std::array<jose::JwsAlg, 1> kAllowed = {jose::JwsAlg::kRs256};
  StatusOr<jose::ParsedJws> verified = jose::jws_verify(jws, cert->public_key(), kAllowed);
  if (!verified.ok()) {
    return permission_denied("release answer: signature by x5c[0]: " + verified.status().message());
  }
  return verified;
}

StatusOr<crypto::RsaAesWrapAlg> wrap_alg(const json& blob, const json& payload) {
  std::string name = string_at(blob, {"header", "enc"});
  if (name.empty()) name = string_at(payload, {"request", "enc"});
  if (name.empty()) return crypto::RsaAesWrapAlg::kCkmRsaAesKeyWrap;
  StatusOr<crypto::RsaAesWrapAlg> alg = crypto::rsa_aes_wrap_from_name(name);
  if (!alg.ok()) return malformed(alg.status().message());
  return alg;
}

// The unwrapped target as a private JWK of the vault key's type, checked
// against the public part the vault described.
StatusOr<jose::Jwk> to_jwk(const std::string& kty, const SecureBytes& target,
                           const json& described) {
  if (kty == "oct" || kty == "oct-HSM") return jose::Jwk::from_oct(target);
  const bool rsa = kty == "RSA" || kty == "RSA-HSM";
  const bool ec = kty == "EC" || kty == "EC-HSM";
  if (!rsa && !ec) return malformed("unsupported key type '" + kty + "'");
  StatusOr<crypto::PrivateKey> key = crypto::PrivateKey::from_pkcs8_der(target);
  if (!key.ok()) {
    return permission_denied("release answer: the unwrapped key is not PKCS#8: " +
                             key.status().message());
  }
  if ((rsa && key->type() != crypto::KeyType::kRsa) ||
      (ec && key->type() != crypto::KeyType::kEc)) {
    return permission_denied("release answer: the unwrapped key is not of type " + kty);
  }
  MPCC_ASSIGN_OR_RETURN(jose::Jwk jwk, jose::Jwk::from_private_key(*key));
  // The public members the vault described must be this key's.
  json mine = jwk.public_only().to_json();
  static constexpr std::array<const char*, 2> kRsaMembers = {"n", "e"};
  static constexpr std::array<const char*, 3> kEcMembers = {"crv", "x", "y"};
  const std::span<const char* const> members =
      rsa ? std::span<const char* const>(kRsaMembers) : std::span<const char* const>(kEcMembers);
  for (const char* member : members) {
    auto it = described.find(member);
    if (it != described.end() && *it != mine[member]) {
      return permission_denied(std::string("release answer: the unwrapped key's '") + member +
                               "' differs from the released key's");
    }
  }
  return jwk;
}

}  // namespace

StatusOr<jose::Jwk> open_released_key(std::string_view jws,
                                      const crypto::PrivateKey& transfer_key) {
  MPCC_ASSIGN_OR_RETURN(jose::ParsedJws verified, verify_with_x5c(jws));
  const json payload =
      json::parse(verified.payload.begin(), verified.payload.end(), nullptr, false);
  const json* key = find_path(payload, {"response", "key", "key"});
  if (key == nullptr || !key->is_object()) return malformed("no response.key.key in the payload");
  const std::string kty = string_at(*key, {"kty"});
  const std::string key_hsm = string_at(*key, {"key_hsm"});
  if (kty.empty()) return malformed("response.key.key has no kty");
  if (key_hsm.empty()) return malformed("response.key.key has no key_hsm");

  StatusOr<Bytes> blob_text = crypto::base64_decode_any(key_hsm);
  if (!blob_text.ok()) {
    return malformed("key_hsm is not base64url: " + blob_text.status().message());
  }
  const json blob = json::parse(blob_text->begin(), blob_text->end(), nullptr, false);
  const std::string ciphertext_b64 = string_at(blob, {"ciphertext"});
  if (ciphertext_b64.empty()) return malformed("the key_hsm blob has no ciphertext");
  StatusOr<Bytes> ciphertext = crypto::base64_decode_any(ciphertext_b64);
  if (!ciphertext.ok()) {
    return malformed("ciphertext is not base64url: " + ciphertext.status().message());
  }
  MPCC_ASSIGN_OR_RETURN(crypto::RsaAesWrapAlg alg, wrap_alg(blob, payload));

  StatusOr<SecureBytes> target = crypto::rsa_aes_key_unwrap(transfer_key, alg, *ciphertext);
  if (!target.ok()) {
    return permission_denied("release answer: cannot unwrap the key with the transfer key (" +
                             std::string(crypto::rsa_aes_wrap_name(alg)) +
                             "): " + target.status().message());
  }
  MPCC_ASSIGN_OR_RETURN(jose::Jwk jwk, to_jwk(kty, *target, *key));
  jwk.set_kid(string_at(*key, {"kid"}));
  if (const json* ops = find_path(*key, {"key_ops"}); ops != nullptr && ops->is_array()) {
    std::vector<std::string> key_ops;
    for (const json& op : *ops) {
      if (op.is_string()) key_ops.push_back(op.get<std::string>());
    }
    jwk.set_key_ops(std::move(key_ops));
  }
  return jwk;
}

}  // namespace mpcc::skr
