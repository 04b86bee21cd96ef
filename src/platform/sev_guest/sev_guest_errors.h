// File: platform/sev_guest/sev_guest_errors.h
//
// Turns what a failed SNP_GET_REPORT tells us (errno, exitinfo2 = VMM error in
// bits 63:32 and firmware error in bits 31:0, MSG_REPORT_RSP status) into a
// Status with both numbers and their names, so a failure on real hardware can
// be diagnosed from the message alone.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace mpcc::platform::sev_guest {

// Name of an SEV firmware status code (SEV API "Status Codes"): "SUCCESS",
// "INVALID_PARAM", ...; "UNKNOWN" for codes we do not know.
std::string_view firmware_error_name(uint32_t code);
// "none", "INVALID_LENGTH", "BUSY", or "UNKNOWN".
std::string_view vmm_error_name(uint32_t code);

// The Status for an ioctl that returned -1 with `err` (errno). Busy
// (VMM error 2, or errno EAGAIN/EBUSY) maps to kUnavailable, invalid
// parameters to kInvalidArgument, anything else to kInternal. The message is
// "SEV-SNP: SNP_GET_REPORT failed: <strerror> (errno N); firmware error 0x.. (NAME);
// VMM error N (NAME)".
Status ioctl_failure(int err, uint64_t exitinfo2);

// The Status for a MSG_REPORT_RSP whose status field is not zero.
Status report_response_failure(uint32_t status);

}  // namespace mpcc::platform::sev_guest
