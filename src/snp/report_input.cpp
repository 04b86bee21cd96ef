#include "snp/report_input.h"

#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>

namespace mpcc::snp {

std::string_view report_encoding_name(ReportEncoding e) {
  switch (e) {
    case ReportEncoding::kRaw: return "raw";
    case ReportEncoding::kHex: return "hex";
    case ReportEncoding::kHcl: return "azure-hcl";
  }
  return "unknown";
}

namespace {

bool is_hex_text(ByteSpan data) {
  return !data.empty() && std::all_of(data.begin(), data.end(), [](uint8_t c) {
    return std::isxdigit(c) != 0 || std::isspace(c) != 0;
  });
}

StatusOr<LoadedReport> load_binary(ByteSpan data, ReportEncoding enc) {
  LoadedReport out;
  out.encoding = enc;
  if (looks_like_hcl_report(data)) {
    MPCC_ASSIGN_OR_RETURN(HclReport hcl, parse_hcl_report(data));
    MPCC_ASSIGN_OR_RETURN(out.report, AttestationReport::parse(hcl.report_bytes));
    out.hcl = std::move(hcl);
    out.encoding = ReportEncoding::kHcl;
    return out;
  }
  if (data.size() != kReportSize) {
    return invalid_argument(fmt::format(
        "SEV-SNP: input is {} bytes: expected a raw {}-byte report, its hex text, or an Azure "
        "HCL report",
        data.size(), kReportSize));
  }
  MPCC_ASSIGN_OR_RETURN(out.report, AttestationReport::parse(data));
  return out;
}

}  // namespace

StatusOr<LoadedReport> load_report(ByteSpan data) {
  if (data.size() != kReportSize && !looks_like_hcl_report(data) && is_hex_text(data)) {
    std::string compact;
    compact.reserve(data.size());
    for (uint8_t c : data) {
      if (!std::isspace(c)) compact.push_back(static_cast<char>(c));
    }
    MPCC_ASSIGN_OR_RETURN(Bytes decoded, hex_decode(compact));
    return load_binary(decoded, ReportEncoding::kHex);
  }
  return load_binary(data, ReportEncoding::kRaw);
}

}  // namespace mpcc::snp
