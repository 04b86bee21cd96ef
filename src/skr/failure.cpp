#include "skr/failure.h"

namespace mpcc::skr {

std::string_view step_name(Step step) {
  switch (step) {
    case Step::kRequest:
      return "request";
    case Step::kDevice:
      return "device";
    case Step::kAttest:
      return "attest";
    case Step::kIdentity:
      return "identity";
    case Step::kRelease:
      return "release";
    case Step::kUnwrap:
      return "unwrap";
  }
  throw std::logic_error("unknown skr::Step");
}

int Failure::http_status() const {
  const StatusCode code = status.code();
  switch (step) {
    case Step::kRequest:
      if (code == StatusCode::kInvalidArgument) return 400;
      if (code == StatusCode::kPermissionDenied) return 403;
      return 500;
    case Step::kDevice:
      return 500;
    default:
      if (code == StatusCode::kFailedPrecondition || code == StatusCode::kInternal) return 500;
      if (code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded) return 503;
      return 403;
  }
}

http::Response Failure::to_response() const {
  nlohmann::json body = {{"error", status.message()}, {"step", step_name(step)}};
  if (upstream_status) body["upstream_status"] = *upstream_status;
  if (!detail.is_null()) body["detail"] = detail;
  http::Response r;
  r.status = http_status();
  if (r.status == 503) {
    const int after = retry_after_s.value_or(1);
    body["retry_after_s"] = after;
    r.with_header("Retry-After", std::to_string(after));
  }
  // Upstream text may not be UTF-8: replaced, never an exception.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Failure fail(Step step, Status status) {
  if (status.ok()) throw std::logic_error("skr::fail with an OK status");
  Failure f;
  f.step = step;
  f.status = std::move(status);
  return f;
}

}  // namespace mpcc::skr
