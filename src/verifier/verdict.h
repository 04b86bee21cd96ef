// File: verifier/verdict.h
//
// Verdict: what the SEV-SNP verifier established about a report that passed
// every check: the product, which key signed it (VCEK/VLEK), whether the
// chain ends in a genuine AMD root or a configured (simulated) one, the
// certificates used, the report itself (so callers can derive claims), and
// the names of the checks that passed, in checklist order.
//
// Thread-safety: plain value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "snp/report.h"
#include "snp/tcb.h"
#include "verifier/chain_cache.h"
#include "verifier/trust_store.h"

namespace mpcc::verifier {

struct Verdict {
  snp::AttestationReport report;
  snp::Product product = snp::Product::kUnknown;
  snp::SigningKey signing_key = snp::SigningKey::kVcek;
  // True unless the chain ends in one of AMD's pinned ARKs.
  bool simulated = true;
  AnchorKind anchor_kind = AnchorKind::kConfigured;
  std::string trust_anchor;          // the anchor's label
  std::string trust_anchor_subject;  // the ARK's subject
  std::string intermediate_subject;  // ASK / ASVK
  std::string leaf_subject;          // VCEK / VLEK
  ValidityPeriod leaf_validity;
  std::optional<std::string> csp_id;        // VLEK: the cloud provider
  std::optional<std::string> product_name;  // the leaf's productName extension
  UnixSeconds verified_at = 0;               // the clock's "now"
  bool chain_cached = false;                 // chain checks came from the cache
  std::vector<std::string> checks_passed;

  // {"verified": true, "simulated", "product", "signing_key", "trust_anchor":
  //  {...}, "certificates": {...}, "verified_at", "chain_cached", "checks": [...],
  //  "report": snp::report_to_json(report, product)}.
  nlohmann::json to_json() const;
};

}  // namespace mpcc::verifier
