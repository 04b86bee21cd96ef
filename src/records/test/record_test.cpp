#include "records/record.h"

#include <gtest/gtest.h>

#include "records/test/test_util.h"
#include "records/timestamp.h"

namespace mpcc::records {
namespace {

using nlohmann::json;
using test::expect_status;
using test::must;

Record sample() {
  return Record{"Elsa Ivanov", "+44 116-805-4161", "2079 Oxford Drive", "TO77 5TJ", "Glasgow",
                "United Kingdom", "62", "107338", "Hazel", "Pink"};
}

TEST(Record, JsonHasExactlyTheTenFieldsAndRoundTrips) {
  const json j = sample().to_json();
  EXPECT_EQ(j.size(), 10u);
  for (std::string_view name : kRecordFieldNames) EXPECT_TRUE(j.contains(name)) << name;
  EXPECT_EQ(j["salary"], "107338");
  EXPECT_EQ(must(Record::from_json(j)), sample());
  EXPECT_EQ(must(Record::parse_json(j.dump())), sample());
}

TEST(Record, CanonicalJsonIsSortedAndStable) {
  const std::string text = sample().canonical_json();
  EXPECT_TRUE(text.starts_with("{\"address\":\"2079 Oxford Drive\",\"age\":\"62\""));
  EXPECT_EQ(text, sample().canonical_json());
}

TEST(Record, FromJsonRefusesUnknownMissingAndNonStringMembers) {
  json extra = sample().to_json();
  extra["ssn"] = "x";
  expect_status(Record::from_json(extra).status(), StatusCode::kInvalidArgument,
                "record: unknown member 'ssn'");
  json missing = sample().to_json();
  missing.erase("city");
  expect_status(Record::from_json(missing).status(), StatusCode::kInvalidArgument,
                "record: missing member 'city'");
  json number = sample().to_json();
  number["age"] = 62;
  expect_status(Record::from_json(number).status(), StatusCode::kInvalidArgument,
                "record: member 'age' is not a string");
  expect_status(Record::from_json(json::array()).status(), StatusCode::kInvalidArgument,
                "record: not a JSON object");
  expect_status(Record::parse_json("{").status(), StatusCode::kInvalidArgument,
                "record: not valid JSON");
}

TEST(Record, AgeAndSalaryMustBeNonNegativeIntegersOrEmpty) {
  for (const char* bad : {"-1", "62.5", "abc", " 62", "1e3", "+5", "1234567890123456789"}) {
    json j = sample().to_json();
    j["age"] = bad;
    expect_status(Record::from_json(j).status(), StatusCode::kInvalidArgument,
                  "record: age is not a non-negative integer");
    j = sample().to_json();
    j["salary"] = bad;
    expect_status(Record::from_json(j).status(), StatusCode::kInvalidArgument,
                  "record: salary is not a non-negative integer");
  }
  Record r = sample();
  r.age = "";
  r.salary = "0";
  EXPECT_TRUE(validate_record(r).ok());
  EXPECT_EQ(r.age_value(), std::nullopt);
  EXPECT_EQ(r.salary_value(), 0);
  EXPECT_EQ(sample().age_value(), 62);
  EXPECT_EQ(sample().salary_value(), 107338);
}

TEST(Record, RefusesFieldsThatAreNotUtf8) {
  Record r = sample();
  r.city = "Malm\xF6";  // Latin-1, not UTF-8
  expect_status(validate_record(r), StatusCode::kInvalidArgument, "city is not valid UTF-8");
  r.city = "Malm\xC3\xB6";  // UTF-8
  EXPECT_TRUE(validate_record(r).ok());
}

TEST(Record, FieldIndexFollowsTheSeedOrder) {
  EXPECT_EQ(record_field_index("name"), 0u);
  EXPECT_EQ(record_field_index("favorite_color"), 9u);
  EXPECT_EQ(record_field_index("Name"), std::nullopt);
}

TEST(Timestamp, SeedFormatWithMicroseconds) {
  using namespace std::chrono;
  const sys_time<microseconds> t =
      sys_days{year{2026} / 11 / 27} + hours{19} + minutes{20} + seconds{13} + microseconds{123456};
  EXPECT_EQ(utc_timestamp_micros(t), "2026-11-27T19:20:13.123456Z");
  EXPECT_EQ(utc_timestamp_micros(sys_days{year{1970} / 1 / 1}), "1970-01-01T00:00:00.000000Z");
  // Sub-microsecond parts are cut, not rounded.
  EXPECT_EQ(utc_timestamp_micros(system_clock::time_point(nanoseconds{1999})),
            "1970-01-01T00:00:00.000001Z");
}

}  // namespace
}  // namespace mpcc::records
