#include "jose/jwt.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "jose/internal/compact.h"

namespace mpcc::jose {

using nlohmann::json;

namespace {

std::string kid_text(const std::optional<std::string>& kid) {
  return kid ? "'" + *kid + "'" : std::string("(none)");
}

// Whole seconds print without a fraction; anything else as JSON prints it.
std::string number_text(double v) {
  if (std::fabs(v) < 9.0e15 && v == std::floor(v)) {
    return std::to_string(static_cast<int64_t>(v));
  }
  return json(v).dump();
}

// A NumericDate claim (RFC 7519 §2): absent gives nullopt.
StatusOr<std::optional<double>> numeric_date(const json& claims, std::string_view name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::optional<double>();
  if (!it->is_number()) {
    return invalid_argument("JWT: " + std::string(name) + " is not a number");
  }
  return std::optional<double>(it->get<double>());
}

Status check_key_use(const Jwk& key, JwsAlg alg, const std::optional<std::string>& kid) {
  const std::string name = kid_text(kid);
  if (key.kind() == KeyKind::kOct) {
    return permission_denied("JWT: key " + name + " is not an asymmetric key");
  }
  if (!key.use().empty() && key.use() != "sig") {
    return permission_denied("JWT: key " + name + " is not for signatures (use '" + key.use() +
                             "')");
  }
  const auto& ops = key.key_ops();
  if (!ops.empty() && std::find(ops.begin(), ops.end(), "verify") == ops.end()) {
    return permission_denied("JWT: key " + name + " does not allow verify");
  }
  if (!key.alg().empty() && key.alg() != jws_alg_name(alg)) {
    return permission_denied("JWT: key " + name + " is for alg " + key.alg() + ", the token uses " +
                             std::string(jws_alg_name(alg)));
  }
  return ok_status();
}

}  // namespace

JwtKeyResolver key_set_resolver(JwkSet keys) {
  return [keys = std::move(keys)](const std::optional<std::string>& kid) -> StatusOr<Jwk> {
    if (kid) {
      if (const Jwk* key = keys.find(*kid)) return *key;
      return not_found("no key with kid '" + *kid + "'");
    }
    if (keys.keys().size() == 1) return keys.keys().front();
    return not_found("the token has no kid and the key set has " +
                     std::to_string(keys.keys().size()) + " keys");
  };
}

JwtKeyResolver single_key_resolver(Jwk key) {
  return [key = std::move(key)](const std::optional<std::string>& kid) -> StatusOr<Jwk> {
    if (kid && !key.kid().empty() && *kid != key.kid()) {
      return not_found("no key with kid '" + *kid + "'");
    }
    return key;
  };
}

JwtVerifier::JwtVerifier(JwtKeyResolver resolver, JwtVerifierOptions options)
    : resolver_(std::move(resolver)), options_(std::move(options)) {
  if (!resolver_) throw std::logic_error("JwtVerifier: no key resolver");
  if (options_.leeway_seconds < 0) throw std::logic_error("JwtVerifier: negative leeway");
  if (!options_.clock) options_.clock = system_clock();
}

StatusOr<VerifiedJwt> JwtVerifier::verify(std::string_view token) const {
  StatusOr<ParsedJws> parsed = jws_parse(token);
  if (!parsed.ok()) return parsed.status().with_context("JWT");
  const ParsedJws& jws = *parsed;

  const auto& allowed = options_.allowed_algs;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), jws.alg) == allowed.end()) {
    return permission_denied("JWT: alg " + std::string(jws_alg_name(jws.alg)) + " is not allowed");
  }

  const std::optional<std::string> kid = jws.kid();
  if (jws.header.contains("kid") && !kid) {
    return invalid_argument("JWT: header kid is not a string");
  }
  StatusOr<Jwk> key = resolver_(kid);
  if (!key.ok()) {
    if (key.status().code() == StatusCode::kNotFound) {
      return permission_denied("JWT: unknown kid " + kid_text(kid));
    }
    return key.status().with_context("JWT");
  }
  MPCC_RETURN_IF_ERROR(check_key_use(*key, jws.alg, kid));
  StatusOr<crypto::PublicKey> public_key = key->to_public_key();
  if (!public_key.ok()) return public_key.status().with_context("JWT");
  const Status signature = jws_verify_signature(jws, *public_key);
  if (!signature.ok()) return signature.with_context("JWT");

  MPCC_ASSIGN_OR_RETURN(json claims,
                        internal::parse_json_object(to_string(jws.payload), "JWT", "payload"));
  MPCC_RETURN_IF_ERROR(check_times(claims));
  MPCC_RETURN_IF_ERROR(check_issuer_and_audience(claims));
  return VerifiedJwt{jws.header, std::move(claims), jws.alg};
}

Status JwtVerifier::check_times(const json& claims) const {
  const double now = static_cast<double>(options_.clock->now());
  const double leeway = static_cast<double>(options_.leeway_seconds);
  const std::string at =
      " (now " + number_text(now) + ", leeway " + std::to_string(options_.leeway_seconds) + "s)";

  MPCC_ASSIGN_OR_RETURN(std::optional<double> exp, numeric_date(claims, "exp"));
  if (!exp && options_.require_exp) return permission_denied("JWT: missing exp");
  // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
  if (exp && now - leeway >= *exp) {
    return permission_denied("JWT: token expired at exp " + number_text(*exp) + at);
  }
  MPCC_ASSIGN_OR_RETURN(std::optional<double> nbf, numeric_date(claims, "nbf"));
  if (nbf && now + leeway < *nbf) {
    return permission_denied("JWT: token not valid before nbf " + number_text(*nbf) + at);
  }
  MPCC_ASSIGN_OR_RETURN(std::optional<double> iat, numeric_date(claims, "iat"));
  if (iat && *iat > now + leeway) {
    return permission_denied("JWT: iat " + number_text(*iat) + " is in the future" + at);
  }
  return ok_status();
}

Status JwtVerifier::check_issuer_and_audience(const json& claims) const {
  if (!options_.issuers.empty()) {
    const auto it = claims.find("iss");
    if (it == claims.end() || !it->is_string()) return permission_denied("JWT: missing iss");
    const std::string iss = it->get<std::string>();
    const auto& issuers = options_.issuers;
    if (std::find(issuers.begin(), issuers.end(), iss) == issuers.end()) {
      return permission_denied("JWT: untrusted issuer '" + iss + "'");
    }
  }
  if (options_.audience) {
    const auto it = claims.find("aud");
    if (it == claims.end()) return permission_denied("JWT: missing aud");
    bool found = false;
    if (it->is_string()) {
      found = it->get<std::string>() == *options_.audience;
    } else if (it->is_array()) {
      for (const json& a : *it) {
        if (!a.is_string()) {
          return invalid_argument("JWT: aud is not a string or an array of strings");
        }
        found = found || a.get<std::string>() == *options_.audience;
      }
    } else {
      return invalid_argument("JWT: aud is not a string or an array of strings");
    }
    if (!found) {
      return permission_denied("JWT: audience '" + *options_.audience + "' not in aud");
    }
  }
  return ok_status();
}

StatusOr<std::string> jwt_sign(JwsAlg alg, const crypto::PrivateKey& key, const json& claims,
                               const json& header_extras) {
  if (!claims.is_object()) return invalid_argument("JWT: claims must be a JSON object");
  if (!header_extras.is_object()) {
    return invalid_argument("JWT: header extras must be a JSON object");
  }
  json header = header_extras;
  if (!header.contains("typ")) header["typ"] = "JWT";
  const std::string payload = claims.dump();
  StatusOr<std::string> token = jws_sign(alg, key, as_span(payload), header);
  if (!token.ok()) return token.status().with_context("JWT");
  return token;
}

JwtSigner::JwtSigner(JwsAlg alg, crypto::PrivateKey key, std::string kid, std::string jku)
    : alg_(alg), key_(std::move(key)), kid_(std::move(kid)), jku_(std::move(jku)) {}

StatusOr<std::string> JwtSigner::sign(const json& claims, const json& header_extras) const {
  if (!header_extras.is_object()) {
    return invalid_argument("JWT: header extras must be a JSON object");
  }
  json header = header_extras;
  if (!kid_.empty()) header["kid"] = kid_;
  if (!jku_.empty()) header["jku"] = jku_;
  return jwt_sign(alg_, key_, claims, header);
}

}  // namespace mpcc::jose
