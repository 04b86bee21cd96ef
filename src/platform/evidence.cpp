#include "platform/evidence.h"

#include <string>

namespace mpcc::platform {

std::string_view evidence_format_name(EvidenceFormat format) {
  switch (format) {
    case EvidenceFormat::kAmdSevSnpV1:
      return "amd_sev_snp_v1";
    case EvidenceFormat::kSimSevSnpV1:
      return "sim_sev_snp_v1";
  }
  throw std::logic_error("unknown EvidenceFormat");
}

StatusOr<EvidenceFormat> evidence_format_from_name(std::string_view name) {
  if (name == "amd_sev_snp_v1") return EvidenceFormat::kAmdSevSnpV1;
  if (name == "sim_sev_snp_v1") return EvidenceFormat::kSimSevSnpV1;
  return invalid_argument("unknown evidence format '" + std::string(name) + "'");
}

std::string Evidence::endorsements_pem() const {
  std::string out;
  for (const auto& cert : endorsements) out += cert.pem();
  return out;
}

}  // namespace mpcc::platform
