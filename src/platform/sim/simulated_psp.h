// File: platform/sim/simulated_psp.h
//
// SimulatedPsp: the SIMULATED secure processor's report signer, in process.
// sign_report() builds an ATTESTATION_REPORT in the real 1184-byte layout
// (snp::AttestationReport::serialize) from the chip (TCBs, CHIP_ID, CPUID,
// firmware version, PLATFORM_INFO, report version), the guest's LaunchParams
// (fixed by its launcher) and the guest's REPORT_DATA, and signs bytes
// [0, 0x2A0) with the VCEK: ECDSA P-384/SHA-384, R and S stored little-endian
// in their 72-byte fields, exactly as AMD firmware does. The daemon
// (psp_daemon.h) serves it to guests over per-guest channels; tests and
// benchmarks call it directly.
//
// Thread-safety: immutable after construction; sign_report may run
// concurrently.
#pragma once

#include <memory>
#include <span>

#include "common/status.h"
#include "platform/evidence.h"
#include "platform/sim/launch_params.h"
#include "platform/sim/simulated_chip.h"
#include "snp/report.h"

namespace mpcc::platform::sim {

class SimulatedPsp {
 public:
  explicit SimulatedPsp(std::shared_ptr<const SimulatedChip> chip);

  // The signed report. kInvalidArgument if `params` fail validate();
  // crypto errors otherwise.
  StatusOr<snp::AttestationReport> sign_report(const LaunchParams& params,
                                               std::span<const uint8_t, 64> report_data) const;

  // sign_report() plus the chain (VCEK, ASK, ARK), tagged sim_sev_snp_v1.
  StatusOr<Evidence> evidence(const LaunchParams& params,
                              std::span<const uint8_t, 64> report_data) const;

  const SimulatedChip& chip() const { return *chip_; }

 private:
  std::shared_ptr<const SimulatedChip> chip_;
};

}  // namespace mpcc::platform::sim
