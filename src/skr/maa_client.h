// File: skr/maa_client.h
//
// The sidecar's request to Microsoft Azure Attestation (or mpcc's
// attestation service, which speaks the same API), spec 8.1:
//
//   POST https://<maa_endpoint>/attest/SevSnpVm?api-version=2020-10-01
//   {"report": b64url(JSON {"SnpReport": b64url(report),
//                           "VcekCertChain": b64url(PEM VCEK || ASK || ARK),
//                           "Endorsements"?: b64url(JSON {"Uvm": [b64url(COSE_Sign1)]})}),
//    "runtimeData": {"data": b64url(runtime data), "dataType": "JSON"},
//    "nonce": <random uint64, a JSON number, as the Microsoft sidecar sends>}
//   -> 200 {"token": "<JWT>"}
//
// base64url is unpadded here (the Microsoft sidecar pads; MAA and mpcc's
// service accept both). Endorsements are sent when the security context
// carries the UVM reference info.
//
//   json body = maa_attest_body(evidence, runtime_json, ctx.reference_info(),
//   crypto::random_u64()); Outcome<std::string> token = request_maa_token(client, maa, body,
//   "mpcc-skr");
//
// Thread-safety: free functions (http::Client is thread-safe).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/bytes.h"
#include "http/client.h"
#include "skr/endpoint.h"
#include "skr/failure.h"
#include "skr/report_source.h"

namespace mpcc::skr {

inline constexpr const char* kMaaApiVersion = "2020-10-01";
inline constexpr const char* kMaaAttestPath = "/attest/SevSnpVm";

// The request body above. `uvm_endorsement` empty: no Endorsements member.
nlohmann::json maa_attest_body(const GuestEvidence& evidence, ByteSpan runtime_data,
                               ByteSpan uvm_endorsement, uint64_t nonce);

// POSTs `body` to `maa`; the token, or a step "attest" Failure (the
// service's refusal with its status and body, or the transport error).
Outcome<std::string> request_maa_token(const http::Client& client, const Endpoint& maa,
                                       const nlohmann::json& body, const std::string& user_agent);

}  // namespace mpcc::skr
