// File: attestation/engine.h
//
// AttestationEngine: the attestation service without its transport. Given a
// parsed request (request.h) it
//   1. runs the SEV-SNP checklist (verifier::SnpVerifier) on the report and
//      the VCEK chain, with the configured TrustStore (AMD's roots always; a
//      simulated root only when configured) at the injected clock's time;
//   2. checks the runtime data binding: REPORT_DATA[0..32) = SHA-256(runtime
//      data bytes), REPORT_DATA[32..64) = 0 (snp::check_runtime_data_binding);
//   3. when initTimeData is given, checks SHA-256(its bytes) == HOST_DATA;
//   4. issues an RS256 JWT with the claims of claims.h, header {alg, jku =
//      issuer + "/certs", kid, typ "JWT"}.
// It also renders the OpenID metadata and the JWKS the service publishes.
//
// Failures: kInvalidArgument for input that cannot be interpreted (the
// verifier's malformed-evidence errors included), kPermissionDenied for
// evidence that is refused, with the failing check's message ("SEV-SNP: ...",
// "init-time data: ..."). Internal errors (signing) are kInternal.
//
// Thread-safety: immutable after construction; attest() may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "attestation/claims.h"
#include "attestation/request.h"
#include "common/clock.h"
#include "common/status.h"
#include "jose/issuer_key.h"
#include "jose/jwt.h"
#include "verifier/snp_verifier.h"
#include "verifier/trust_store.h"

namespace mpcc::attestation {

struct EngineConfig {
  std::string issuer;  // required: "https://host:port" (a trailing slash is removed)
  std::shared_ptr<const verifier::TrustStore> trust;  // null: AMD's roots only
  std::shared_ptr<const Clock> clock;                 // null: the system clock
  int64_t token_lifetime_seconds = kDefaultTokenLifetimeSeconds;  // > 0
  std::string compliance_status = kDefaultComplianceStatus;
  bool allow_debug = false;  // accept reports whose POLICY allows debugging
};

struct IssuedToken {
  std::string token;        // compact JWT
  nlohmann::json claims;    // its payload
  bool simulated = false;   // the evidence chained to a configured root
};

class AttestationEngine {
 public:
  // `key` signs the tokens (jose/issuer_key.h: RSA, self-signed certificate,
  // stable kid). Throws std::logic_error on a null key, an empty issuer or a
  // non-positive lifetime.
  AttestationEngine(EngineConfig config, std::shared_ptr<const jose::IssuerKey> key);

  // Steps 1-4 above for a parsed request.
  StatusOr<IssuedToken> attest(const AttestRequest& request) const;
  // parse_attest_body(body) then attest().
  StatusOr<IssuedToken> attest_body(std::string_view body) const;

  // {issuer, jwks_uri, id_token_signing_alg_values_supported ["RS256"],
  //  response_types_supported ["token","none"], claims_supported,
  //  revocation_endpoint}.
  nlohmann::json openid_configuration() const;
  // {"keys": [the signing key's public JWK: kid, kty, use "sig", alg
  // "RS256", n, e, x5c]}.
  nlohmann::json jwks() const;

  const std::string& issuer() const { return settings_.issuer; }
  const std::string& jwks_uri() const { return jwks_uri_; }
  // The text whose hash is x-ms-policy-hash: the appraisal policy in force,
  // as compact JSON (format, attestation type, allow_debug, compliance status,
  // SHA-256 of every configured root, which TCB feeds the SVN claims).
  const std::string& policy_text() const { return policy_text_; }
  const jose::IssuerKey& signing_key() const { return *key_; }

 private:
  std::shared_ptr<const verifier::TrustStore> trust_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<const jose::IssuerKey> key_;
  verifier::SnpVerifier verifier_;
  verifier::AppraisalPolicy appraisal_;
  jose::JwtSigner signer_;
  TokenSettings settings_;
  std::string jwks_uri_;
  std::string policy_text_;
  nlohmann::json jwks_;
};

}  // namespace mpcc::attestation
