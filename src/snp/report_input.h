// File: snp/report_input.h
//
// Loads a report from what a user or a peer hands us: the raw 1184 bytes, hex
// text of them (upper or lower case, whitespace and a trailing newline
// tolerated), or an Azure HCL report (detected by its "HCLA" magic; its
// variable data is kept so the caller can check the REPORT_DATA binding).
#pragma once

#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "snp/hcl.h"
#include "snp/report.h"

namespace mpcc::snp {

enum class ReportEncoding { kRaw, kHex, kHcl };
std::string_view report_encoding_name(ReportEncoding e);  // "raw", "hex", "azure-hcl"

struct LoadedReport {
  AttestationReport report;
  ReportEncoding encoding = ReportEncoding::kRaw;
  std::optional<HclReport> hcl;  // set for kHcl
};

// kInvalidArgument with a reason when the input is none of the three forms.
StatusOr<LoadedReport> load_report(ByteSpan file_bytes);

}  // namespace mpcc::snp
