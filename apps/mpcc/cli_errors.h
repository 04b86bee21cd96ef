// File: apps/mpcc/cli_errors.h
//
// How a subcommand turns a Status into its message and exit code:
//   "mpcc <what>: <message>" on stderr, then CliExit with
//   kInvalidArgument/kNotFound/kAlreadyExists/kFailedPrecondition -> 2 (usage),
//   kPermissionDenied -> 3, kUnavailable -> 5, anything else -> 70.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "apps/mpcc/commands.h"
#include "apps/mpcc/exit_codes.h"
#include "common/status.h"

namespace mpcc::app {

inline int exit_code_for_status(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kUnauthenticated:
      return kExitUsage;
    case StatusCode::kPermissionDenied:
      return kExitReleaseDenied;
    case StatusCode::kUnavailable:
      return kExitUnavailable;
    default:
      return kExitInternal;
  }
}

[[noreturn]] inline void fail_with(std::string_view what, const Status& s) {
  std::fprintf(stderr, "mpcc %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               s.message().c_str());
  throw CliExit{exit_code_for_status(s)};
}

template <typename T>
T value_or_exit(StatusOr<T> v, std::string_view what) {
  if (!v.ok()) fail_with(what, v.status());
  return std::move(v).value();
}

inline void ok_or_exit(const Status& s, std::string_view what) {
  if (!s.ok()) fail_with(what, s);
}

}  // namespace mpcc::app
