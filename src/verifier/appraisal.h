// File: verifier/appraisal.h
//
// AppraisalPolicy: the caller's expectations about a report whose evidence
// has already been authenticated (signature, chain, TCB binding). Every field
// is optional except `allow_debug` (debugging is refused unless allowed).
//
// Minimum TCB: compared component-wise (bootloader, TEE, SNP, microcode, and
// FMC on Turin) against REPORTED_TCB first, because it is the TCB the signing
// key is bound to (the VCEK/VLEK SPL extensions), then against CURRENT_TCB,
// so a platform that has not yet loaded the required firmware is refused too.
//
// Thread-safety: plain value.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "snp/report.h"
#include "snp/tcb.h"

namespace mpcc::verifier {

struct AppraisalPolicy {
  bool allow_debug = false;                     // POLICY bit 19 may be set
  std::optional<snp::TcbVersion> min_tcb;       // see the file comment
  std::optional<uint32_t> max_vmpl;             // VMPL <= max_vmpl
  std::optional<uint32_t> exact_vmpl;           // VMPL == exact_vmpl
  std::optional<std::array<uint8_t, 48>> expected_measurement;
  std::optional<std::array<uint8_t, 32>> expected_host_data;
  std::optional<std::array<uint8_t, 64>> expected_report_data;
};

// Runs the appraisal checks in this order: debug, minimum TCB, VMPL (maximum,
// then exact), MEASUREMENT, HOST_DATA, REPORT_DATA. Returns the first failure
// as kPermissionDenied "SEV-SNP: ..."; appends the name of each check it ran
// and passed to `passed`.
// "7308000000000003 (bl 3, tee 0, snp 8, ucode 115)", with "fmc N, " on Turin.
std::string describe_tcb(const snp::TcbVersion& tcb, snp::Product product);

Status appraise(const snp::AttestationReport& report, snp::Product product,
                const AppraisalPolicy& policy, std::vector<std::string>& passed);

}  // namespace mpcc::verifier
