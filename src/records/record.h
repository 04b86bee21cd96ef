// File: records/record.h
//
// One customer record: the ten fields of the seed's CSV files (spec/seed-app.md
// §13), in the seed's record order (§4): name, phone, address, postal_code,
// city, country, age, salary, eye_color, favorite_color. Every field is text,
// as the seed encrypts it; age and salary are decimal text, either empty (the
// seed's null) or a non-negative integer.
//
//   Record r = must(Record::from_json(json::parse(text)));
//   std::optional<int64_t> age = r.age_value();
//   std::string canonical = r.to_json().dump();  // members sorted by name
//
// Errors (kInvalidArgument, messages start "record:"): a JSON value that is not
// an object, a missing or unknown member, a member that is not a string, an
// age or salary that is not a non-negative integer, a field that is not UTF-8.
//
// Thread-safety: a plain value.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mpcc::records {

struct Record {
  std::string name;
  std::string phone;
  std::string address;
  std::string postal_code;
  std::string city;
  std::string country;
  std::string age;     // decimal text or empty
  std::string salary;  // decimal text (USD) or empty
  std::string eye_color;
  std::string favorite_color;

  // A JSON object with exactly the ten members, all strings. nlohmann::json
  // keeps members sorted, so dump() is canonical (the record id hashes it).
  nlohmann::json to_json() const;
  static StatusOr<Record> from_json(const nlohmann::json& j);
  // to_json().dump(); bytes that are not UTF-8 become U+FFFD instead of
  // throwing (validate_record() refuses such records before they are sealed).
  std::string canonical_json() const;
  // Parses JSON text, then from_json().
  static StatusOr<Record> parse_json(std::string_view text);

  // The integer value; nullopt when the field is empty or not a valid
  // non-negative integer.
  std::optional<int64_t> age_value() const;
  std::optional<int64_t> salary_value() const;

  friend bool operator==(const Record&, const Record&) = default;
};

inline constexpr std::size_t kRecordFieldCount = 10;

// Field names and members, in the seed's record order.
inline constexpr std::array<std::string_view, kRecordFieldCount> kRecordFieldNames = {
    "name", "phone",  "address",   "postal_code",   "city",
    "country", "age", "salary", "eye_color", "favorite_color"};
inline constexpr std::array<std::string Record::*, kRecordFieldCount> kRecordFields = {
    &Record::name, &Record::phone,  &Record::address,   &Record::postal_code,
    &Record::city, &Record::country, &Record::age,      &Record::salary,
    &Record::eye_color, &Record::favorite_color};

// Index of a field name in kRecordFieldNames, or nullopt.
std::optional<std::size_t> record_field_index(std::string_view name);

// Checks what from_json() and the CSV reader check: age and salary empty or a
// non-negative integer (at most 18 digits), every field UTF-8.
// kInvalidArgument "<field> is not a non-negative integer" / "<field> is not
// valid UTF-8" (no prefix: callers add theirs; values are never quoted, they
// are personal data).
Status validate_record(const Record& r);

}  // namespace mpcc::records
