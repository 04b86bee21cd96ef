// File: platform/sev_guest/sev_guest_attester.h
//
// SevGuestAttester: reports from the real AMD secure processor through the
// Linux /dev/sev-guest driver (SNP_GET_REPORT, kernel 6 ABI, see
// snp_ioctl6.h). Each get_report() opens the device, issues one ioctl with
// msg_version 1 and the configured VMPL, checks the sentinels around the
// response buffer, the MSG_REPORT_RSP status and report_size, and returns the
// 1184-byte report tagged amd_sev_snp_v1. The endorsement chain is not
// fetched here (no SNP_GET_EXT_REPORT): on Azure it comes from THIM, elsewhere
// from AMD KDS; Evidence::endorsements is empty.
//
// The ioctl is a constructor parameter so tests can stand in for the driver
// (the lowest seam, like a TPM mock); production uses ::ioctl.
//
// Thread-safety: get_report() may run concurrently (no shared mutable state).
#pragma once

#include <filesystem>
#include <functional>

#include "platform/attester.h"

namespace mpcc::platform::sev_guest {

// Same contract as ::ioctl: returns 0 on success, -1 with errno set on failure.
using IoctlFunction = std::function<int(int fd, unsigned long request, void* arg)>;

class SevGuestAttester final : public Attester {
 public:
  explicit SevGuestAttester(std::filesystem::path device = kSevGuestDevicePath, uint32_t vmpl = 0,
                            IoctlFunction ioctl_fn = {});

  // Failures: kFailedPrecondition if the device cannot be opened because it
  // is absent, kUnavailable for other open errors and for a busy firmware,
  // errors from ioctl_failure()/report_response_failure(), kInternal when the
  // response overran its buffer, has a wrong report_size, or does not echo our
  // REPORT_DATA.
  StatusOr<Evidence> get_report(std::span<const uint8_t, kReportDataSize> report_data) override;
  std::string_view platform() const override { return "sev-guest"; }

  // True if `device` exists (the probe `auto` uses).
  static bool device_present(const std::filesystem::path& device = kSevGuestDevicePath);

 private:
  std::filesystem::path device_;
  uint32_t vmpl_;
  IoctlFunction ioctl_;
};

}  // namespace mpcc::platform::sev_guest
