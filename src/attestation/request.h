// File: attestation/request.h
//
// The body of MAA's `POST /attest/SevSnpVm` (spec 8.1), parsed and checked
// before any cryptography runs:
//
//   {"report": b64url(JSON {"SnpReport": b64url(report bytes),
//                           "VcekCertChain": b64url|b64(PEM VCEK || ASK || ARK),
//                           "Endorsements"?: b64url(JSON {"Uvm": [...]})}),
//    "runtimeData": {"data": b64url(bytes), "dataType": "JSON"|"Binary"},
//    "initTimeData"?: {"data": ..., "dataType": ...},
//    "nonce"?: "text" | 1234}
//
// Every base64 field accepts both alphabets, padded or not (the sidecar sends
// padded base64url, the MAA documentation unpadded base64url and plain base64).
// Decisions where the spec is silent (README.md, "Request"):
//  - SnpReport may carry bytes after the 1184-byte report (MAA's own example
//    carries 36): they are ignored; fewer than 1184 bytes, or more than
//    kMaxSnpReportBytes, are refused.
//  - runtimeData is required: without it REPORT_DATA would bind nothing the
//    service can check.
//  - dataType is matched case-insensitively; JSON data must be a JSON object.
//  - nonce: a string (at most kMaxNonceLength characters) or an integer; an
//    integer is kept as its decimal text.
//  - Endorsements, when present, must decode to a JSON object; its UVM
//    endorsements are not verified (see README.md).
//
// Failures are kInvalidArgument with a message that starts with the field's
// path ("report.SnpReport: ...", "runtimeData.dataType: ...").
//
// Thread-safety: free functions and plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/x509.h"

namespace mpcc::attestation {

inline constexpr std::size_t kMaxSnpReportBytes = 8192;
inline constexpr std::size_t kMaxNonceLength = 1024;

enum class DataType { kJson, kBinary };

std::string_view data_type_name(DataType type);  // "JSON", "Binary"

// runtimeData / initTimeData.
struct TypedData {
  Bytes data;                // the decoded bytes, exactly as hashed
  DataType type = DataType::kBinary;
  nlohmann::json parsed;     // the JSON object when type is kJson, else null
};

struct AttestRequest {
  Bytes snp_report;                             // exactly 1184 bytes (trailing bytes dropped)
  std::size_t snp_report_trailing_bytes = 0;    // how many were dropped
  std::vector<crypto::Certificate> vcek_chain;  // as given, leaf first in practice
  std::optional<nlohmann::json> endorsements;   // decoded Endorsements object, unverified
  TypedData runtime_data;
  std::optional<TypedData> init_time_data;
  std::optional<std::string> nonce;             // as the claim will carry it
};

// Parses the request body text (JSON). kInvalidArgument naming the field on
// any malformation; "request body is not JSON: ..." when it does not parse.
StatusOr<AttestRequest> parse_attest_body(std::string_view body);
// The same for an already parsed JSON value.
StatusOr<AttestRequest> parse_attest_request(const nlohmann::json& body);

}  // namespace mpcc::attestation
