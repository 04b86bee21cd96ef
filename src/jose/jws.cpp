#include "jose/jws.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

#include "crypto/encoding.h"
#include "jose/internal/compact.h"

namespace mpcc::jose {

using nlohmann::json;

namespace {

constexpr std::array<JwsAlg, 6> kAllAlgs = {JwsAlg::kRs256, JwsAlg::kRs384, JwsAlg::kPs256,
                                            JwsAlg::kPs384, JwsAlg::kEs256, JwsAlg::kEs384};

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool is_ec_alg(JwsAlg alg) { return alg == JwsAlg::kEs256 || alg == JwsAlg::kEs384; }

crypto::Curve ec_alg_curve(JwsAlg alg) {
  return alg == JwsAlg::kEs256 ? crypto::Curve::kP256 : crypto::Curve::kP384;
}

std::string key_description(crypto::KeyType type, std::optional<crypto::Curve> curve) {
  if (type == crypto::KeyType::kRsa) return "RSA";
  return "EC " + (curve ? std::string(crypto::curve_jwk_name(*curve)) : std::string("?"));
}

}  // namespace

std::span<const JwsAlg> all_jws_algs() { return kAllAlgs; }

std::string_view jws_alg_name(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kRs256:
      return "RS256";
    case JwsAlg::kRs384:
      return "RS384";
    case JwsAlg::kPs256:
      return "PS256";
    case JwsAlg::kPs384:
      return "PS384";
    case JwsAlg::kEs256:
      return "ES256";
    case JwsAlg::kEs384:
      return "ES384";
  }
  throw std::logic_error("jws_alg_name: bad JwsAlg");
}

StatusOr<JwsAlg> jws_alg_from_name(std::string_view name) {
  for (JwsAlg alg : kAllAlgs) {
    if (jws_alg_name(alg) == name) return alg;
  }
  const std::string up = upper(name);
  if (up == "NONE") return permission_denied("JWS: alg 'none' is refused");
  if (up.rfind("HS", 0) == 0) {
    return permission_denied("JWS: HMAC alg '" + std::string(name) + "' is refused");
  }
  return permission_denied("JWS: unsupported alg '" + std::string(name) + "'");
}

crypto::SignatureAlg jws_signature_alg(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kRs256:
      return crypto::SignatureAlg::kRsaPkcs1Sha256;
    case JwsAlg::kRs384:
      return crypto::SignatureAlg::kRsaPkcs1Sha384;
    case JwsAlg::kPs256:
      return crypto::SignatureAlg::kRsaPssSha256;
    case JwsAlg::kPs384:
      return crypto::SignatureAlg::kRsaPssSha384;
    case JwsAlg::kEs256:
      return crypto::SignatureAlg::kEcdsaP256Sha256;
    case JwsAlg::kEs384:
      return crypto::SignatureAlg::kEcdsaP384Sha384;
  }
  throw std::logic_error("jws_signature_alg: bad JwsAlg");
}

Status check_alg_fits_key(JwsAlg alg, crypto::KeyType type, std::optional<crypto::Curve> curve) {
  bool fits = false;
  std::string need;
  if (is_ec_alg(alg)) {
    fits = type == crypto::KeyType::kEc && curve == ec_alg_curve(alg);
    need = "an EC " + std::string(crypto::curve_jwk_name(ec_alg_curve(alg))) + " key";
  } else {
    fits = type == crypto::KeyType::kRsa;
    need = "an RSA key";
  }
  if (fits) return ok_status();
  return permission_denied("JWS: alg " + std::string(jws_alg_name(alg)) + " needs " + need +
                           ", got " + key_description(type, curve));
}

StatusOr<std::string> jws_sign(JwsAlg alg, const crypto::PrivateKey& key, ByteSpan payload,
                               const json& header_extras) {
  if (!header_extras.is_object()) {
    return invalid_argument("JWS: header extras must be a JSON object");
  }
  if (header_extras.contains("alg")) {
    return invalid_argument("JWS: header extras must not set alg");
  }
  if (header_extras.contains("crit")) {
    return invalid_argument("JWS: header extras must not set crit");
  }
  MPCC_RETURN_IF_ERROR(check_alg_fits_key(alg, key.type(), key.curve()));
  json header = header_extras;
  header["alg"] = std::string(jws_alg_name(alg));
  std::string input =
      crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(payload);
  MPCC_ASSIGN_OR_RETURN(Bytes signature, crypto::sign(key, jws_signature_alg(alg), as_span(input)));
  if (is_ec_alg(alg)) {
    MPCC_ASSIGN_OR_RETURN(
        signature,
        crypto::ecdsa_der_to_raw(signature, crypto::curve_coordinate_size(ec_alg_curve(alg))));
  }
  input += ".";
  input += crypto::base64url_encode(signature);
  return input;
}

std::optional<std::string> ParsedJws::kid() const {
  const auto it = header.find("kid");
  if (it == header.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

StatusOr<ParsedJws> jws_parse(std::string_view compact) {
  const std::vector<std::string_view> parts = internal::split_compact(compact);
  if (parts.size() != 3) {
    return invalid_argument("JWS: expected 3 segments, got " + std::to_string(parts.size()));
  }
  MPCC_ASSIGN_OR_RETURN(Bytes header_bytes, internal::decode_segment(parts[0], "JWS", "header"));
  MPCC_ASSIGN_OR_RETURN(json header,
                        internal::parse_json_object(to_string(header_bytes), "JWS", "header"));
  MPCC_ASSIGN_OR_RETURN(std::string alg_name, internal::header_string(header, "alg", "JWS"));
  MPCC_ASSIGN_OR_RETURN(JwsAlg alg, jws_alg_from_name(alg_name));
  MPCC_RETURN_IF_ERROR(internal::check_crit(header, "JWS"));
  MPCC_ASSIGN_OR_RETURN(Bytes payload, internal::decode_segment(parts[1], "JWS", "payload"));
  MPCC_ASSIGN_OR_RETURN(Bytes signature, internal::decode_segment(parts[2], "JWS", "signature"));
  ParsedJws jws{std::move(header), alg, std::move(payload), std::move(signature),
                std::string(compact.substr(0, parts[0].size() + 1 + parts[1].size()))};
  return jws;
}

Status jws_verify_signature(const ParsedJws& jws, const crypto::PublicKey& key) {
  MPCC_RETURN_IF_ERROR(check_alg_fits_key(jws.alg, key.type(), key.curve()));
  Bytes signature = jws.signature;
  if (is_ec_alg(jws.alg)) {
    const std::size_t raw_size = 2 * crypto::curve_coordinate_size(ec_alg_curve(jws.alg));
    if (signature.size() != raw_size) {
      return invalid_argument("JWS: " + std::string(jws_alg_name(jws.alg)) + " signature must be " +
                              std::to_string(raw_size) + " bytes, got " +
                              std::to_string(signature.size()));
    }
    StatusOr<Bytes> der = crypto::ecdsa_raw_to_der(signature);
    if (!der.ok()) return permission_denied("JWS: signature does not verify");
    signature = std::move(*der);
  }
  const Status s =
      crypto::verify(key, jws_signature_alg(jws.alg), as_span(jws.signing_input), signature);
  if (s.ok()) return s;
  if (s.code() == StatusCode::kPermissionDenied || s.code() == StatusCode::kInvalidArgument) {
    return permission_denied("JWS: signature does not verify");
  }
  return s.with_context("JWS");
}

StatusOr<ParsedJws> jws_verify(std::string_view compact, const crypto::PublicKey& key,
                               std::span<const JwsAlg> allowed) {
  MPCC_ASSIGN_OR_RETURN(ParsedJws jws, jws_parse(compact));
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), jws.alg) == allowed.end()) {
    return permission_denied("JWS: alg " + std::string(jws_alg_name(jws.alg)) + " is not allowed");
  }
  MPCC_RETURN_IF_ERROR(jws_verify_signature(jws, key));
  return jws;
}

}  // namespace mpcc::jose
