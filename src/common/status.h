// File: common/status.h
//
// Status and StatusOr<T>: how every mpcc library reports an expected failure
// (bad input, failed verification, policy denial, not found, I/O). Shaped like
// absl::Status with a subset of the canonical codes. Broken invariants are bugs
// and throw std::logic_error instead.
//
//   StatusOr<Report> r = Report::parse(bytes);
//   if (!r.ok()) return r.status();
//   MPCC_ASSIGN_OR_RETURN(auto cert, Certificate::from_der(der));
//   MPCC_RETURN_IF_ERROR(check_chain(cert));
//
// Thread-safety: values; safe to copy between threads, not to mutate concurrently.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mpcc {

// Canonical codes. Choose as abseil advises:
//  kInvalidArgument    the input is malformed whatever the system state.
//  kFailedPrecondition the input is well formed but the system is not in the
//                      state the operation needs (e.g. a key not yet created).
//  kUnauthenticated    the caller could not be identified (bad or absent token).
//  kPermissionDenied   the caller is known but not allowed (attestation or
//                      release policy refused, access policy missing).
//  kNotFound / kAlreadyExists  the named entity is absent / present.
//  kUnavailable        transient: retrying may help (network, device busy).
//  kUnimplemented      the operation or variant is not supported.
//  kInternal           an invariant of a dependency broke (OpenSSL, sqlite).
enum class StatusCode {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: message", or "OK".
  std::string to_string() const;

  // Returns a copy whose message is "prefix: message" (adds context while
  // propagating, like the sidecar's error wrapping). OK stays OK.
  Status with_context(std::string_view prefix) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status ok_status() { return Status(); }
Status invalid_argument(std::string message);
Status failed_precondition(std::string message);
Status not_found(std::string message);
Status already_exists(std::string message);
Status permission_denied(std::string message);
Status unauthenticated(std::string message);
Status unavailable(std::string message);
Status unimplemented(std::string message);
Status internal_error(std::string message);
Status out_of_range(std::string message);
Status data_loss(std::string message);

// Thrown by StatusOr::value() when it holds an error (a bug in the caller).
class BadStatusOrAccess : public std::logic_error {
 public:
  explicit BadStatusOrAccess(const Status& s)
      : std::logic_error("StatusOr accessed without a value: " + s.to_string()) {}
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // Not explicit, so functions can `return value;` or `return status;`.
  StatusOr(const T& value) : v_(value) {}                 // NOLINT
  StatusOr(T&& value) : v_(std::move(value)) {}            // NOLINT
  StatusOr(const Status& status) : v_(status) { check(); }  // NOLINT
  StatusOr(Status&& status) : v_(std::move(status)) { check(); }  // NOLINT

  bool ok() const { return v_.index() == 0; }
  Status status() const { return ok() ? Status() : std::get<1>(v_); }

  const T& value() const& {
    if (!ok()) throw BadStatusOrAccess(std::get<1>(v_));
    return std::get<0>(v_);
  }
  T& value() & {
    if (!ok()) throw BadStatusOrAccess(std::get<1>(v_));
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!ok()) throw BadStatusOrAccess(std::get<1>(v_));
    return std::get<0>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void check() const {
    if (std::get<1>(v_).ok()) throw std::logic_error("StatusOr constructed from an OK Status");
  }
  std::variant<T, Status> v_;
};

}  // namespace mpcc

#define MPCC_STATUS_CONCAT_INNER_(a, b) a##b
#define MPCC_STATUS_CONCAT_(a, b) MPCC_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` (a Status) is not OK.
#define MPCC_RETURN_IF_ERROR(expr)                 \
  do {                                             \
    ::mpcc::Status mpcc_status_ = (expr);          \
    if (!mpcc_status_.ok()) return mpcc_status_;   \
  } while (0)

// MPCC_ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (a StatusOr); on error
// returns its status, else assigns the value to `lhs` (which may declare).
#define MPCC_ASSIGN_OR_RETURN(lhs, expr) \
  MPCC_ASSIGN_OR_RETURN_IMPL_(MPCC_STATUS_CONCAT_(mpcc_statusor_, __LINE__), lhs, expr)
#define MPCC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
