// File: skr/failure.h
//
// How the sidecar reports a request it could not serve: the step that failed,
// why (a Status), and, when an upstream service (attestation, identity, key
// vault) answered, its HTTP status and body. to_response() is the sidecar's
// error answer:
//
//   {"error": "<message>", "step": "request|device|attest|identity|release|unwrap"
//    [, "upstream_status": 403, "detail": <the upstream's JSON body, or its text>]}
//
// HTTP status (spec 2.2): step "request": 400 for malformed input, 403 for a
// caller or endpoint the configuration refuses; step "device": 500; any other
// step: 500 when the sidecar itself lacks what it needs (kFailedPrecondition,
// kInternal: no identity configured, no VCEK chain, a crypto failure); 503
// with a Retry-After header (and "retry_after_s" in the body, when known)
// when an upstream could not be reached, timed out or answered 5xx
// (kUnavailable, kDeadlineExceeded: worth retrying; see upstream_backoff.h);
// else 403 (the upstream refused, or answered something unusable: the
// Microsoft sidecar answers 403 for every release failure, a client that
// handles that still sees an error on 503).
//
//   Outcome<std::string> token = request_maa_token(...);
//   if (!token.ok()) return token.failure().to_response();
//
// Thread-safety: plain values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/status.h"
#include "http/server.h"

namespace mpcc::skr {

enum class Step { kRequest, kDevice, kAttest, kIdentity, kRelease, kUnwrap };

// "request", "device", "attest", "identity", "release", "unwrap".
std::string_view step_name(Step step);

struct Failure {
  Step step = Step::kRequest;
  Status status;                       // never OK
  std::optional<int> upstream_status;  // set when an upstream answered
  nlohmann::json detail;               // the upstream's body (JSON, or text); null if none
  std::optional<int> retry_after_s;    // for a 503: when to try again

  // The HTTP status of the sidecar's answer (see the file comment).
  int http_status() const;
  // The JSON error answer.
  http::Response to_response() const;
};

// A failure of `step` without an upstream answer. `status` must not be OK.
Failure fail(Step step, Status status);

// A value or the Failure that prevented it (cf. StatusOr).
template <typename T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}            // NOLINT: implicit, like StatusOr
  Outcome(Failure failure) : v_(std::move(failure)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  // Throw std::logic_error when !ok() (a bug in the caller).
  const T& value() const& {
    require_value();
    return std::get<0>(v_);
  }
  T&& value() && {
    require_value();
    return std::get<0>(std::move(v_));
  }
  // Throws std::logic_error when ok().
  const Failure& failure() const {
    if (ok()) throw std::logic_error("Outcome::failure() on a value");
    return std::get<1>(v_);
  }

 private:
  void require_value() const {
    if (!ok()) {
      throw std::logic_error("Outcome accessed without a value: " +
                             std::get<1>(v_).status.to_string());
    }
  }
  std::variant<T, Failure> v_;
};

}  // namespace mpcc::skr
