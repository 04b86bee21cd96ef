#include "deploy/psp_guests.h"

#include <fmt/format.h>

#include "platform/sim/launch_params.h"
#include "platform/sim/psp_control_client.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

StatusOr<std::map<std::string, std::string>> psp_guests(const fs::path& control_socket,
                                                        std::chrono::milliseconds timeout) {
  MPCC_ASSIGN_OR_RETURN(json status, platform::sim::request_status(control_socket, timeout));
  auto guests = status.find("guests");
  if (guests == status.end() || !guests->is_array()) {
    return internal_error("psp status: no \"guests\" array");
  }
  std::map<std::string, std::string> out;
  for (const json& g : *guests) {
    if (!g.is_object() || !g.contains("name") || !g["name"].is_string()) continue;
    std::string host_data;
    if (g.contains("launch") && g["launch"].is_object()) {
      host_data = g["launch"].value("host_data", "");
    }
    out[g["name"].get<std::string>()] = host_data;
  }
  return out;
}

Status launch_guest(const fs::path& control_socket, const std::string& guest,
                    const std::string& measurement_hex, const std::string& host_data_hex,
                    const fs::path& expected_channel, std::chrono::milliseconds timeout) {
  platform::sim::LaunchRequest request;
  request.guest = guest;
  MPCC_ASSIGN_OR_RETURN(request.params.measurement,
                        platform::sim::parse_measurement(measurement_hex));
  MPCC_ASSIGN_OR_RETURN(request.params.host_data, platform::sim::parse_host_data(host_data_hex));
  request.replace = true;
  StatusOr<platform::sim::LaunchResult> launched =
      platform::sim::request_launch(control_socket, request, timeout);
  if (!launched.ok()) return launched.status().with_context("psp launch of guest " + guest);
  if (launched->channel != expected_channel) {
    return internal_error(fmt::format("psp launch of guest {}: channel {} instead of {}", guest,
                                      launched->channel.string(), expected_channel.string()));
  }
  return ok_status();
}

}  // namespace mpcc::deploy
