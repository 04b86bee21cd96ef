// File: platform/attester.h
//
// Attester: where SEV-SNP reports come from. A guest asks for a report bound
// to 64 bytes of its own data (REPORT_DATA) and gets Evidence back. Two
// implementations:
//   SevGuestAttester      the real /dev/sev-guest (SNP_GET_REPORT, kernel 6 ABI)
//   SimulatedSnpAttester  a channel to mpcc's SIMULATED secure processor (the
//                         `mpcc psp serve` daemon), handed to a guest by its
//                         launcher through MPCC_SEV_GUEST or configuration.
// make_attester() picks one, obeying platform = sim | sev-guest | auto:
//   sev-guest  the device, or an error: never a silent fall back to the simulator;
//   sim        the configured channel, or an error;
//   auto       the device if present, else the channel if configured, else
//              kFailedPrecondition "no SEV-SNP guest device (...)": what a
//              standard (non-confidential) container such as the Snooper sees.
//
// Thread-safety: implementations may be called from several threads (each
// request opens its own device handle or connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "platform/evidence.h"

namespace mpcc::platform {

inline constexpr std::size_t kReportDataSize = 64;
// The environment variable naming the simulated PSP channel (a unix socket
// path), the simulated guest's "device handle".
inline constexpr const char* kSevGuestChannelEnv = "MPCC_SEV_GUEST";
inline constexpr const char* kSevGuestDevicePath = "/dev/sev-guest";
// The message every caller without a channel to a secure processor gets.
inline constexpr const char* kNoDeviceMessage =
    "no SEV-SNP guest device (/dev/sev-guest absent and no simulated PSP channel configured)";

class Attester {
 public:
  virtual ~Attester() = default;

  // Asks the secure processor for a report whose REPORT_DATA is
  // `report_data`. On success the Evidence holds the 1184-byte report (and the
  // chain when the platform supplies it). Failures: kUnavailable (device or
  // channel unreachable or busy), kInternal (the firmware or daemon answered
  // something malformed), or the error the platform reported.
  virtual StatusOr<Evidence> get_report(std::span<const uint8_t, kReportDataSize> report_data) = 0;

  // "sev-guest" or "sim".
  virtual std::string_view platform() const = 0;
};

enum class PlatformChoice { kAuto, kSim, kSevGuest };

// "auto" / "sim" / "sev-guest".
std::string_view platform_choice_name(PlatformChoice choice);
StatusOr<PlatformChoice> parse_platform_choice(std::string_view text);

struct AttesterConfig {
  PlatformChoice platform = PlatformChoice::kAuto;
  std::filesystem::path sev_guest_device = kSevGuestDevicePath;
  // Explicit simulated PSP channel; when empty, MPCC_SEV_GUEST is consulted
  // (unless read_environment is false).
  std::optional<std::filesystem::path> sim_channel;
  bool read_environment = true;
  // VMPL written into SNP_GET_REPORT requests on real hardware (ignored by the
  // simulator: there the launcher fixed it).
  uint32_t vmpl = 0;
  // Per-request I/O timeout for the simulated channel.
  std::chrono::milliseconds timeout{10000};
};

// Builds the Attester `config` asks for (see the file comment). Fails with
// kFailedPrecondition when the requested platform is not present, or with
// kInvalidArgument for an unusable configuration (e.g. a channel path that is
// not a socket). Logs a warning when it hands out the simulator.
StatusOr<std::unique_ptr<Attester>> make_attester(const AttesterConfig& config);

}  // namespace mpcc::platform
