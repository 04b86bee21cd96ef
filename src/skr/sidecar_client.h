// File: skr/sidecar_client.h
//
// SidecarClient: how a party app calls its SKR sidecar (sidecar.h) on
// loopback, presenting the container group's token when it has one. Any HTTP
// answer is a SidecarReply (the caller interprets status and body, e.g. a
// 403 {"error","step","detail"}); only transport problems are errors:
// kUnavailable (nothing listening: connection refused, reset) and
// kDeadlineExceeded (no answer within the call's timeout).
//
//   SidecarClient sidecar("http://127.0.0.1:9001", group_token);
//   MPCC_ASSIGN_OR_RETURN(SidecarReply r, sidecar.release(maa, akv, "contoso-secret-key"));
//   if (r.status != 200) return permission_denied("release refused: " + r.body);
//   MPCC_ASSIGN_OR_RETURN(jose::Jwk key, parse_released_key(r.body));
//
// A release reply's body holds the private key: do not log it.
//
// Thread-safety: all methods may be called concurrently (one connection per
// call).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "jose/jwk.h"

namespace mpcc::skr {

struct SidecarReply {
  int status = 0;
  std::string body;
  std::string server_timing;  // the Server-Timing header (step_timings.h); "" when none
  // kInvalidArgument when the body is not JSON.
  StatusOr<nlohmann::json> json() const;
};

class SidecarClient {
 public:
  // `base_url`: "http://127.0.0.1:PORT" (a trailing '/' is dropped);
  // `group_token`: sent as X-Mpcc-Group-Token when set.
  SidecarClient(std::string base_url, std::optional<std::string> group_token);

  StatusOr<SidecarReply> status(std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // POST /attest/raw {"runtime_data"}; 30 s.
  StatusOr<SidecarReply> attest_raw(const std::string& runtime_data_b64) const;
  // POST /attest/combined {"runtime_data"}; 30 s.
  StatusOr<SidecarReply> attest_combined(const std::string& runtime_data_b64) const;
  // POST /attest/maa {"maa_endpoint", "runtime_data"}; 30 s.
  StatusOr<SidecarReply> attest_maa(const std::string& maa_endpoint,
                                    const std::string& runtime_data_b64) const;
  // POST /key/release {"maa_endpoint", "akv_endpoint", "kid"}; 60 s.
  StatusOr<SidecarReply> release(const std::string& maa_endpoint, const std::string& akv_endpoint,
                                 const std::string& kid) const;

  const std::string& base_url() const { return base_url_; }

 private:
  StatusOr<SidecarReply> call(std::string_view method, const std::string& path,
                              const nlohmann::json& body, std::chrono::milliseconds timeout) const;

  std::string base_url_;
  std::optional<std::string> group_token_;
};

// The private JWK of a 200 /key/release body: {"key": "<JWK JSON text>"}
// (the Microsoft sidecar's double encoding), also {"key": {JWK}} and
// {"key": {"key": {JWK}}}. kInvalidArgument when the body or the JWK is
// malformed or the key has no private part.
StatusOr<jose::Jwk> parse_released_key(std::string_view body);

}  // namespace mpcc::skr
