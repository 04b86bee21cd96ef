// File: skr/upstream.h
//
// The sidecar's calls to the services it depends on (attestation, identity,
// key vault) all end the same way: a 200 JSON object carrying one string
// member (MAA "token", IMDS "access_token", Key Vault "value"), or a Failure
// that says which service answered what. A refusal keeps the upstream's HTTP
// status and its body as `detail` (parsed JSON, e.g. Key Vault's
// {"error":{"code","message","innererror"}}, else the text cut to
// kMaxDetailChars), and its message quotes the upstream's own reason
// (error.message, error_description or error).
//
//   StatusOr<http::ClientResponse> r = client.post_json(url, body);
//   Outcome<std::string> token = expect_string_member(Step::kAttest, "attestation service " + host,
//   r, "token");
//
// Thread-safety: free functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/client.h"
#include "skr/failure.h"

namespace mpcc::skr {

inline constexpr std::size_t kMaxDetailChars = 2000;

// The body as `detail`: its JSON, else its text (at most kMaxDetailChars).
nlohmann::json upstream_detail(const http::ClientResponse& response);

// The upstream's own reason, "" when its body carries none.
std::string upstream_reason(const http::ClientResponse& response);

// `response` (the outcome of one request to `service`, e.g. "key vault
// 127.0.0.1:8443") must be a 200 whose JSON object has a non-empty string
// `member`; that string, or:
//  - transport failure: step failure "<service>: <transport error>" (kUnavailable);
//  - another status: "<service> answered HTTP <n>: <reason>" with
//    upstream_status and detail (kPermissionDenied for 401/403, kNotFound
//    for 404, kInvalidArgument for other 4xx, kUnavailable for 5xx);
//  - a 200 without the member: kUnknown "... answered 200 without <member>",
//    with upstream_status and detail.
Outcome<std::string> expect_string_member(Step step, const std::string& service,
                                          const StatusOr<http::ClientResponse>& response,
                                          std::string_view member);

}  // namespace mpcc::skr
