#include "snp/hcl.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "crypto/hash.h"
#include "snp/internal/little_endian.h"

namespace mpcc::snp {

namespace {
uint32_t u32_at(ByteSpan d, std::size_t off) { return internal::load_le<uint32_t>(d, off); }
}  // namespace

bool looks_like_hcl_report(ByteSpan data) {
  return data.size() >= 4 && std::memcmp(data.data(), "HCLA", 4) == 0;
}

StatusOr<HclReport> parse_hcl_report(ByteSpan data) {
  if (!looks_like_hcl_report(data)) return invalid_argument("HCL report: missing 'HCLA' magic");
  if (data.size() < kHclVariableDataOffset) {
    return invalid_argument(fmt::format("HCL report: {} bytes is shorter than the fixed part ({})",
                                        data.size(), kHclVariableDataOffset));
  }
  HclReport h;
  h.header_version = u32_at(data, 4);
  h.report_bytes.assign(data.begin() + kHclHeaderSize, data.begin() + kHclIgvmOffset);
  h.report_type = u32_at(data, kHclIgvmOffset + 8);
  h.hash_type = u32_at(data, kHclIgvmOffset + 12);
  uint32_t var_size = u32_at(data, kHclIgvmOffset + 16);
  if (h.report_type != kHclReportTypeSnp) {
    return invalid_argument(
        fmt::format("HCL report: report type {} is not SEV-SNP ({})", h.report_type, kHclReportTypeSnp));
  }
  if (var_size > data.size() - kHclVariableDataOffset) {
    return invalid_argument(fmt::format("HCL report: variable data size {} runs past the end ({} bytes)",
                                        var_size, data.size()));
  }
  h.variable_data.assign(data.begin() + kHclVariableDataOffset,
                         data.begin() + kHclVariableDataOffset + var_size);
  return h;
}

Status check_hcl_binding(const HclReport& hcl, const AttestationReport& report) {
  crypto::HashAlg alg;
  switch (hcl.hash_type) {
    case 1: alg = crypto::HashAlg::kSha256; break;
    case 2: alg = crypto::HashAlg::kSha384; break;
    case 3: alg = crypto::HashAlg::kSha512; break;
    default:
      return invalid_argument(fmt::format("HCL report: unknown hash type {}", hcl.hash_type));
  }
  Bytes digest = crypto::digest(alg, hcl.variable_data);
  bool head = std::equal(digest.begin(), digest.end(), report.report_data.begin());
  bool tail = std::all_of(report.report_data.begin() + static_cast<std::ptrdiff_t>(digest.size()),
                          report.report_data.end(), [](uint8_t b) { return b == 0; });
  if (!head || !tail) {
    return permission_denied("SEV-SNP: HCL variable data digest does not match REPORT_DATA");
  }
  return ok_status();
}

}  // namespace mpcc::snp
