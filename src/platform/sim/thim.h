// File: platform/sim/thim.h
//
// The host's AMD certificates in the THIM shape (Azure IMDS
// /metadata/THIM/amd/certification; ACI's security-context file
// host-amd-cert-base64 holds it base64-encoded):
//   {"vcekCert": PEM VCEK, "certificateChain": PEM ASK then ARK,
//    "tcbm": 16 hex digits of REPORTED_TCB, "cacheControl": "86400"}
//
// Thread-safety: pure function.
#pragma once

#include "nlohmann/json.hpp"
#include "platform/sim/simulated_chip.h"

namespace mpcc::platform::sim {

nlohmann::json thim_certification(const SimulatedChip& chip, int cache_control_seconds = 86400);

}  // namespace mpcc::platform::sim
