#include "attestation/claims.h"

#include "common/bytes.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "snp/policy.h"

namespace mpcc::attestation {

using nlohmann::json;

namespace {

template <std::size_t N>
std::string hex(const std::array<uint8_t, N>& a) {
  return hex_encode(ByteSpan(a.data(), a.size()));
}

}  // namespace

json sevsnp_report_claims(const snp::AttestationReport& r, snp::Product product) {
  const snp::TcbParts tcb = r.reported_tcb.parts(product);
  const snp::GuestPolicy policy{r.policy};
  json c = json::object();
  c["x-ms-sevsnpvm-authorkeydigest"] = hex(r.author_key_digest);
  c["x-ms-sevsnpvm-bootloader-svn"] = tcb.boot_loader;
  c["x-ms-sevsnpvm-familyId"] = hex(r.family_id);
  c["x-ms-sevsnpvm-guestsvn"] = r.guest_svn;
  c["x-ms-sevsnpvm-hostdata"] = hex(r.host_data);
  c["x-ms-sevsnpvm-idkeydigest"] = hex(r.id_key_digest);
  c["x-ms-sevsnpvm-imageId"] = hex(r.image_id);
  c["x-ms-sevsnpvm-is-debuggable"] = policy.debug_allowed();
  c["x-ms-sevsnpvm-launchmeasurement"] = hex(r.measurement);
  c["x-ms-sevsnpvm-microcode-svn"] = tcb.microcode;
  c["x-ms-sevsnpvm-migration-allowed"] = policy.migrate_ma_allowed();
  c["x-ms-sevsnpvm-reportdata"] = hex(r.report_data);
  c["x-ms-sevsnpvm-reportid"] = hex(r.report_id);
  c["x-ms-sevsnpvm-smt-allowed"] = policy.smt_allowed();
  c["x-ms-sevsnpvm-snpfw-svn"] = tcb.snp;
  c["x-ms-sevsnpvm-tee-svn"] = tcb.tee;
  c["x-ms-sevsnpvm-vmpl"] = r.vmpl;
  return c;
}

json build_token_claims(const verifier::Verdict& verdict, const AttestRequest& request,
                        const TokenSettings& settings, UnixSeconds now, const std::string& jti) {
  json c = sevsnp_report_claims(verdict.report, verdict.product);
  c["iss"] = settings.issuer;
  c["iat"] = now;
  c["nbf"] = now;
  c["exp"] = now + settings.lifetime_seconds;
  c["jti"] = jti;
  if (request.nonce) c["nonce"] = *request.nonce;
  c["x-ms-ver"] = "1.0";
  c["x-ms-attestation-type"] = kAttestationTypeSevSnpVm;
  c["x-ms-compliance-status"] = settings.compliance_status;
  c["x-ms-policy-hash"] = settings.policy_hash;
  if (request.runtime_data.type == DataType::kJson) c["x-ms-runtime"] = request.runtime_data.parsed;
  if (request.init_time_data && request.init_time_data->type == DataType::kJson) {
    c["x-ms-inittime"] = request.init_time_data->parsed;
  }
  c[kSimulatedClaim] = verdict.simulated;
  return c;
}

std::string new_jti() { return hex_encode(crypto::random_bytes(32)); }

std::string policy_hash(std::string_view policy_text) {
  const std::string inner = crypto::base64url_encode(policy_text);
  return crypto::base64url_encode(crypto::sha256(inner));
}

std::vector<std::string> supported_claim_names() {
  std::vector<std::string> names = {"iss", "iat", "nbf", "exp", "jti", "nonce", "x-ms-ver",
                                    "x-ms-attestation-type", "x-ms-compliance-status",
                                    "x-ms-policy-hash", "x-ms-runtime", "x-ms-inittime"};
  const json report_claims = sevsnp_report_claims(snp::AttestationReport{}, snp::Product::kMilan);
  for (auto it = report_claims.begin(); it != report_claims.end(); ++it) names.push_back(it.key());
  names.push_back(kSimulatedClaim);
  return names;
}

}  // namespace mpcc::attestation
