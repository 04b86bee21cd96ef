// File: attestation/claims.h
//
// The claims of an SevSnpVm attestation token (spec 8.4), built from a report
// that passed the verifier and the request it came with:
//
//   iss, iat = nbf = now, exp = iat + lifetime, jti (64 lower-case hex),
//   nonce (string, only when the request had one), x-ms-ver "1.0",
//   x-ms-attestation-type "sevsnpvm", x-ms-compliance-status (configured),
//   x-ms-policy-hash, x-ms-runtime (runtimeData when JSON), x-ms-inittime
//   (initTimeData when JSON), every x-ms-sevsnpvm-* claim of the 8.4 table,
//   and x-mpcc-evidence-simulated (always present; true when the chain ends in
//   a configured, i.e. simulated, root rather than one of AMD's).
//
// SVN claims (bootloader, tee, snpfw, microcode) come from REPORTED_TCB: the
// TCB the VCEK was issued for, which the verifier has checked against the
// VCEK's SPL extensions (CURRENT_TCB may be newer and is not endorsed).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "attestation/request.h"
#include "common/clock.h"
#include "snp/report.h"
#include "snp/tcb.h"
#include "verifier/verdict.h"

namespace mpcc::attestation {

inline constexpr const char* kSimulatedClaim = "x-mpcc-evidence-simulated";
inline constexpr const char* kAttestationTypeSevSnpVm = "sevsnpvm";
inline constexpr const char* kDefaultComplianceStatus = "azure-compliant-uvm";
inline constexpr int64_t kDefaultTokenLifetimeSeconds = 28800;

// What the service asserts in every token besides the evidence.
struct TokenSettings {
  std::string issuer;                                  // "https://host:port", no trailing slash
  int64_t lifetime_seconds = kDefaultTokenLifetimeSeconds;
  std::string compliance_status = kDefaultComplianceStatus;
  std::string policy_hash;                             // see policy_hash()
};

// The x-ms-sevsnpvm-* claims of one report: hex strings are lower case; SVNs
// numbers (REPORTED_TCB, decoded in `product`'s layout); booleans from POLICY
// bits 16 (smt-allowed), 18 (migration-allowed), 19 (is-debuggable).
nlohmann::json sevsnp_report_claims(const snp::AttestationReport& report, snp::Product product);

// Every claim of a token for `verdict` and `request` issued at `now` with
// identifier `jti`.
nlohmann::json build_token_claims(const verifier::Verdict& verdict, const AttestRequest& request,
                                  const TokenSettings& settings, UnixSeconds now,
                                  const std::string& jti);

// A fresh jti: 32 random bytes as 64 lower-case hex digits.
std::string new_jti();

// MAA's formula applied to `policy_text`:
// base64url(SHA-256(UTF-8(base64url(UTF-8(policy_text))))), unpadded.
std::string policy_hash(std::string_view policy_text);

// The claim names the service may put in a token (OpenID claims_supported).
std::vector<std::string> supported_claim_names();

}  // namespace mpcc::attestation
