#include "platform/sim/simulated_attester.h"

#include <algorithm>

#include "platform/sim/channel_protocol.h"
#include "platform/sim/unix_socket.h"
#include "snp/report.h"

namespace mpcc::platform::sim {

namespace {

Status check_echo(const Evidence& e, std::span<const uint8_t, kReportDataSize> report_data) {
  if (e.report.size() != snp::kReportSize ||
      !std::equal(report_data.begin(), report_data.end(),
                  e.report.begin() + static_cast<std::ptrdiff_t>(snp::offset::kReportData))) {
    return internal_error("simulated PSP: the report does not carry the REPORT_DATA requested");
  }
  return ok_status();
}

}  // namespace

SimulatedSnpAttester::SimulatedSnpAttester(std::filesystem::path channel,
                                           std::chrono::milliseconds timeout)
    : channel_(std::move(channel)), timeout_(timeout) {}

StatusOr<Evidence> SimulatedSnpAttester::get_report(
    std::span<const uint8_t, kReportDataSize> report_data) {
  MPCC_ASSIGN_OR_RETURN(Socket socket, connect_unix(channel_));
  MPCC_RETURN_IF_ERROR(set_timeouts(socket, timeout_));
  MPCC_RETURN_IF_ERROR(
      write_frame(socket, encode_report_request(report_data), kMaxGuestRequestFrame));
  auto frame = read_frame(socket, kMaxResponseFrame);
  if (!frame.ok()) return frame.status().with_context("simulated PSP channel");
  MPCC_ASSIGN_OR_RETURN(Evidence evidence, decode_evidence_response(*frame));
  MPCC_RETURN_IF_ERROR(check_echo(evidence, report_data));
  return evidence;
}

InProcessSimulatedAttester::InProcessSimulatedAttester(std::shared_ptr<const SimulatedPsp> psp,
                                                       LaunchParams params)
    : psp_(std::move(psp)), params_(params) {
  if (!psp_) throw std::logic_error("InProcessSimulatedAttester: null psp");
}

StatusOr<Evidence> InProcessSimulatedAttester::get_report(
    std::span<const uint8_t, kReportDataSize> report_data) {
  return psp_->evidence(params_, report_data);
}

}  // namespace mpcc::platform::sim
