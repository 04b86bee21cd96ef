// File: platform/evidence.h
//
// Evidence: what an Attester hands back for one report request. The raw
// 1184-byte ATTESTATION_REPORT as the secure processor produced it, the
// endorsement chain the platform could supply (VCEK, ASK, ARK in that order;
// empty when the platform has none, e.g. /dev/sev-guest without the extended
// request), and a format tag that says where the report came from, like CCF's
// QuoteFormat:
//   amd_sev_snp_v1  a report from a genuine AMD secure processor (the ioctl);
//   sim_sev_snp_v1  a report signed by mpcc's SIMULATED secure processor.
// The tag is informative: a verifier decides trust from the chain and its own
// pinned roots, never from the tag (a forged tag gains nothing).
//
// Thread-safety: plain value.
#pragma once

#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/x509.h"

namespace mpcc::platform {

enum class EvidenceFormat { kAmdSevSnpV1, kSimSevSnpV1 };

// "amd_sev_snp_v1" / "sim_sev_snp_v1".
std::string_view evidence_format_name(EvidenceFormat format);
// Inverse of evidence_format_name; kInvalidArgument for anything else.
StatusOr<EvidenceFormat> evidence_format_from_name(std::string_view name);

struct Evidence {
  EvidenceFormat format = EvidenceFormat::kAmdSevSnpV1;
  Bytes report;                                   // exactly 1184 bytes
  std::vector<crypto::Certificate> endorsements;  // VCEK, ASK, ARK, or empty

  bool is_simulated() const { return format == EvidenceFormat::kSimSevSnpV1; }
  // The endorsements as one PEM bundle (VCEK first); "" when there are none.
  std::string endorsements_pem() const;
};

}  // namespace mpcc::platform
