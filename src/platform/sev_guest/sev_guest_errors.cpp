#include "platform/sev_guest/sev_guest_errors.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "platform/sev_guest/snp_ioctl6.h"

namespace mpcc::platform::sev_guest {

namespace {

// SEV firmware status codes 0x00..0x18 (AMD SEV API, "Status Codes"; also
// enum sev_ret_code in include/uapi/linux/psp-sev.h). Later codes print as
// UNKNOWN with their number.
constexpr std::array<std::string_view, 0x19> kFirmwareErrorNames = {
    "SUCCESS",                   // 0x00
    "INVALID_PLATFORM_STATE",    // 0x01
    "INVALID_GUEST_STATE",       // 0x02
    "INVALID_CONFIG",            // 0x03
    "INVALID_LEN",               // 0x04
    "ALREADY_OWNED",             // 0x05
    "INVALID_CERTIFICATE",       // 0x06
    "POLICY_FAILURE",            // 0x07
    "INACTIVE",                  // 0x08
    "INVALID_ADDRESS",           // 0x09
    "BAD_SIGNATURE",             // 0x0A
    "BAD_MEASUREMENT",           // 0x0B
    "ASID_OWNED",                // 0x0C
    "INVALID_ASID",              // 0x0D
    "WBINVD_REQUIRED",           // 0x0E
    "DFFLUSH_REQUIRED",          // 0x0F
    "INVALID_GUEST",             // 0x10
    "INVALID_COMMAND",           // 0x11
    "ACTIVE",                    // 0x12
    "HWERROR_PLATFORM",          // 0x13
    "HWERROR_UNSAFE",            // 0x14
    "UNSUPPORTED",               // 0x15
    "INVALID_PARAM",             // 0x16
    "RESOURCE_LIMIT",            // 0x17
    "SECURE_DATA_INVALID",       // 0x18
};

}  // namespace

std::string_view firmware_error_name(uint32_t code) {
  if (code < kFirmwareErrorNames.size()) return kFirmwareErrorNames[code];
  return "UNKNOWN";
}

std::string_view vmm_error_name(uint32_t code) {
  switch (code) {
    case 0:
      return "none";
    case kVmmErrInvalidLength:
      return "INVALID_LENGTH";
    case kVmmErrBusy:
      return "BUSY";
    default:
      return "UNKNOWN";
  }
}

Status ioctl_failure(int err, uint64_t exitinfo2) {
  const uint32_t fw = firmware_error(exitinfo2);
  const uint32_t vmm = vmm_error(exitinfo2);
  std::string message = fmt::format(
      "SEV-SNP: SNP_GET_REPORT failed: {} (errno {}); firmware error 0x{:x} ({}); VMM error {} ({})",
      std::strerror(err), err, fw, firmware_error_name(fw), vmm, vmm_error_name(vmm));
  if (vmm == kVmmErrBusy || err == EAGAIN || err == EBUSY) return unavailable(std::move(message));
  if (fw == kReportRspInvalidParams || err == EINVAL) return invalid_argument(std::move(message));
  return internal_error(std::move(message));
}

Status report_response_failure(uint32_t status) {
  std::string message = fmt::format("SEV-SNP: MSG_REPORT_RSP status 0x{:x} ({})", status,
                                    firmware_error_name(status));
  if (status == kReportRspInvalidParams) return invalid_argument(std::move(message));
  return internal_error(std::move(message));
}

}  // namespace mpcc::platform::sev_guest
