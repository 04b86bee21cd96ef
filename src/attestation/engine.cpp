#include "attestation/engine.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "crypto/hash.h"
#include "snp/report_data.h"

namespace mpcc::attestation {

using nlohmann::json;

namespace {

std::string strip_trailing_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::shared_ptr<const verifier::TrustStore> or_amd_only(
    std::shared_ptr<const verifier::TrustStore> trust) {
  return trust ? std::move(trust) : std::make_shared<const verifier::TrustStore>();
}

std::string make_policy_text(const EngineConfig& config, const verifier::TrustStore& trust) {
  json roots = json::array();
  for (const verifier::TrustAnchor& a : trust.anchors()) {
    if (a.simulated()) roots.push_back(hex_encode(a.der_sha256));
  }
  std::sort(roots.begin(), roots.end());
  json policy = {
      {"format", "mpcc-attestation-policy-v1"},
      {"attestation_type", kAttestationTypeSevSnpVm},
      {"allow_debug", config.allow_debug},
      {"compliance_status", config.compliance_status},
      {"configured_roots_sha256", roots},
      {"runtime_data_binding", "REPORT_DATA = SHA-256(runtimeData) || 0^32"},
      {"svn_claims_tcb", "REPORTED_TCB"},
  };
  return policy.dump();
}

std::shared_ptr<const jose::IssuerKey> require_key(std::shared_ptr<const jose::IssuerKey> key) {
  if (!key) throw std::logic_error("AttestationEngine: no signing key");
  return key;
}

Status check_init_time_data(const snp::AttestationReport& report, const TypedData& init) {
  Bytes digest = crypto::sha256(init.data);
  if (!std::equal(digest.begin(), digest.end(), report.host_data.begin(), report.host_data.end())) {
    return permission_denied("init-time data: SHA-256 of initTimeData (" + hex_encode(digest) +
                             ") does not match HOST_DATA (" +
                             hex_encode(ByteSpan(report.host_data.data(), report.host_data.size())) +
                             ")");
  }
  return ok_status();
}

}  // namespace

AttestationEngine::AttestationEngine(EngineConfig config,
                                     std::shared_ptr<const jose::IssuerKey> key)
    : trust_(or_amd_only(config.trust)),
      clock_(config.clock ? config.clock : system_clock()),
      key_(require_key(std::move(key))),
      verifier_(trust_),
      signer_(jose::JwsAlg::kRs256, key_->key, key_->kid,
              strip_trailing_slash(config.issuer) + "/certs") {
  settings_.issuer = strip_trailing_slash(config.issuer);
  if (settings_.issuer.empty()) throw std::logic_error("AttestationEngine: empty issuer");
  if (config.token_lifetime_seconds <= 0) {
    throw std::logic_error("AttestationEngine: token lifetime must be positive");
  }
  settings_.lifetime_seconds = config.token_lifetime_seconds;
  settings_.compliance_status = config.compliance_status;
  policy_text_ = make_policy_text(config, *trust_);
  settings_.policy_hash = policy_hash(policy_text_);
  jwks_uri_ = settings_.issuer + "/certs";
  appraisal_.allow_debug = config.allow_debug;
  jwks_ = {{"keys", json::array({key_->public_jwk().to_json()})}};
}

StatusOr<IssuedToken> AttestationEngine::attest(const AttestRequest& request) const {
  MPCC_ASSIGN_OR_RETURN(verifier::Verdict verdict,
                        verifier_.verify(request.snp_report, request.vcek_chain, *clock_, appraisal_));
  MPCC_RETURN_IF_ERROR(snp::check_runtime_data_binding(verdict.report, request.runtime_data.data));
  if (request.init_time_data) {
    MPCC_RETURN_IF_ERROR(check_init_time_data(verdict.report, *request.init_time_data));
  }

  IssuedToken out;
  out.simulated = verdict.simulated;
  out.claims = build_token_claims(verdict, request, settings_, clock_->now(), new_jti());
  StatusOr<std::string> token = signer_.sign(out.claims);
  if (!token.ok()) return internal_error("token signing failed: " + token.status().message());
  out.token = std::move(token).value();
  return out;
}

StatusOr<IssuedToken> AttestationEngine::attest_body(std::string_view body) const {
  MPCC_ASSIGN_OR_RETURN(AttestRequest request, parse_attest_body(body));
  return attest(request);
}

json AttestationEngine::openid_configuration() const {
  return {
      {"issuer", settings_.issuer},
      {"jwks_uri", jwks_uri_},
      {"id_token_signing_alg_values_supported", json::array({"RS256"})},
      {"response_types_supported", json::array({"token", "none"})},
      {"claims_supported", supported_claim_names()},
      {"revocation_endpoint", settings_.issuer + "/revoke"},
  };
}

json AttestationEngine::jwks() const { return jwks_; }

}  // namespace mpcc::attestation
