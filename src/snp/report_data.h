// File: snp/report_data.h
//
// REPORT_DATA conventions shared by the guest side (SKR sidecar) and the
// verifier side (attestation service): REPORT_DATA[0..32) = SHA-256(runtime
// data), REPORT_DATA[32..64) = 0 (spec 2.3 and 8.2).
#pragma once

#include <array>

#include "common/bytes.h"
#include "common/status.h"
#include "snp/report.h"

namespace mpcc::snp {

using ReportData = std::array<uint8_t, 64>;

ReportData report_data_for_runtime_data(ByteSpan runtime_data);
// OK, or kPermissionDenied "SEV-SNP: REPORT_DATA does not bind the runtime data".
Status check_runtime_data_binding(const AttestationReport& report, ByteSpan runtime_data);

}  // namespace mpcc::snp
