#include "platform/attester.h"

#include <sys/stat.h>

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "platform/sev_guest/sev_guest_attester.h"
#include "platform/sim/simulated_attester.h"

namespace mpcc::platform {

namespace fs = std::filesystem;

namespace {

// The configured channel: the explicit field, else MPCC_SEV_GUEST.
std::optional<fs::path> configured_channel(const AttesterConfig& config) {
  if (config.sim_channel && !config.sim_channel->empty()) return config.sim_channel;
  if (config.read_environment) {
    const char* env = std::getenv(kSevGuestChannelEnv);
    if (env != nullptr && *env != '\0') return fs::path(env);
  }
  return std::nullopt;
}

StatusOr<std::unique_ptr<Attester>> make_simulated(const fs::path& channel,
                                                   const AttesterConfig& config) {
  std::error_code ec;
  const fs::file_status st = fs::status(channel, ec);
  if (ec || !fs::exists(st)) {
    return failed_precondition("simulated PSP channel " + channel.string() +
                               " does not exist (is `mpcc psp serve` running and the guest launched?)");
  }
  if (!fs::is_socket(st)) {
    return invalid_argument("simulated PSP channel " + channel.string() + " is not a unix socket");
  }
  spdlog::warn("attestation: using the SIMULATED secure processor through {}: reports are NOT "
               "from genuine AMD hardware",
               channel.string());
  return std::unique_ptr<Attester>(
      std::make_unique<sim::SimulatedSnpAttester>(channel, config.timeout));
}

}  // namespace

std::string_view platform_choice_name(PlatformChoice choice) {
  switch (choice) {
    case PlatformChoice::kAuto:
      return "auto";
    case PlatformChoice::kSim:
      return "sim";
    case PlatformChoice::kSevGuest:
      return "sev-guest";
  }
  throw std::logic_error("unknown PlatformChoice");
}

StatusOr<PlatformChoice> parse_platform_choice(std::string_view text) {
  if (text == "auto") return PlatformChoice::kAuto;
  if (text == "sim") return PlatformChoice::kSim;
  if (text == "sev-guest") return PlatformChoice::kSevGuest;
  return invalid_argument("platform must be sim, sev-guest or auto, not '" + std::string(text) + "'");
}

StatusOr<std::unique_ptr<Attester>> make_attester(const AttesterConfig& config) {
  const bool device = sev_guest::SevGuestAttester::device_present(config.sev_guest_device);
  const std::optional<fs::path> channel = configured_channel(config);
  switch (config.platform) {
    case PlatformChoice::kSevGuest:
      if (!device) {
        return failed_precondition("SEV-SNP: platform sev-guest requested but " +
                                   config.sev_guest_device.string() +
                                   " is absent (no fallback to the simulator)");
      }
      return std::unique_ptr<Attester>(
          std::make_unique<sev_guest::SevGuestAttester>(config.sev_guest_device, config.vmpl));
    case PlatformChoice::kSim:
      if (!channel) {
        return failed_precondition(
            std::string("platform sim requested but no simulated PSP channel configured (set ") +
            kSevGuestChannelEnv + ")");
      }
      return make_simulated(*channel, config);
    case PlatformChoice::kAuto:
      if (device) {
        if (channel) {
          spdlog::info("attestation: {} present; ignoring the simulated channel {}",
                       config.sev_guest_device.string(), channel->string());
        }
        return std::unique_ptr<Attester>(
            std::make_unique<sev_guest::SevGuestAttester>(config.sev_guest_device, config.vmpl));
      }
      if (channel) return make_simulated(*channel, config);
      return failed_precondition(kNoDeviceMessage);
  }
  throw std::logic_error("unknown PlatformChoice");
}

}  // namespace mpcc::platform
