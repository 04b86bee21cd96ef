#include "jose/jwk.h"

#include <algorithm>
#include <array>
#include <ostream>
#include <set>
#include <stdexcept>

#include "crypto/encoding.h"
#include "crypto/x509.h"
#include "jose/internal/compact.h"

namespace mpcc::jose {

using nlohmann::json;

namespace {

constexpr std::string_view kRedacted = "<redacted>";

// Members whose meaning mpcc knows; everything else is kept verbatim in extra_.
constexpr std::array<std::string_view, 18> kKnownMembers = {
    "kty", "kid", "use", "alg", "key_ops", "x5c", "n", "e", "d",
    "p",   "q",   "dp",  "dq",  "qi",      "crv", "x", "y", "k"};

// Key-material members defined for each kty (RFC 7518 §6).
constexpr std::array<std::string_view, 8> kRsaMembers = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
constexpr std::array<std::string_view, 4> kEcMembers = {"crv", "x", "y", "d"};
constexpr std::array<std::string_view, 1> kOctMembers = {"k"};
constexpr std::array<std::string_view, 11> kMaterialMembers = {"n",  "e",  "d",   "p", "q", "dp",
                                                               "dq", "qi", "crv", "x", "y"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Status jwk_error(std::string message) { return invalid_argument("JWK: " + std::move(message)); }

// Reads an optional string member; absent gives "".
StatusOr<std::string> optional_string(const json& j, std::string_view name) {
  const auto it = j.find(name);
  if (it == j.end()) return std::string();
  if (!it->is_string()) return jwk_error(std::string(name) + " is not a string");
  return it->get<std::string>();
}

StatusOr<std::vector<std::string>> optional_string_array(const json& j, std::string_view name) {
  std::vector<std::string> out;
  const auto it = j.find(name);
  if (it == j.end()) return out;
  if (!it->is_array()) return jwk_error(std::string(name) + " is not an array of strings");
  for (const json& v : *it) {
    if (!v.is_string()) return jwk_error(std::string(name) + " is not an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// Reads an optional base64url member; absent gives nullopt.
StatusOr<std::optional<Bytes>> optional_b64(const json& j, std::string_view name) {
  const auto it = j.find(name);
  if (it == j.end()) return std::optional<Bytes>();
  if (!it->is_string()) return jwk_error(std::string(name) + " is not a string");
  StatusOr<Bytes> decoded = crypto::base64url_decode(it->get<std::string>());
  if (!decoded.ok()) return jwk_error(std::string(name) + " is not valid base64url");
  return std::optional<Bytes>(std::move(*decoded));
}

StatusOr<Bytes> required_b64(const json& j, std::string_view name) {
  MPCC_ASSIGN_OR_RETURN(std::optional<Bytes> v, optional_b64(j, name));
  if (!v) return jwk_error("missing " + std::string(name));
  return std::move(*v);
}

SecureBytes secure(const std::optional<Bytes>& v) {
  if (!v) return {};
  SecureBytes out(v->begin(), v->end());
  return out;
}

void wipe(std::optional<Bytes>& v) {
  if (v) secure_wipe(v->data(), v->size());
}

// Public key of x5c[0] (the leaf), if the JWK has x5c.
StatusOr<std::optional<crypto::PublicKey>> x5c_public_key(const std::vector<std::string>& x5c) {
  if (x5c.empty()) return std::optional<crypto::PublicKey>();
  StatusOr<Bytes> der = crypto::base64_decode(x5c.front());
  if (!der.ok()) return jwk_error("x5c[0] is not valid base64");
  StatusOr<crypto::Certificate> cert = crypto::Certificate::from_der(*der);
  if (!cert.ok()) return jwk_error("x5c[0] is not an X.509 certificate");
  return std::optional<crypto::PublicKey>(cert->public_key());
}

std::string b64(ByteSpan v) { return crypto::base64url_encode(v); }

}  // namespace

std::string_view key_kind_name(KeyKind kind) {
  switch (kind) {
    case KeyKind::kRsa:
      return "RSA";
    case KeyKind::kEc:
      return "EC";
    case KeyKind::kOct:
      return "oct";
  }
  throw std::logic_error("key_kind_name: bad KeyKind");
}

StatusOr<Jwk> Jwk::from_json(const json& j) {
  if (!j.is_object()) return jwk_error("not a JSON object");
  const auto kty_it = j.find("kty");
  if (kty_it == j.end()) return jwk_error("missing kty");
  if (!kty_it->is_string()) return jwk_error("kty is not a string");
  const std::string kty = kty_it->get<std::string>();

  Jwk jwk;
  if (kty == "RSA") {
    jwk.kind_ = KeyKind::kRsa;
  } else if (kty == "EC") {
    jwk.kind_ = KeyKind::kEc;
  } else if (kty == "oct") {
    jwk.kind_ = KeyKind::kOct;
  } else {
    return unimplemented("JWK: unsupported kty '" + kty + "'");
  }
  if (j.contains("oth")) return unimplemented("JWK: multi-prime RSA keys (oth) are not supported");

  // Key-material members must belong to this kty: a stray "d" or "k" would
  // otherwise be kept as an unknown (public) member and leak when printed.
  for (const auto& [name, value] : j.items()) {
    const bool material = contains(kMaterialMembers, name) || name == "k";
    if (!material) continue;
    const bool belongs = (jwk.kind_ == KeyKind::kRsa && contains(kRsaMembers, name)) ||
                         (jwk.kind_ == KeyKind::kEc && contains(kEcMembers, name)) ||
                         (jwk.kind_ == KeyKind::kOct && contains(kOctMembers, name));
    if (!belongs) return jwk_error("member '" + name + "' does not belong to kty " + kty);
  }

  MPCC_ASSIGN_OR_RETURN(jwk.kid_, optional_string(j, "kid"));
  MPCC_ASSIGN_OR_RETURN(jwk.use_, optional_string(j, "use"));
  MPCC_ASSIGN_OR_RETURN(jwk.alg_, optional_string(j, "alg"));
  MPCC_ASSIGN_OR_RETURN(jwk.key_ops_, optional_string_array(j, "key_ops"));
  std::set<std::string> ops(jwk.key_ops_.begin(), jwk.key_ops_.end());
  if (ops.size() != jwk.key_ops_.size()) return jwk_error("key_ops has duplicate values");
  MPCC_ASSIGN_OR_RETURN(jwk.x5c_, optional_string_array(j, "x5c"));
  MPCC_ASSIGN_OR_RETURN(std::optional<crypto::PublicKey> cert_key, x5c_public_key(jwk.x5c_));

  for (const auto& [name, value] : j.items()) {
    if (!contains(kKnownMembers, name)) jwk.extra_[name] = value;
  }

  switch (jwk.kind_) {
    case KeyKind::kRsa: {
      MPCC_ASSIGN_OR_RETURN(std::optional<Bytes> n, optional_b64(j, "n"));
      MPCC_ASSIGN_OR_RETURN(std::optional<Bytes> e, optional_b64(j, "e"));
      if (!n && !e && cert_key) {
        if (cert_key->type() != crypto::KeyType::kRsa) {
          return jwk_error("x5c[0] does not hold an RSA key");
        }
        MPCC_ASSIGN_OR_RETURN(crypto::RsaPublicComponents c, cert_key->rsa());
        n = std::move(c.n);
        e = std::move(c.e);
      }
      if (!n) return jwk_error("missing n");
      if (!e) return jwk_error("missing e");
      if (n->empty() || e->empty()) return jwk_error("n and e must not be empty");
      jwk.n_ = std::move(*n);
      jwk.e_ = std::move(*e);
      std::array<std::optional<Bytes>, 6> priv;
      constexpr std::array<std::string_view, 6> kPrivNames = {"d", "p", "q", "dp", "dq", "qi"};
      std::size_t present = 0;
      for (std::size_t i = 0; i < priv.size(); ++i) {
        StatusOr<std::optional<Bytes>> v = optional_b64(j, kPrivNames[i]);
        if (!v.ok()) {
          for (auto& done : priv) wipe(done);
          return v.status();
        }
        priv[i] = std::move(*v);
        if (priv[i]) ++present;
      }
      if (present != 0 && present != priv.size()) {
        for (auto& v : priv) wipe(v);
        if (!priv[0]) return jwk_error("RSA private members without d");
        return unimplemented("JWK: RSA private keys need all of d, p, q, dp, dq, qi");
      }
      jwk.d_ = secure(priv[0]);
      jwk.p_ = secure(priv[1]);
      jwk.q_ = secure(priv[2]);
      jwk.dp_ = secure(priv[3]);
      jwk.dq_ = secure(priv[4]);
      jwk.qi_ = secure(priv[5]);
      for (auto& v : priv) wipe(v);
      break;
    }
    case KeyKind::kEc: {
      MPCC_ASSIGN_OR_RETURN(std::string crv, optional_string(j, "crv"));
      MPCC_ASSIGN_OR_RETURN(std::optional<Bytes> x, optional_b64(j, "x"));
      MPCC_ASSIGN_OR_RETURN(std::optional<Bytes> y, optional_b64(j, "y"));
      if (crv.empty() && !x && !y && cert_key) {
        if (cert_key->type() != crypto::KeyType::kEc) {
          return jwk_error("x5c[0] does not hold an EC key");
        }
        MPCC_ASSIGN_OR_RETURN(crypto::EcPublicComponents c, cert_key->ec());
        crv = std::string(crypto::curve_jwk_name(c.curve));
        x = std::move(c.x);
        y = std::move(c.y);
      }
      if (crv.empty()) return jwk_error("missing crv");
      StatusOr<crypto::Curve> curve = crypto::curve_from_jwk_name(crv);
      if (!curve.ok()) return unimplemented("JWK: unsupported crv '" + crv + "'");
      jwk.curve_ = *curve;
      const std::size_t size = crypto::curve_coordinate_size(*curve);
      if (!x) return jwk_error("missing x");
      if (!y) return jwk_error("missing y");
      if (x->size() != size || y->size() != size) {
        return jwk_error("x and y must be " + std::to_string(size) + " bytes for " + crv);
      }
      jwk.x_ = std::move(*x);
      jwk.y_ = std::move(*y);
      MPCC_ASSIGN_OR_RETURN(std::optional<Bytes> d, optional_b64(j, "d"));
      if (d && d->size() != size) {
        wipe(d);
        return jwk_error("d must be " + std::to_string(size) + " bytes for " + crv);
      }
      jwk.d_ = secure(d);
      wipe(d);
      break;
    }
    case KeyKind::kOct: {
      MPCC_ASSIGN_OR_RETURN(Bytes k, required_b64(j, "k"));
      jwk.k_ = SecureBytes(k.begin(), k.end());
      secure_wipe(k.data(), k.size());
      if (jwk.k_.empty()) return jwk_error("k must not be empty");
      break;
    }
  }

  // RFC 7517 §4.7: the key in the first certificate must match the JWK's key.
  if (cert_key) {
    MPCC_ASSIGN_OR_RETURN(crypto::PublicKey own, jwk.to_public_key());
    if (!own.equals(*cert_key)) return jwk_error("x5c[0] does not match the key");
  }
  return jwk;
}

StatusOr<Jwk> Jwk::parse(std::string_view text) {
  MPCC_ASSIGN_OR_RETURN(json j, internal::parse_json_object(text, "JWK", "key"));
  return from_json(j);
}

StatusOr<Jwk> Jwk::from_public_key(const crypto::PublicKey& key) {
  Jwk jwk;
  if (key.type() == crypto::KeyType::kRsa) {
    MPCC_ASSIGN_OR_RETURN(crypto::RsaPublicComponents c, key.rsa());
    jwk.kind_ = KeyKind::kRsa;
    jwk.n_ = std::move(c.n);
    jwk.e_ = std::move(c.e);
  } else {
    MPCC_ASSIGN_OR_RETURN(crypto::EcPublicComponents c, key.ec());
    jwk.kind_ = KeyKind::kEc;
    jwk.curve_ = c.curve;
    jwk.x_ = std::move(c.x);
    jwk.y_ = std::move(c.y);
  }
  return jwk;
}

StatusOr<Jwk> Jwk::from_private_key(const crypto::PrivateKey& key) {
  Jwk jwk;
  if (key.type() == crypto::KeyType::kRsa) {
    MPCC_ASSIGN_OR_RETURN(crypto::RsaPrivateComponents c, key.rsa());
    jwk.kind_ = KeyKind::kRsa;
    jwk.n_ = std::move(c.n);
    jwk.e_ = std::move(c.e);
    jwk.d_ = std::move(c.d);
    jwk.p_ = std::move(c.p);
    jwk.q_ = std::move(c.q);
    jwk.dp_ = std::move(c.dp);
    jwk.dq_ = std::move(c.dq);
    jwk.qi_ = std::move(c.qi);
  } else {
    MPCC_ASSIGN_OR_RETURN(crypto::EcPrivateComponents c, key.ec());
    jwk.kind_ = KeyKind::kEc;
    jwk.curve_ = c.curve;
    jwk.x_ = std::move(c.x);
    jwk.y_ = std::move(c.y);
    jwk.d_ = std::move(c.d);
  }
  return jwk;
}

StatusOr<Jwk> Jwk::from_oct(ByteSpan k) {
  if (k.empty()) return jwk_error("k must not be empty");
  Jwk jwk;
  jwk.kind_ = KeyKind::kOct;
  jwk.k_ = to_secure(k);
  return jwk;
}

bool Jwk::is_private() const { return kind_ == KeyKind::kOct || !d_.empty(); }

void Jwk::write_members(json& j, bool redact) const {
  auto secret = [&](std::string_view name, const SecureBytes& v) {
    if (v.empty()) return;
    j[std::string(name)] = redact ? std::string(kRedacted) : b64(v);
  };
  j = extra_;
  j["kty"] = std::string(kty());
  switch (kind_) {
    case KeyKind::kRsa:
      j["n"] = b64(n_);
      j["e"] = b64(e_);
      secret("d", d_);
      secret("p", p_);
      secret("q", q_);
      secret("dp", dp_);
      secret("dq", dq_);
      secret("qi", qi_);
      break;
    case KeyKind::kEc:
      j["crv"] = std::string(crypto::curve_jwk_name(*curve_));
      j["x"] = b64(x_);
      j["y"] = b64(y_);
      secret("d", d_);
      break;
    case KeyKind::kOct:
      secret("k", k_);
      break;
  }
  if (!kid_.empty()) j["kid"] = kid_;
  if (!use_.empty()) j["use"] = use_;
  if (!alg_.empty()) j["alg"] = alg_;
  if (!key_ops_.empty()) j["key_ops"] = key_ops_;
  if (!x5c_.empty()) j["x5c"] = x5c_;
}

json Jwk::to_json() const {
  json j;
  write_members(j, /*redact=*/false);
  return j;
}

json Jwk::to_redacted_json() const {
  json j;
  write_members(j, /*redact=*/true);
  return j;
}

std::string Jwk::to_redacted_string() const { return to_redacted_json().dump(); }

Jwk Jwk::public_only() const {
  if (kind_ == KeyKind::kOct) {
    throw std::logic_error("Jwk::public_only: an oct key has no public form");
  }
  Jwk pub = *this;
  pub.d_.clear();
  pub.p_.clear();
  pub.q_.clear();
  pub.dp_.clear();
  pub.dq_.clear();
  pub.qi_.clear();
  return pub;
}

StatusOr<crypto::PublicKey> Jwk::to_public_key() const {
  std::call_once(public_key_cache_->once, [this] {
    switch (kind_) {
      case KeyKind::kRsa:
        public_key_cache_->value = crypto::PublicKey::from_rsa(crypto::RsaPublicComponents{n_, e_});
        return;
      case KeyKind::kEc:
        public_key_cache_->value =
            crypto::PublicKey::from_ec(crypto::EcPublicComponents{*curve_, x_, y_});
        return;
      case KeyKind::kOct:
        break;
    }
    public_key_cache_->value = jwk_error("an oct key has no public key");
  });
  return *public_key_cache_->value;
}

StatusOr<crypto::PrivateKey> Jwk::to_private_key() const {
  if (kind_ == KeyKind::kOct) return jwk_error("an oct key is not an asymmetric private key");
  if (d_.empty()) return jwk_error("not a private key");
  if (kind_ == KeyKind::kRsa) {
    return crypto::PrivateKey::from_rsa(
        crypto::RsaPrivateComponents{n_, e_, d_, p_, q_, dp_, dq_, qi_});
  }
  return crypto::PrivateKey::from_ec(crypto::EcPrivateComponents{*curve_, x_, y_, d_});
}

std::string Jwk::thumbprint(crypto::HashAlg hash) const {
  // nlohmann's object keeps members sorted and dump() writes no whitespace:
  // exactly the RFC 7638 §3.2 canonical form.
  json t;
  t["kty"] = std::string(kty());
  switch (kind_) {
    case KeyKind::kRsa:
      t["e"] = b64(e_);
      t["n"] = b64(n_);
      break;
    case KeyKind::kEc:
      t["crv"] = std::string(crypto::curve_jwk_name(*curve_));
      t["x"] = b64(x_);
      t["y"] = b64(y_);
      break;
    case KeyKind::kOct:
      t["k"] = b64(k_);
      break;
  }
  std::string canonical = t.dump();
  const Bytes digest = crypto::digest(hash, as_span(canonical));
  secure_wipe(canonical.data(), canonical.size());
  if (kind_ == KeyKind::kOct) {
    std::string& k = t["k"].get_ref<std::string&>();
    secure_wipe(k.data(), k.size());
  }
  return crypto::base64url_encode(digest);
}

bool operator==(const Jwk& a, const Jwk& b) {
  return a.kind_ == b.kind_ && a.n_ == b.n_ && a.e_ == b.e_ && a.curve_ == b.curve_ &&
         a.x_ == b.x_ && a.y_ == b.y_ && a.d_ == b.d_ && a.p_ == b.p_ && a.q_ == b.q_ &&
         a.dp_ == b.dp_ && a.dq_ == b.dq_ && a.qi_ == b.qi_ && a.k_ == b.k_ && a.kid_ == b.kid_ &&
         a.use_ == b.use_ && a.alg_ == b.alg_ && a.key_ops_ == b.key_ops_ && a.x5c_ == b.x5c_ &&
         a.extra_ == b.extra_;
}

std::ostream& operator<<(std::ostream& os, const Jwk& jwk) {
  return os << jwk.to_redacted_string();
}

StatusOr<JwkSet> JwkSet::from_json(const json& j) {
  if (!j.is_object()) return invalid_argument("JWKS: not a JSON object");
  const auto it = j.find("keys");
  if (it == j.end() || !it->is_array()) {
    return invalid_argument("JWKS: missing \"keys\" array");
  }
  JwkSet set;
  for (const json& entry : *it) {
    StatusOr<Jwk> jwk = Jwk::from_json(entry);
    if (jwk.ok()) {
      set.keys_.push_back(std::move(*jwk));
    } else {
      ++set.skipped_;
    }
  }
  return set;
}

StatusOr<JwkSet> JwkSet::parse(std::string_view text) {
  MPCC_ASSIGN_OR_RETURN(json j, internal::parse_json_object(text, "JWKS", "key set"));
  return from_json(j);
}

const Jwk* JwkSet::find(std::string_view kid) const {
  for (const Jwk& k : keys_) {
    if (k.kid() == kid) return &k;
  }
  return nullptr;
}

JwkSet JwkSet::public_only() const {
  JwkSet out;
  for (const Jwk& k : keys_) {
    if (k.kind() != KeyKind::kOct) out.keys_.push_back(k.public_only());
  }
  return out;
}

json JwkSet::to_json() const {
  json keys = json::array();
  for (const Jwk& k : keys_) keys.push_back(k.to_json());
  return json{{"keys", std::move(keys)}};
}

std::string JwkSet::to_redacted_string() const {
  json keys = json::array();
  for (const Jwk& k : keys_) keys.push_back(k.to_redacted_json());
  return json{{"keys", std::move(keys)}}.dump();
}

std::ostream& operator<<(std::ostream& os, const JwkSet& set) {
  return os << set.to_redacted_string();
}

}  // namespace mpcc::jose
