// File: platform/sim/psp_control_client.h
//
// The launcher's side of the simulated PSP's control socket (DIR/psp.sock):
// launch a guest (creating its channel) or ask for the daemon's status.
//
// Thread-safety: reentrant functions, one connection per call.
#pragma once

#include <chrono>
#include <filesystem>

#include "common/status.h"
#include "nlohmann/json.hpp"
#include "platform/sim/channel_protocol.h"

namespace mpcc::platform::sim {

struct LaunchResult {
  std::filesystem::path channel;  // the guest's "device handle"
  nlohmann::json launch;          // the launch parameters as the daemon recorded them
};

// kUnavailable when no daemon answers on `control_socket`; the daemon's error
// (e.g. kAlreadyExists, kInvalidArgument) otherwise.
StatusOr<LaunchResult> request_launch(const std::filesystem::path& control_socket,
                                      const LaunchRequest& request,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

StatusOr<nlohmann::json> request_status(const std::filesystem::path& control_socket,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace mpcc::platform::sim
