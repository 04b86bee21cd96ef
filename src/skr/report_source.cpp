#include "skr/report_source.h"

#include <spdlog/spdlog.h>

#include "snp/report.h"
#include "snp/report_data.h"

namespace mpcc::skr {

namespace {

Failure no_device(const Status& why) {
  if (why.code() == StatusCode::kFailedPrecondition) {
    return fail(Step::kDevice,
                failed_precondition("cannot attest: this container is not running in a TEE: " +
                                    why.message()));
  }
  return fail(Step::kDevice, Status(why.code(), "SEV-SNP guest device: " + why.message()));
}

}  // namespace

StatusOr<std::unique_ptr<ReportSource>> ReportSource::create(
    platform::AttesterConfig config, std::optional<SecurityContext> context) {
  std::unique_ptr<platform::Attester> attester;
  StatusOr<std::unique_ptr<platform::Attester>> made = platform::make_attester(config);
  if (made.ok()) {
    attester = std::move(made).value();
  } else if (made.status().code() == StatusCode::kFailedPrecondition) {
    spdlog::warn(
        "skr: {}; attestation and key release will fail until one appears (this "
        "container is not running in a TEE)",
        made.status().message());
  } else {
    return made.status();
  }
  return std::unique_ptr<ReportSource>(
      new ReportSource(std::move(config), std::move(context), std::move(attester)));
}

ReportSource::ReportSource(platform::AttesterConfig config, std::optional<SecurityContext> context,
                           std::unique_ptr<platform::Attester> attester)
    : config_(std::move(config)), context_(std::move(context)), attester_(std::move(attester)) {}

bool ReportSource::has_device() const {
  std::lock_guard lock(mu_);
  return attester_ != nullptr;
}

StatusOr<platform::Attester*> ReportSource::attester() {
  std::lock_guard lock(mu_);
  if (!attester_) {
    MPCC_ASSIGN_OR_RETURN(attester_, platform::make_attester(config_));
  }
  return attester_.get();
}

std::optional<Failure> ReportSource::missing_device() {
  StatusOr<platform::Attester*> attester_or = attester();
  if (attester_or.ok()) return std::nullopt;
  return no_device(attester_or.status());
}

Outcome<GuestEvidence> ReportSource::collect(ByteSpan runtime_data, bool need_chain) {
  StatusOr<platform::Attester*> attester_or = attester();
  if (!attester_or.ok()) return no_device(attester_or.status());
  const snp::ReportData report_data = snp::report_data_for_runtime_data(runtime_data);
  StatusOr<platform::Evidence> evidence = (*attester_or)->get_report(report_data);
  if (!evidence.ok()) return no_device(evidence.status());
  StatusOr<snp::AttestationReport> report = snp::AttestationReport::parse(evidence->report);
  if (!report.ok()) {
    return fail(Step::kDevice, internal_error("SEV-SNP guest device returned an unusable report: " +
                                              report.status().message()));
  }

  GuestEvidence out;
  out.report = evidence->report;
  out.simulated = evidence->is_simulated();
  out.endorsed_tcbm = report->reported_tcb.tcbm();
  const HostAmdCertification* thim = context_ && context_->host_amd_certification()
                                         ? &*context_->host_amd_certification()
                                         : nullptr;
  if (thim != nullptr) out.endorsed_tcbm = thim->tcbm;
  out.vcek_chain_pem = evidence->endorsements_pem();
  if (out.vcek_chain_pem.empty() && thim != nullptr) out.vcek_chain_pem = thim->endorsements_pem();
  if (need_chain && out.vcek_chain_pem.empty()) {
    return fail(Step::kAttest, failed_precondition(
                                   "no VCEK certificate chain: the platform supplied none with the "
                                   "report and the security context has no host-amd-cert-base64"));
  }
  if (context_ && context_->host_data() && *context_->host_data() != report->host_data) {
    spdlog::warn(
        "skr: the report's HOST_DATA differs from SHA-256 of the security context's "
        "policy: this container was launched with another policy");
  }
  return out;
}

}  // namespace mpcc::skr
