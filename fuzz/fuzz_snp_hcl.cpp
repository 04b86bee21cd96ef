// File: fuzz/fuzz_snp_hcl.cpp
//
// Feeds the input to snp::parse_hcl_report (Azure's vTPM "HCL report": header,
// SNP report, IGVM request data, variable data) and, when it parses, the
// embedded report to AttestationReport::parse and check_hcl_binding
// (REPORT_DATA = hash of the variable data).
// Asserts: a parsed HCL report's pieces lie inside the input (the report is
// 1184 bytes, the variable data no longer than the input); looks_like_hcl_report
// holds for every input that parses; a binding that checks OK really has the
// hash of the variable data in REPORT_DATA (recomputed here for SHA-256).
// Thread-safety: libFuzzer's single thread.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "crypto/hash.h"
#include "snp/hcl.h"
#include "snp/report.h"
#include "support/fuzz_support.h"

using namespace mpcc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteSpan input(data, size);
  auto hcl = snp::parse_hcl_report(input);
  if (!hcl.ok()) return 0;
  FUZZ_CHECK(snp::looks_like_hcl_report(input), "parsed an HCL report without its magic");
  FUZZ_CHECK(hcl->report_bytes.size() == snp::kReportSize, "HCL report: wrong report size");
  FUZZ_CHECK(hcl->variable_data.size() <= size, "HCL variable data larger than the input");
  auto report = snp::AttestationReport::parse(hcl->report_bytes);
  if (!report.ok()) return 0;
  Status binding = snp::check_hcl_binding(*hcl, *report);
  if (binding.ok() && hcl->hash_type == 1) {
    Bytes digest = crypto::sha256(hcl->variable_data);
    FUZZ_CHECK(std::equal(digest.begin(), digest.end(), report->report_data.begin()),
               "HCL binding accepted without SHA-256(variable data) in REPORT_DATA");
  }
  return 0;
}
