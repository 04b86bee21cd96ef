// File: platform/sim/simulated_attester.h
//
// Attesters backed by the SIMULATED secure processor (reports tagged
// sim_sev_snp_v1; a verifier accepts them only if told to trust the
// simulated root):
//   SimulatedSnpAttester        a guest's end of its channel to `mpcc psp
//                               serve`: sends REPORT_DATA, receives the
//                               report and the VCEK/ASK/ARK chain.
//   InProcessSimulatedAttester  SimulatedPsp + fixed LaunchParams in the same
//                               process, for tests and benchmarks (no
//                               launcher/guest separation: UNSAFE outside them).
//
// Thread-safety: get_report() may run concurrently (one connection per call).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "platform/attester.h"
#include "platform/sim/launch_params.h"
#include "platform/sim/simulated_psp.h"

namespace mpcc::platform::sim {

class SimulatedSnpAttester final : public Attester {
 public:
  explicit SimulatedSnpAttester(std::filesystem::path channel,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // kUnavailable when the daemon does not answer on the channel; the error
  // the daemon sent; kInternal for a malformed answer or one whose report
  // does not carry our REPORT_DATA.
  StatusOr<Evidence> get_report(std::span<const uint8_t, kReportDataSize> report_data) override;
  std::string_view platform() const override { return "sim"; }
  const std::filesystem::path& channel() const { return channel_; }

 private:
  std::filesystem::path channel_;
  std::chrono::milliseconds timeout_;
};

class InProcessSimulatedAttester final : public Attester {
 public:
  InProcessSimulatedAttester(std::shared_ptr<const SimulatedPsp> psp, LaunchParams params);
  StatusOr<Evidence> get_report(std::span<const uint8_t, kReportDataSize> report_data) override;
  std::string_view platform() const override { return "sim"; }

 private:
  std::shared_ptr<const SimulatedPsp> psp_;
  LaunchParams params_;
};

}  // namespace mpcc::platform::sim
