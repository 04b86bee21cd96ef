#include "snp/hcl.h"

#include <gtest/gtest.h>

#include "common/file_io.h"
#include "snp/report_data.h"

namespace mpcc::snp {
namespace {

std::string vec(const std::string& rel) { return std::string(MPCC_VECTORS_DIR) + "/" + rel; }

TEST(HclReport, ParsesAndBindsVariableData) {
  for (const char* rel : {"snp/trustee/az-snp-vtpm/hcl-report.bin", "snp/azure-cvm-tooling/hcl-report-snp.bin"}) {
    Bytes blob = *read_file(vec(rel));
    auto hcl = parse_hcl_report(blob);
    ASSERT_TRUE(hcl.ok()) << rel << ": " << hcl.status().to_string();
    EXPECT_EQ(hcl->report_type, kHclReportTypeSnp);
    EXPECT_EQ(hcl->hash_type, 1u);
    EXPECT_EQ(hcl->variable_data.front(), '{');
    auto report = AttestationReport::parse(hcl->report_bytes);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(check_hcl_binding(*hcl, *report).ok()) << rel;
  }
}

TEST(HclReport, TamperedVariableDataIsRefused) {
  Bytes blob = *read_file(vec("snp/trustee/az-snp-vtpm/hcl-report.bin"));
  blob[0x6e0] ^= 1;  // inside the variable data
  auto hcl = parse_hcl_report(blob);
  ASSERT_TRUE(hcl.ok());
  auto report = AttestationReport::parse(hcl->report_bytes);
  Status s = check_hcl_binding(*hcl, *report);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("HCL variable data digest"), std::string::npos);
}

TEST(HclReport, RejectsTruncatedAndOverrunning) {
  Bytes blob = *read_file(vec("snp/trustee/az-snp-vtpm/hcl-report.bin"));
  EXPECT_FALSE(parse_hcl_report(Bytes(blob.begin(), blob.begin() + 0x100)).ok());
  Bytes overrun = blob;
  overrun[kHclIgvmOffset + 16] = 0xff;
  overrun[kHclIgvmOffset + 17] = 0xff;
  auto s = parse_hcl_report(overrun);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("runs past the end"), std::string::npos);
  Bytes not_snp = blob;
  not_snp[kHclIgvmOffset + 8] = 1;
  EXPECT_FALSE(parse_hcl_report(not_snp).ok());
  EXPECT_FALSE(parse_hcl_report(as_span("HCLB")).ok());
}

TEST(ReportData, BindsRuntimeData) {
  // Production ACI report: REPORT_DATA[0:32] = SHA-256 of the runtime claims below.
  Bytes report_bytes = *read_file(vec("snp/confidential-sidecar-containers/snp_report.bin"));
  AttestationReport r = *AttestationReport::parse(report_bytes);
  const std::string runtime = "{\n   \"akey\" : \"avalue\"\n}\n";
  EXPECT_TRUE(check_runtime_data_binding(r, as_span(runtime)).ok());
  Status bad = check_runtime_data_binding(r, as_span(runtime + " "));
  EXPECT_EQ(bad.code(), StatusCode::kPermissionDenied);
  ReportData rd = report_data_for_runtime_data(as_span(runtime));
  EXPECT_TRUE(std::equal(rd.begin(), rd.end(), r.report_data.begin()));
  for (std::size_t i = 32; i < 64; ++i) EXPECT_EQ(rd[i], 0);
}

}  // namespace
}  // namespace mpcc::snp
