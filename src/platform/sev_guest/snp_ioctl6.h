// File: platform/sev_guest/snp_ioctl6.h
//
// The Linux (kernel 6.x) /dev/sev-guest ABI for SNP_GET_REPORT, as our own
// packed structs with the offsets of include/uapi/linux/sev-guest.h and of the
// SEV-SNP firmware ABI (MSG_REPORT_RSP, "Table 25" in rev 1.55), each size
// pinned by static_assert so a layout drift fails the build, not the firmware.
// Only the report request is modelled; SNP_GET_DERIVED_KEY and
// SNP_GET_EXT_REPORT are not used (the chain comes from elsewhere, see README).
//
// Thread-safety: types and constants only.
#pragma once

#include <linux/ioctl.h>

#include <cstddef>
#include <cstdint>

namespace mpcc::platform::sev_guest {

inline constexpr uint8_t kIocType = 'S';
inline constexpr uint8_t kMsgVersion = 1;  // "must be non-zero"

#pragma pack(push, 1)

// struct snp_guest_request_ioctl (32 bytes).
struct SnpGuestRequestIoctl {
  uint8_t msg_version;   // 0x00  message version, 1
  uint8_t reserved[7];   // 0x01  padding (the kernel struct's natural alignment)
  uint64_t req_data;     // 0x08  user address of SnpReportReq
  uint64_t resp_data;    // 0x10  user address of SnpReportResp
  uint64_t exitinfo2;    // 0x18  bits 31:0 firmware error, bits 63:32 VMM error
};

// struct snp_report_req (96 bytes): MSG_REPORT_REQ.
struct SnpReportReq {
  uint8_t user_data[64];  // 0x00  becomes REPORT_DATA
  uint32_t vmpl;          // 0x40  VMPL to put in the report (>= the caller's)
  uint8_t reserved[28];   // 0x44  must be zero
};

// struct snp_report_resp (4000 bytes): holds MSG_REPORT_RSP.
struct SnpReportResp {
  uint8_t data[4000];
};

// MSG_REPORT_RSP header at the start of SnpReportResp::data.
struct MsgReportRspHeader {
  uint32_t status;        // 0x00  0 success, 0x16 invalid parameters
  uint32_t report_size;   // 0x04  1184 for an ATTESTATION_REPORT
  uint8_t reserved[24];   // 0x08
};                        // 0x20  ATTESTATION_REPORT follows

#pragma pack(pop)

static_assert(sizeof(SnpGuestRequestIoctl) == 32);
static_assert(offsetof(SnpGuestRequestIoctl, req_data) == 0x08);
static_assert(offsetof(SnpGuestRequestIoctl, resp_data) == 0x10);
static_assert(offsetof(SnpGuestRequestIoctl, exitinfo2) == 0x18);
static_assert(sizeof(SnpReportReq) == 96);
static_assert(offsetof(SnpReportReq, vmpl) == 0x40);
static_assert(sizeof(SnpReportResp) == 4000);
static_assert(sizeof(MsgReportRspHeader) == 0x20);

inline constexpr std::size_t kReportRspHeaderSize = sizeof(MsgReportRspHeader);
inline constexpr uint32_t kReportRspInvalidParams = 0x16;

// SNP_GET_REPORT = _IOWR('S', 0x0, struct snp_guest_request_ioctl).
inline constexpr unsigned long kSnpGetReport =
    _IOWR(kIocType, 0x0, SnpGuestRequestIoctl);  // NOLINT
static_assert(kSnpGetReport == 0xC0205300UL);

// exitinfo2 VMM error codes (bits 63:32).
inline constexpr uint32_t kVmmErrInvalidLength = 1;
inline constexpr uint32_t kVmmErrBusy = 2;

inline constexpr uint32_t firmware_error(uint64_t exitinfo2) {
  return static_cast<uint32_t>(exitinfo2 & 0xFFFFFFFFu);
}
inline constexpr uint32_t vmm_error(uint64_t exitinfo2) {
  return static_cast<uint32_t>(exitinfo2 >> 32);
}

}  // namespace mpcc::platform::sev_guest
