// File: deploy/psp_guests.h
//
// The confidential parties' guests in the simulated PSP daemon: `mpcc up`
// is their launcher. It asks the daemon (control socket DIR/psp/psp.sock,
// platform/sim/psp_control_client.h) to launch guest <party> with HOST_DATA
// = SHA-256 of the party's security policy, and hands the guest channel (the
// party's "device") to the party's sidecar only. The daemon keeps guests in
// memory, so after a psp restart they are launched again.
//
//   MPCC_ASSIGN_OR_RETURN(auto running, psp_guests(layout.psp_dir() / "psp.sock", timeout));
//   if (running["contoso"] != host_data)
//     MPCC_RETURN_IF_ERROR(launch_guest(socket, "contoso", host_data,
//                                       layout.guest_channel("contoso"), timeout));
//
// Thread-safety: reentrant functions, one connection per call.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "common/status.h"

namespace mpcc::deploy {

// Guest name -> its HOST_DATA (lowercase hex), as the daemon reports them.
// kUnavailable when no daemon answers; kInternal for an answer without guests.
StatusOr<std::map<std::string, std::string>> psp_guests(const std::filesystem::path& control_socket,
                                                        std::chrono::milliseconds timeout);

// Launches (or replaces) guest `guest` with `host_data_hex` and the default
// launch parameters. kInternal when the daemon's channel is not
// `expected_channel` (the path the sidecar's command line names); the
// daemon's errors otherwise.
Status launch_guest(const std::filesystem::path& control_socket, const std::string& guest,
                    const std::string& measurement_hex, const std::string& host_data_hex,
                    const std::filesystem::path& expected_channel,
                    std::chrono::milliseconds timeout);

}  // namespace mpcc::deploy
