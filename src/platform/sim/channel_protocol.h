// File: platform/sim/channel_protocol.h
//
// The messages of the simulated PSP channels (one JSON object per frame, see
// unix_socket.h for framing; README.md for the full protocol).
//
// Guest channel (DIR/guests/<name>.sock), the guest's only request:
//   {"op":"get_report","report_data":"<128 hex digits>"}
// Any other member is refused: the launch parameters are fixed by the
// launcher and nothing a guest sends can change them.
//   ok:    {"ok":true,"format":"sim_sev_snp_v1","report":"<base64 1184 bytes>",
//           "endorsements":["<VCEK PEM>","<ASK PEM>","<ARK PEM>"]}
//   error: {"ok":false,"error":{"code":"INVALID_ARGUMENT","message":"..."}}
//
// Control channel (DIR/psp.sock), the launcher's requests:
//   {"op":"launch","guest":"contoso","measurement":"<96 hex>","host_data":"<64 hex>",
//    "policy":196608,"vmpl":0,"guest_svn":0,"replace":false}
//     -> {"ok":true,"channel":"/abs/DIR/guests/contoso.sock","launch":{...}}
//   {"op":"status"} -> {"ok":true,"chip":{...},"guests":[{"name":...,"channel":...}]}
//
// Parsers are defensive: size limits, exact member sets, types and lengths
// checked; nlohmann exceptions become kInvalidArgument.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <variant>

#include "common/bytes.h"
#include "common/status.h"
#include "nlohmann/json.hpp"
#include "platform/evidence.h"
#include "platform/sim/launch_params.h"

namespace mpcc::platform::sim {

inline constexpr std::size_t kMaxGuestRequestFrame = 4 * 1024;
inline constexpr std::size_t kMaxControlRequestFrame = 16 * 1024;
inline constexpr std::size_t kMaxResponseFrame = 256 * 1024;
inline constexpr std::size_t kMaxGuestNameLength = 64;

// Guest names: 1..64 of [A-Za-z0-9_-], so they are safe as file names.
Status validate_guest_name(std::string_view name);

// Responses.
Bytes encode_error_response(const Status& status);
Bytes encode_ok_response(nlohmann::json body);  // sets "ok": true
// The body of an ok response, or the Status an error response carries.
// kInternal for a malformed response.
StatusOr<nlohmann::json> decode_response(ByteSpan frame);

// Guest channel.
Bytes encode_report_request(std::span<const uint8_t, 64> report_data);
StatusOr<std::array<uint8_t, 64>> decode_report_request(ByteSpan frame);
Bytes encode_evidence_response(const Evidence& evidence);
StatusOr<Evidence> decode_evidence_response(ByteSpan frame);

// Control channel.
struct LaunchRequest {
  std::string guest;
  LaunchParams params;  // report_id is assigned by the daemon
  bool replace = false;
};
struct StatusRequest {};
using ControlRequest = std::variant<LaunchRequest, StatusRequest>;

Bytes encode_launch_request(const LaunchRequest& request);
Bytes encode_status_request();
StatusOr<ControlRequest> decode_control_request(ByteSpan frame);

}  // namespace mpcc::platform::sim
