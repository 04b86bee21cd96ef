#include "platform/sim/launch_params.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "crypto/random.h"

namespace mpcc::platform::sim {

namespace {

template <std::size_t N>
StatusOr<std::array<uint8_t, N>> parse_fixed(std::string_view hex, const char* what) {
  auto bytes = hex_decode(hex);
  if (!bytes.ok() || bytes->size() != N) {
    return invalid_argument(fmt::format("{}: expected {} hex digits", what, 2 * N));
  }
  std::array<uint8_t, N> out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

template <std::size_t N>
std::string hex(const std::array<uint8_t, N>& a) {
  return hex_encode(ByteSpan(a.data(), a.size()));
}

}  // namespace

Status validate(const LaunchParams& params) {
  if ((params.policy & (1ull << 17)) == 0) {
    return invalid_argument(
        fmt::format("guest policy 0x{:x}: reserved bit 17 must be set", params.policy));
  }
  if ((params.policy >> 26) != 0) {
    return invalid_argument(
        fmt::format("guest policy 0x{:x}: bits 63:26 must be zero", params.policy));
  }
  if (params.vmpl > kMaxVmpl) {
    return invalid_argument(fmt::format("vmpl {} out of range 0..{}", params.vmpl, kMaxVmpl));
  }
  return ok_status();
}

void assign_random_report_id(LaunchParams& params) {
  Bytes id = crypto::random_bytes(params.report_id.size());
  std::copy(id.begin(), id.end(), params.report_id.begin());
}

std::array<uint8_t, 32> host_data_for_policy(ByteSpan policy_text) {
  Bytes digest = crypto::sha256(policy_text);
  std::array<uint8_t, 32> out;
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

StatusOr<std::array<uint8_t, 48>> parse_measurement(std::string_view hex_text) {
  return parse_fixed<48>(hex_text, "measurement");
}

StatusOr<std::array<uint8_t, 32>> parse_host_data(std::string_view hex_text) {
  return parse_fixed<32>(hex_text, "host_data");
}

StatusOr<uint64_t> parse_u64(std::string_view original) {
  std::string_view text = original;
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return invalid_argument("'" + std::string(original) + "' is not an unsigned 64-bit number");
  }
  return value;
}

nlohmann::json to_json_view(const LaunchParams& p) {
  return {{"measurement", hex(p.measurement)},
          {"host_data", hex(p.host_data)},
          {"policy", fmt::format("0x{:x}", p.policy)},
          {"vmpl", p.vmpl},
          {"guest_svn", p.guest_svn},
          {"report_id", hex(p.report_id)}};
}

}  // namespace mpcc::platform::sim
