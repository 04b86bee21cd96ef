// File: snp/hcl.h
//
// Azure confidential VM "HCL report" (the vTPM NV index 0x01400001 blob): a
// 0x20-byte header starting with "HCLA", the 1184-byte SNP report at
// [0x20, 0x4C0), then the IGVM request data: u32 data_size, u32 version,
// u32 report_type (2 = SNP), u32 hash_type (1 SHA-256, 2 SHA-384, 3 SHA-512),
// u32 variable_data_size, then the variable data (JSON runtime claims) at
// 0x4D4. REPORT_DATA[0..hash) = hash(variable data), the rest zero.
#pragma once

#include <cstdint>

#include "common/bytes.h"
#include "common/status.h"
#include "snp/report.h"

namespace mpcc::snp {

inline constexpr std::size_t kHclHeaderSize = 0x20;
inline constexpr std::size_t kHclIgvmOffset = 0x4C0;
inline constexpr std::size_t kHclVariableDataOffset = 0x4D4;
inline constexpr uint32_t kHclReportTypeSnp = 2;

struct HclReport {
  uint32_t header_version = 0;
  uint32_t report_type = 0;
  uint32_t hash_type = 0;
  Bytes report_bytes;   // 1184 bytes
  Bytes variable_data;  // runtime claims (JSON text on Azure)
};

bool looks_like_hcl_report(ByteSpan data);
// Fails with kInvalidArgument if the blob is truncated, the magic is wrong,
// the report type is not SNP, or the variable data runs past the end.
StatusOr<HclReport> parse_hcl_report(ByteSpan data);
// OK if REPORT_DATA binds the variable data with the declared hash; else
// kPermissionDenied "SEV-SNP: HCL variable data digest does not match REPORT_DATA".
Status check_hcl_binding(const HclReport& hcl, const AttestationReport& report);

}  // namespace mpcc::snp
