#include "common/clock.h"

#include <gtest/gtest.h>

namespace mpcc {
namespace {

TEST(Rfc3339, ParsesUtcAndOffsets) {
  EXPECT_EQ(*parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_rfc3339("2022-09-24T00:00:00Z"), 1663977600);
  EXPECT_EQ(*parse_rfc3339("2022-09-24T02:00:00+02:00"), 1663977600);
  EXPECT_EQ(*parse_rfc3339("2022-09-23T22:00:00.123-02:00"), 1663977600);
  EXPECT_EQ(*parse_rfc3339("2022-09-24"), 1663977600);
}

TEST(Rfc3339, RejectsGarbageAndMissingZone) {
  EXPECT_FALSE(parse_rfc3339("yesterday").ok());
  EXPECT_FALSE(parse_rfc3339("2022-13-01T00:00:00Z").ok());
  EXPECT_FALSE(parse_rfc3339("2022-09-24T00:00:00").ok());
}

TEST(Rfc3339, FormatsRoundTrip) {
  EXPECT_EQ(format_rfc3339(1663977600), "2022-09-24T00:00:00Z");
  EXPECT_EQ(*parse_rfc3339(format_rfc3339(1765826648)), 1765826648);
}

TEST(Clock, FixedAndSystem) {
  FixedClock c(42);
  EXPECT_EQ(c.now(), 42);
  EXPECT_GT(system_clock()->now(), 1700000000);
}

}  // namespace
}  // namespace mpcc
