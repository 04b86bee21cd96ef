#include "verifier/appraisal.h"

#include <fmt/format.h>

#include "common/bytes.h"
#include "snp/policy.h"

namespace mpcc::verifier {

std::string describe_tcb(const snp::TcbVersion& t, snp::Product product) {
  snp::TcbParts p = t.parts(product);
  std::string fmc = p.fmc ? fmt::format("fmc {}, ", *p.fmc) : std::string();
  return fmt::format("{} ({}bl {}, tee {}, snp {}, ucode {})", t.tcbm(), fmc, p.boot_loader, p.tee,
                     p.snp, p.microcode);
}

namespace {

template <std::size_t N>
Status expect_bytes(std::string_view field, const std::array<uint8_t, N>& actual,
                    const std::optional<std::array<uint8_t, N>>& expected,
                    std::string_view check_name, std::vector<std::string>& passed) {
  if (!expected) return ok_status();
  if (actual != *expected) {
    return permission_denied(fmt::format("SEV-SNP: {} {} does not match the expected {}", field,
                                         hex_encode(actual), hex_encode(*expected)));
  }
  passed.emplace_back(check_name);
  return ok_status();
}

}  // namespace

Status appraise(const snp::AttestationReport& report, snp::Product product,
                const AppraisalPolicy& policy, std::vector<std::string>& passed) {
  snp::GuestPolicy gp{report.policy};
  if (!policy.allow_debug) {
    if (gp.debug_allowed()) {
      return permission_denied("SEV-SNP: guest POLICY allows debugging (bit 19) and debug is not allowed");
    }
    passed.emplace_back("debug_disabled");
  }
  if (policy.min_tcb) {
    if (!snp::tcb_at_least(report.reported_tcb, *policy.min_tcb, product)) {
      return permission_denied(fmt::format("SEV-SNP: REPORTED_TCB {} is below the minimum TCB {}",
                                           describe_tcb(report.reported_tcb, product),
                                           describe_tcb(*policy.min_tcb, product)));
    }
    if (!snp::tcb_at_least(report.current_tcb, *policy.min_tcb, product)) {
      return permission_denied(fmt::format("SEV-SNP: CURRENT_TCB {} is below the minimum TCB {}",
                                           describe_tcb(report.current_tcb, product),
                                           describe_tcb(*policy.min_tcb, product)));
    }
    passed.emplace_back("min_tcb");
  }
  if (policy.max_vmpl) {
    if (report.vmpl > *policy.max_vmpl) {
      return permission_denied(fmt::format("SEV-SNP: VMPL {} is above the maximum allowed {}",
                                           report.vmpl, *policy.max_vmpl));
    }
    passed.emplace_back("max_vmpl");
  }
  if (policy.exact_vmpl) {
    if (report.vmpl != *policy.exact_vmpl) {
      return permission_denied(fmt::format("SEV-SNP: VMPL {} is not the expected {}", report.vmpl,
                                           *policy.exact_vmpl));
    }
    passed.emplace_back("exact_vmpl");
  }
  MPCC_RETURN_IF_ERROR(expect_bytes("MEASUREMENT", report.measurement, policy.expected_measurement,
                                    "measurement", passed));
  MPCC_RETURN_IF_ERROR(expect_bytes("HOST_DATA", report.host_data, policy.expected_host_data,
                                    "host_data", passed));
  MPCC_RETURN_IF_ERROR(expect_bytes("REPORT_DATA", report.report_data,
                                    policy.expected_report_data, "report_data", passed));
  return ok_status();
}

}  // namespace mpcc::verifier
