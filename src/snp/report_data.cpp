#include "snp/report_data.h"

#include <algorithm>

#include "crypto/hash.h"

namespace mpcc::snp {

ReportData report_data_for_runtime_data(ByteSpan runtime_data) {
  ReportData rd{};
  Bytes h = crypto::sha256(runtime_data);
  std::copy(h.begin(), h.end(), rd.begin());
  return rd;
}

Status check_runtime_data_binding(const AttestationReport& report, ByteSpan runtime_data) {
  ReportData expected = report_data_for_runtime_data(runtime_data);
  if (!std::equal(expected.begin(), expected.end(), report.report_data.begin())) {
    return permission_denied(
        "SEV-SNP: REPORT_DATA does not bind the runtime data (expected SHA-256(runtime data) "
        "followed by 32 zero bytes)");
  }
  return ok_status();
}

}  // namespace mpcc::snp
