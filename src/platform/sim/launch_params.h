// File: platform/sim/launch_params.h
//
// LaunchParams: what the LAUNCHER of a guest fixes when it starts it, and the
// guest can never change: MEASUREMENT, HOST_DATA (ACI: SHA-256 of the decoded
// security policy text), guest POLICY, VMPL, GUEST_SVN, FAMILY_ID, IMAGE_ID,
// and the guest's REPORT_ID (random per launch). The simulated PSP copies
// them into every report of that guest; the guest contributes REPORT_DATA only.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "nlohmann/json_fwd.hpp"

namespace mpcc::platform::sim {

// Policy 0x30000: ABI 0.0, SMT allowed, reserved bit 17 set; not debuggable,
// no migration agent.
inline constexpr uint64_t kDefaultGuestPolicy = 0x30000;
inline constexpr uint32_t kMaxVmpl = 3;

struct LaunchParams {
  std::array<uint8_t, 48> measurement{};
  std::array<uint8_t, 32> host_data{};
  uint64_t policy = kDefaultGuestPolicy;
  uint32_t vmpl = 0;
  uint32_t guest_svn = 0;
  std::array<uint8_t, 16> family_id{};
  std::array<uint8_t, 16> image_id{};
  std::array<uint8_t, 32> report_id{};
};

// OK if the policy has bit 17 set and bits 63:26 clear, and vmpl <= 3;
// kInvalidArgument naming the problem otherwise.
Status validate(const LaunchParams& params);

// Fills report_id with 32 random bytes.
void assign_random_report_id(LaunchParams& params);

// HOST_DATA for a policy document: SHA-256 of its bytes (as ACI does with the
// decoded Rego text).
std::array<uint8_t, 32> host_data_for_policy(ByteSpan policy_text);

// Fixed-size fields from hex ("measurement: expected 96 hex digits").
StatusOr<std::array<uint8_t, 48>> parse_measurement(std::string_view hex);
StatusOr<std::array<uint8_t, 32>> parse_host_data(std::string_view hex);
// "0x30000", "196608": a u64 in hex (0x prefix) or decimal.
StatusOr<uint64_t> parse_u64(std::string_view text);

// Public JSON view {measurement, host_data, policy, vmpl, guest_svn, report_id}.
nlohmann::json to_json_view(const LaunchParams& params);

}  // namespace mpcc::platform::sim
