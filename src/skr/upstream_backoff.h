// File: skr/upstream_backoff.h
//
// UpstreamBackoff: how the sidecar backs off from a service it depends on
// (attestation, identity, key vault) that cannot be reached or answers 5xx,
// and notices when it returns. Per upstream (keyed by its authority
// "host:port"), consecutive unavailability failures open a window during
// which requests needing that upstream are refused at once with 503 and a
// Retry-After, instead of each waiting on a dead connection; the window
// doubles with each further failure (initial, 2x, 4x ... up to `max`). When
// the window has passed, requests go through again; the first success
// closes it.
//
//   UpstreamBackoff backoff(BackoffPolicy{});
//   if (auto wait = backoff.refusal(Step::kAttest, "attestation service", authority)) return *wait;
//   Outcome<std::string> token = request_maa_token(...);
//   return backoff.record(authority, std::move(token));   // annotates a 503 with retry_after_s
//
// What counts as unavailable: a Failure whose status is kUnavailable (no
// connection, reset, or the upstream answered 5xx: skr/upstream.h) or
// kDeadlineExceeded. (The defaults, 0.5 s doubling up to 8 s, keep a
// restarted service's first successful release within 8 s.) Refusals by the upstream (4xx) and local errors do not
// open a window and leave an open one unchanged.
//
// Thread-safety: all methods may be called concurrently (one mutex).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "skr/failure.h"

namespace mpcc::skr {

struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{8000};
};

class UpstreamBackoff {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  // `now` defaults to std::chrono::steady_clock::now (tests pass their own).
  explicit UpstreamBackoff(BackoffPolicy policy, Now now = {});

  // A 503 Failure of `step` when `authority`'s window is open: "<service>
  // <authority> is unavailable (<n> failures in a row, last: <reason>); not
  // retried for another <s> s", with retry_after_s. nullopt otherwise.
  std::optional<Failure> refusal(Step step, const std::string& service,
                                 const std::string& authority) const;

  // Records the outcome of a call to `authority` and returns it; an
  // unavailability failure gets retry_after_s = the new window in whole
  // seconds (at least 1).
  template <typename T>
  Outcome<T> record(const std::string& authority, Outcome<T> outcome) {
    if (outcome.ok()) {
      record_success(authority);
      return outcome;
    }
    Failure f = outcome.failure();
    record_failure(authority, f);
    return f;
  }

  void record_success(const std::string& authority);
  // Opens or widens the window for an unavailability failure and sets its
  // retry_after_s; other failures are left as they are.
  void record_failure(const std::string& authority, Failure& failure);

  // Consecutive unavailability failures of `authority` (0 when healthy).
  int failures(const std::string& authority) const;

 private:
  struct State {
    int failures = 0;
    std::chrono::steady_clock::time_point retry_at;
    std::string last_reason;
  };
  std::chrono::steady_clock::time_point now() const;

  BackoffPolicy policy_;
  Now now_;
  mutable std::mutex mu_;
  std::map<std::string, State> states_;
};

// True for the failures UpstreamBackoff counts (kUnavailable, kDeadlineExceeded).
bool is_unavailability(const Failure& failure);

}  // namespace mpcc::skr
