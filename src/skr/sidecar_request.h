// File: skr/sidecar_request.h
//
// The sidecar's request bodies (spec 2.2), parsed and checked before any
// work is done:
//   /attest/raw, /attest/combined  {"runtime_data": b64}
//   /attest/maa                    {"maa_endpoint": "host[:port]", "runtime_data": b64}
//   /key/release                   {"maa_endpoint", "akv_endpoint", "kid", "access_token"?}
// runtime_data is standard base64 (padding optional, spec 2.3) and must not
// be empty; for /attest/maa it must decode to a JSON object (MAA receives it
// with dataType JSON and makes it the x-ms-runtime claim). Endpoints follow
// endpoint.h; kid follows check_key_id(). Unknown members are ignored (as
// the Microsoft sidecar's JSON binding does).
//
// Failures are kInvalidArgument and name the field: "runtime_data: missing",
// "maa_endpoint: 'https://x' has a scheme (...)", "request body is not JSON: ...".
//
// Thread-safety: free functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "skr/endpoint.h"

namespace mpcc::skr {

struct RuntimeDataRequest {
  Bytes runtime_data;
};

struct MaaRequest {
  Endpoint maa;
  Bytes runtime_data;  // a JSON object's text
};

struct ReleaseRequest {
  Endpoint maa;
  Endpoint akv;
  std::string kid;
  std::optional<std::string> access_token;  // absent (or "") : the sidecar's managed identity
};

StatusOr<RuntimeDataRequest> parse_runtime_data_request(std::string_view body);
StatusOr<MaaRequest> parse_maa_request(std::string_view body);
StatusOr<ReleaseRequest> parse_release_request(std::string_view body);

}  // namespace mpcc::skr
