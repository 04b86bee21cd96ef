// File: records/timestamp.h
//
// The seed's record timestamp (spec/seed-app.md §4): UTC ISO-8601 with
// microseconds and a trailing Z, "2026-11-27T19:20:13.123456Z" (Python's
// datetime.utcnow().isoformat() + 'Z').
//
//   std::string ts = utc_timestamp_micros(std::chrono::system_clock::now());
//
// Thread-safety: pure function.
#pragma once

#include <chrono>
#include <string>

namespace mpcc::records {

std::string utc_timestamp_micros(std::chrono::system_clock::time_point t);

}  // namespace mpcc::records
