// File: verifier/snp_verifier.h
//
// SnpVerifier: the one answer to "does this evidence come from a genuine AMD
// SEV-SNP TEE running the expected code", for reports from real hardware and
// from mpcc's simulated secure processor alike; only the trust anchor differs
// (AMD's pinned ARKs vs a configured root, reported as `simulated`).
//
// verify() runs an ordered checklist (README.md lists every check and its
// message) and stops at the first failure:
//   structure   version, SIGNATURE_ALGO, signing key, MASK_CHIP_KEY, POLICY
//               reserved bits
//   chain       leaf present and of the kind KEY_INFO names, product, ASK/ASVK,
//               ARK, ARK pinned, ARK self-signed, ASK/ASVK <- ARK, leaf <-
//               ASK/ASVK, validity of the three at the clock's time
//   report      ECDSA P-384 signature, REPORTED_TCB == leaf SPLs, CHIP_ID ==
//               hwID (VCEK)
//   appraisal   the AppraisalPolicy (debug, minimum TCB, VMPL, measurement,
//               host data, report data)
// Failures are kPermissionDenied "SEV-SNP: ..." (evidence refused), or
// kInvalidArgument "SEV-SNP: ..." for input that cannot be interpreted (a
// report of the wrong size, no leaf certificate, malformed AMD extensions).
//
// Missing intermediates and roots are taken from the built-in AMD set for the
// leaf's product (or, for the root, a trust anchor named as the
// intermediate's issuer). Verified chains are cached (ChainCache), so
// repeated reports from one chip cost one ECDSA verification.
//
// Thread-safety: verify() may be called concurrently; the trust store must
// not change once the verifier holds it.
#pragma once

#include <memory>
#include <span>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/status.h"
#include "crypto/x509.h"
#include "snp/report.h"
#include "verifier/appraisal.h"
#include "verifier/chain_cache.h"
#include "verifier/trust_store.h"
#include "verifier/verdict.h"

namespace mpcc::verifier {

struct VerifierOptions {
  std::size_t chain_cache_capacity = 1024;
};

class SnpVerifier {
 public:
  // Trusts AMD's roots only.
  SnpVerifier();
  explicit SnpVerifier(std::shared_ptr<const TrustStore> trust, VerifierOptions options = {});

  // Runs the checklist on `report` with the certificates `certs` (the leaf,
  // optionally its ASK/ASVK and ARK, any order) at `clock.now()`. On success
  // the Verdict; otherwise the first failing check's Status.
  StatusOr<Verdict> verify(const snp::AttestationReport& report,
                           std::span<const crypto::Certificate> certs, const Clock& clock,
                           const AppraisalPolicy& policy = {}) const;

  // Parses the 1184 bytes first (kInvalidArgument on a wrong size or a
  // malformed signature field), then as above.
  StatusOr<Verdict> verify(ByteSpan report_bytes, std::span<const crypto::Certificate> certs,
                           const Clock& clock, const AppraisalPolicy& policy = {}) const;

  const TrustStore& trust_store() const { return *trust_; }
  const ChainCache& chain_cache() const { return *cache_; }

 private:
  StatusOr<std::shared_ptr<const VerifiedChain>> verify_chain(
      const snp::AttestationReport& report, std::span<const crypto::Certificate> certs,
      Verdict& verdict) const;

  std::shared_ptr<const TrustStore> trust_;
  std::unique_ptr<ChainCache> cache_;
};

// The report versions the checklist accepts: 2, 3 and 5.
bool report_version_supported(uint32_t version);

}  // namespace mpcc::verifier
