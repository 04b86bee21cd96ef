// File: party/sidecar_failure.h
//
// What a failed sidecar call means, for the party app's answers: the
// sidecar's own message and step, the upstream reason it passed on (the
// vault's innererror: which layer refused — access_policy, attestation_token,
// release_policy — and each failed clause), a short failure_reason in the
// seed's words, and whether the cause is the missing TEE (the Snooper).
//
// Thread-safety: plain values and a pure function.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "skr/sidecar_client.h"

namespace mpcc::party {

struct SidecarFailure {
  int sidecar_status = 0;
  std::string error;           // the sidecar's "error" text
  std::string step;            // request, device, attest, identity, release, unwrap
  std::optional<int> upstream_status;
  nlohmann::json vault_reason;  // the vault's innererror {code, layer, evaluation} or null
  std::optional<int> retry_after_s;  // a 503: an upstream is down, try again then
  std::string failure_reason;   // one line for the UI
  bool no_tee = false;

  // {message, failure_reason, sidecar_response, sidecar_status_code, step,
  //  upstream_status?, vault_reason?, retry_after_s?}
  nlohmann::json to_json() const;
};

// `what` names the operation in the message ("key release", "attestation").
SidecarFailure describe_sidecar_failure(const skr::SidecarReply& reply, std::string_view what);

}  // namespace mpcc::party
