// File: common/clock.h
//
// The one seam for time (cf. leveldb Env): verifiers and token issuers take a
// Clock so tests and `--at` can pin "now". Times are seconds since the Unix
// epoch (UTC), the unit of JWT claims and X.509 validity comparisons.
//
// Thread-safety: implementations are immutable after construction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mpcc {

using UnixSeconds = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixSeconds now() const override;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(UnixSeconds t) : t_(t) {}
  UnixSeconds now() const override { return t_; }

 private:
  UnixSeconds t_;
};

// Shared process-wide system clock.
std::shared_ptr<const Clock> system_clock();

// Parses RFC 3339 ("2025-01-31T12:00:00Z", "...+02:00", fractional seconds
// ignored) or a plain date "2025-01-31" (midnight UTC).
StatusOr<UnixSeconds> parse_rfc3339(std::string_view text);
// Formats as "YYYY-MM-DDTHH:MM:SSZ".
std::string format_rfc3339(UnixSeconds t);

}  // namespace mpcc
