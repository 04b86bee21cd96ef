#include "skr/upstream_backoff.h"

#include <algorithm>

#include <fmt/format.h>

namespace mpcc::skr {

namespace {

int whole_seconds_at_least_one(std::chrono::steady_clock::duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return static_cast<int>(std::max<long long>(1, (ms + 999) / 1000));
}

}  // namespace

bool is_unavailability(const Failure& failure) {
  const StatusCode code = failure.status.code();
  return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded;
}

UpstreamBackoff::UpstreamBackoff(BackoffPolicy policy, Now now)
    : policy_(policy), now_(std::move(now)) {
  if (policy_.initial.count() <= 0 || policy_.max < policy_.initial) {
    throw std::logic_error("UpstreamBackoff: needs 0 < initial <= max");
  }
}

std::chrono::steady_clock::time_point UpstreamBackoff::now() const {
  return now_ ? now_() : std::chrono::steady_clock::now();
}

std::optional<Failure> UpstreamBackoff::refusal(Step step, const std::string& service,
                                                const std::string& authority) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(authority);
  if (it == states_.end() || it->second.failures == 0) return std::nullopt;
  const auto t = now();
  if (t >= it->second.retry_at) return std::nullopt;
  const int wait_s = whole_seconds_at_least_one(it->second.retry_at - t);
  Failure f = fail(step, unavailable(fmt::format(
                             "{} {} is unavailable ({} failure{} in a row, last: {}); not retried "
                             "for another {} s",
                             service, authority, it->second.failures,
                             it->second.failures == 1 ? "" : "s", it->second.last_reason, wait_s)));
  f.retry_after_s = wait_s;
  return f;
}

void UpstreamBackoff::record_success(const std::string& authority) {
  std::lock_guard lock(mu_);
  states_.erase(authority);
}

void UpstreamBackoff::record_failure(const std::string& authority, Failure& failure) {
  if (!is_unavailability(failure)) return;
  std::lock_guard lock(mu_);
  State& s = states_[authority];
  s.failures = std::min(s.failures + 1, 30);
  // initial * 2^(failures-1), capped at max.
  auto window = policy_.initial;
  for (int i = 1; i < s.failures && window < policy_.max; ++i) window *= 2;
  window = std::min(window, policy_.max);
  s.retry_at = now() + window;
  s.last_reason = failure.status.message();
  failure.retry_after_s = whole_seconds_at_least_one(window);
}

int UpstreamBackoff::failures(const std::string& authority) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(authority);
  return it == states_.end() ? 0 : it->second.failures;
}

}  // namespace mpcc::skr
