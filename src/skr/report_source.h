// File: skr/report_source.h
//
// ReportSource: the sidecar's side of the SEV-SNP guest device. It asks the
// platform's Attester (platform/attester.h: /dev/sev-guest, or the simulated
// PSP channel the launcher handed this container) for a report whose
// REPORT_DATA = SHA-256(runtime data) || 32 zero bytes (spec 2.3), and pairs
// it with the VCEK chain VCEK || ASK || ARK: the platform's own endorsements
// when it supplies them (the simulator does), else the security context's
// THIM certificates (what ACI gives), else none.
//
// No device is a normal state, not a start-up error: a standard container
// (the Snooper) runs the same sidecar, and every attestation then fails with
// step "device" and a message saying it is not running in a TEE. The attester
// is looked for again at each request until found, so a guest channel created
// after the sidecar started is picked up.
//
//   MPCC_ASSIGN_OR_RETURN(auto source, ReportSource::create(attester_config, context));
//   Outcome<GuestEvidence> e = source->collect(runtime_data, /*need_chain=*/true);
//
// Thread-safety: collect() may run concurrently.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "platform/attester.h"
#include "skr/failure.h"
#include "skr/security_context.h"

namespace mpcc::skr {

struct GuestEvidence {
  Bytes report;                // the 1184-byte ATTESTATION_REPORT
  std::string vcek_chain_pem;  // VCEK || ASK || ARK; "" when nobody supplied one
  std::string endorsed_tcbm;   // the THIM tcbm, else the report's REPORTED_TCB (16 hex digits)
  bool simulated = false;      // from the simulated secure processor
};

class ReportSource {
 public:
  // Looks for the attester now (see the file comment). Fails only for a
  // configuration that can never work (kInvalidArgument from make_attester,
  // e.g. a channel path that is not a socket).
  static StatusOr<std::unique_ptr<ReportSource>> create(platform::AttesterConfig config,
                                                        std::optional<SecurityContext> context);

  // The report for `runtime_data`. Failures: step "device" (no device:
  // kFailedPrecondition "... not running in a TEE ..."; the device or channel
  // failed: its error); with `need_chain`, step "attest" kFailedPrecondition
  // when no VCEK chain is known.
  Outcome<GuestEvidence> collect(ByteSpan runtime_data, bool need_chain);

  // True once an attester was found.
  bool has_device() const;
  // The step "device" failure collect() would give when there is no device
  // (nullopt when there is one): lets a caller refuse before costly work.
  std::optional<Failure> missing_device();

 private:
  ReportSource(platform::AttesterConfig config, std::optional<SecurityContext> context,
               std::unique_ptr<platform::Attester> attester);
  // The attester, created on first success.
  StatusOr<platform::Attester*> attester();

  const platform::AttesterConfig config_;
  const std::optional<SecurityContext> context_;
  mutable std::mutex mu_;
  std::unique_ptr<platform::Attester> attester_;  // guarded by mu_; never reset once set
};

}  // namespace mpcc::skr
