#include "common/clock.h"

#include <chrono>
#include <ctime>
#include <regex>

#include <fmt/format.h>

namespace mpcc {

UnixSeconds SystemClock::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<const Clock> system_clock() {
  static const auto clock = std::make_shared<const SystemClock>();
  return clock;
}

StatusOr<UnixSeconds> parse_rfc3339(std::string_view text) {
  static const std::regex kPattern(
      R"(^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|z|[+-]\d{2}:\d{2})?)?$)");
  std::cmatch m;
  if (!std::regex_match(text.data(), text.data() + text.size(), m, kPattern)) {
    return invalid_argument(fmt::format("time: '{}' is not RFC 3339 (e.g. 2025-01-31T12:00:00Z)", text));
  }
  std::tm tm{};
  tm.tm_year = std::stoi(m[1].str()) - 1900;
  tm.tm_mon = std::stoi(m[2].str()) - 1;
  tm.tm_mday = std::stoi(m[3].str());
  if (m[4].matched) {
    tm.tm_hour = std::stoi(m[4].str());
    tm.tm_min = std::stoi(m[5].str());
    tm.tm_sec = std::stoi(m[6].str());
  }
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return invalid_argument(fmt::format("time: '{}' has a field out of range", text));
  }
  if (m[4].matched && !m[7].matched) {
    return invalid_argument(fmt::format("time: '{}' lacks a zone (add Z or +HH:MM)", text));
  }
  UnixSeconds t = timegm(&tm);
  if (m[7].matched) {
    std::string zone = m[7].str();
    if (zone != "Z" && zone != "z") {
      int sign = zone[0] == '-' ? -1 : 1;
      int offset = std::stoi(zone.substr(1, 2)) * 3600 + std::stoi(zone.substr(4, 2)) * 60;
      t -= sign * offset;
    }
  }
  return t;
}

std::string format_rfc3339(UnixSeconds t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace mpcc
