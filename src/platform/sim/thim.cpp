#include "platform/sim/thim.h"

#include <string>

namespace mpcc::platform::sim {

nlohmann::json thim_certification(const SimulatedChip& chip, int cache_control_seconds) {
  return {{"vcekCert", chip.vcek().pem()},
          {"certificateChain", chip.ask().pem() + chip.ark().pem()},
          {"tcbm", chip.tcb().tcbm()},
          {"cacheControl", std::to_string(cache_control_seconds)}};
}

}  // namespace mpcc::platform::sim
