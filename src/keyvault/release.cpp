#include "keyvault/release.h"

#include <algorithm>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "jose/jws.h"
#include "jose/jwt.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;

constexpr std::size_t kMinWrappingKeyBits = 2048;
constexpr const char* kGenerator = "mpcc keyvault";

Status token_refused(const std::string& why) {
  return permission_denied("attestation token: " + why);
}

// The unverified issuer, read only to decide whether we may fetch its keys.
StatusOr<std::string> claimed_issuer(std::string_view token) {
  auto parsed = jose::jws_parse(token);
  if (!parsed.ok()) return token_refused(parsed.status().message());
  json claims = json::parse(parsed->payload.begin(), parsed->payload.end(), nullptr, false);
  if (!claims.is_object()) return token_refused("the payload is not a JSON object");
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get_ref<const std::string&>().empty()) {
    return token_refused("no iss claim");
  }
  return iss->get<std::string>();
}

bool marked_for_encryption(const json& k) {
  auto has = [&](const char* member, const char* value) {
    auto it = k.find(member);
    return it != k.end() && it->is_string() && *it == value;
  };
  if (has("use", "enc") || has("key_use", "enc")) return true;
  auto ops = k.find("key_ops");
  if (ops != k.end() && ops->is_array()) {
    for (const json& op : *ops) {
      if (op == "encrypt" || op == "wrapKey") return true;
    }
  }
  return false;
}

}  // namespace

StatusOr<jose::Jwk> select_wrapping_key(const json& claims) {
  auto runtime = claims.find("x-ms-runtime");
  if (runtime == claims.end() || !runtime->is_object()) {
    return token_refused("no x-ms-runtime claim: the token names no key to wrap the release to");
  }
  auto keys = runtime->find("keys");
  if (keys == runtime->end() || !keys->is_array() || keys->empty()) {
    return token_refused("x-ms-runtime.keys is missing or empty: no key to wrap the release to");
  }
  std::string skipped;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const json& k = (*keys)[i];
    const std::string where = "x-ms-runtime.keys[" + std::to_string(i) + "]";
    if (!k.is_object() || k.value("kty", "") != "RSA") {
      skipped += "; " + where + ": not an RSA key";
      continue;
    }
    if (!marked_for_encryption(k)) {
      skipped += "; " + where + ": not marked for encryption (key_ops encrypt/wrapKey or use enc)";
      continue;
    }
    // The member key_use is not JWK's; drop it before parsing.
    json clean = k;
    clean.erase("key_use");
    auto jwk = jose::Jwk::from_json(clean);
    if (!jwk.ok()) {
      skipped += "; " + where + ": " + jwk.status().message();
      continue;
    }
    auto pub = jwk->to_public_key();
    if (!pub.ok() || pub->bits() < kMinWrappingKeyBits) {
      skipped += "; " + where + ": an RSA key of at least 2048 bits is required";
      continue;
    }
    return *jwk;
  }
  return token_refused("x-ms-runtime.keys has no RSA key marked for encryption" + skipped);
}

StatusOr<VerifiedAttestation> verify_attestation_token(std::string_view token,
                                                       const ReleasePolicy& policy,
                                                       IssuerKeys& issuer_keys,
                                                       std::shared_ptr<const Clock> clock,
                                                       int64_t leeway_seconds) {
  MPCC_ASSIGN_OR_RETURN(std::string issuer, claimed_issuer(token));
  bool known = false;
  std::string authorities;
  for (const AuthorityRule& rule : policy.authorities()) {
    known = known || authority_matches(rule.authority, issuer);
    authorities += (authorities.empty() ? "" : ", ") + rule.authority;
  }
  if (!known) {
    return token_refused("issuer \"" + issuer.substr(0, 256) +
                         "\" is not an authority of the key's release policy (authorities: " +
                         authorities + ")");
  }
  jose::JwtVerifierOptions options;
  options.allowed_algs = {jose::JwsAlg::kRs256};
  options.issuers = {issuer};
  options.clock = std::move(clock);
  options.leeway_seconds = leeway_seconds;
  jose::JwtVerifier verifier(issuer_keys.resolver(issuer), options);
  auto verified = verifier.verify(token);
  if (!verified.ok()) {
    if (verified.status().code() == StatusCode::kUnavailable) return verified.status();
    return token_refused(verified.status().message());
  }
  MPCC_ASSIGN_OR_RETURN(jose::Jwk wrapping_key, select_wrapping_key(verified->claims));
  MPCC_ASSIGN_OR_RETURN(crypto::PublicKey wrapping_public, wrapping_key.to_public_key());
  return VerifiedAttestation{std::move(issuer), std::move(verified->claims),
                             std::move(wrapping_key), std::move(wrapping_public)};
}

json transfer_blob(const std::string& wrapping_kid, crypto::RsaAesWrapAlg enc,
                   ByteSpan ciphertext) {
  return {{"schema_version", "1.0"},
          {"header",
           {{"kid", wrapping_kid}, {"alg", "dir"}, {"enc", crypto::rsa_aes_wrap_name(enc)}}},
          {"ciphertext", crypto::base64url_encode(ciphertext)},
          {"generator", kGenerator}};
}

json release_payload(const ReleasePayloadInput& in) {
  json request = {{"api-version", in.api_version},
                  {"enc", crypto::rsa_aes_wrap_name(in.enc)},
                  {"kid", in.requested_kid}};
  if (in.nonce) request["nonce"] = *in.nonce;
  json bundle = in.key_bundle;
  bundle["key"]["key_hsm"] = crypto::base64url_encode(to_bytes(in.transfer_blob.dump()));
  return {{"request", std::move(request)}, {"response", {{"key", std::move(bundle)}}}};
}

ReleaseSigner::ReleaseSigner(jose::IssuerKey key) : key_(std::move(key)) {
  const Bytes der = key_.certificate.der();
  header_ = {{"kid", key_.kid},
             {"x5c", json::array({crypto::base64_encode(der)})},
             {"x5t#S256", crypto::base64url_encode(crypto::sha256(der))}};
}

StatusOr<std::string> ReleaseSigner::sign(const json& payload) const {
  return jose::jws_sign(jose::JwsAlg::kRs256, key_.key, to_bytes(payload.dump()), header_);
}

}  // namespace mpcc::keyvault
