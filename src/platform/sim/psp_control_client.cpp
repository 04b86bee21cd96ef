#include "platform/sim/psp_control_client.h"

#include "platform/sim/unix_socket.h"

namespace mpcc::platform::sim {

namespace {

StatusOr<nlohmann::json> round_trip(const std::filesystem::path& control_socket, ByteSpan request,
                                    std::chrono::milliseconds timeout) {
  MPCC_ASSIGN_OR_RETURN(Socket socket, connect_unix(control_socket));
  MPCC_RETURN_IF_ERROR(set_timeouts(socket, timeout));
  MPCC_RETURN_IF_ERROR(write_frame(socket, request, kMaxControlRequestFrame));
  auto frame = read_frame(socket, kMaxResponseFrame);
  if (!frame.ok()) return frame.status().with_context("psp control socket");
  return decode_response(*frame);
}

}  // namespace

StatusOr<LaunchResult> request_launch(const std::filesystem::path& control_socket,
                                      const LaunchRequest& request,
                                      std::chrono::milliseconds timeout) {
  MPCC_ASSIGN_OR_RETURN(nlohmann::json body,
                        round_trip(control_socket, encode_launch_request(request), timeout));
  if (!body.contains("channel") || !body.at("channel").is_string()) {
    return internal_error("psp control socket: launch answer without a channel");
  }
  LaunchResult result;
  result.channel = body.at("channel").get_ref<const std::string&>();
  if (body.contains("launch")) result.launch = body.at("launch");
  return result;
}

StatusOr<nlohmann::json> request_status(const std::filesystem::path& control_socket,
                                        std::chrono::milliseconds timeout) {
  MPCC_ASSIGN_OR_RETURN(nlohmann::json body,
                        round_trip(control_socket, encode_status_request(), timeout));
  body.erase("ok");
  return body;
}

}  // namespace mpcc::platform::sim
