#include "records/record.h"

#include <algorithm>
#include <charconv>
#include <type_traits>

namespace mpcc::records {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxIntegerDigits = 18;  // fits int64_t

std::optional<int64_t> parse_non_negative(std::string_view text) {
  if (text.empty() || text.size() > kMaxIntegerDigits) return std::nullopt;
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  // from_chars accepts a leading '-' ("-0"): digits only.
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return value;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// nlohmann's serializer is the UTF-8 validator (it throws on invalid input);
// ASCII, the common case, skips it.
bool is_utf8(std::string_view s) {
  if (is_ascii(s)) return true;
  try {
    (void)json(std::string(s)).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

}  // namespace

std::optional<std::size_t> record_field_index(std::string_view name) {
  const auto it = std::find(kRecordFieldNames.begin(), kRecordFieldNames.end(), name);
  if (it == kRecordFieldNames.end()) return std::nullopt;
  return static_cast<std::size_t>(it - kRecordFieldNames.begin());
}

Status validate_record(const Record& r) {
  for (std::size_t i = 0; i < kRecordFieldCount; ++i) {
    if (!is_utf8(r.*kRecordFields[i])) {
      return invalid_argument(std::string(kRecordFieldNames[i]) + " is not valid UTF-8");
    }
  }
  if (!r.age.empty() && !parse_non_negative(r.age)) {
    return invalid_argument("age is not a non-negative integer");
  }
  if (!r.salary.empty() && !parse_non_negative(r.salary)) {
    return invalid_argument("salary is not a non-negative integer");
  }
  return ok_status();
}

json Record::to_json() const {
  json j = json::object();
  for (std::size_t i = 0; i < kRecordFieldCount; ++i) {
    j[std::string(kRecordFieldNames[i])] = this->*kRecordFields[i];
  }
  return j;
}

std::string Record::canonical_json() const {
  return to_json().dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

// from_json() copies the strings out of `j`; parse_json() owns its json and
// moves them (Json = json or const json).
template <typename Json>
StatusOr<Record> record_from(Json& j) {
  if (!j.is_object()) return invalid_argument("record: not a JSON object");
  if (j.size() != kRecordFieldCount) {
    for (const auto& [key, value] : j.items()) {
      if (!record_field_index(key)) return invalid_argument("record: unknown member '" + key + "'");
    }
  }
  Record r;
  for (std::size_t i = 0; i < kRecordFieldCount; ++i) {
    const auto it = j.find(kRecordFieldNames[i]);
    if (it == j.end()) {
      return invalid_argument("record: missing member '" + std::string(kRecordFieldNames[i]) + "'");
    }
    if (!it->is_string()) {
      return invalid_argument("record: member '" + std::string(kRecordFieldNames[i]) +
                              "' is not a string");
    }
    if constexpr (std::is_const_v<Json>) {
      r.*kRecordFields[i] = it->template get_ref<const std::string&>();
    } else {
      r.*kRecordFields[i] = std::move(it->template get_ref<std::string&>());
    }
  }
  MPCC_RETURN_IF_ERROR(validate_record(r).with_context("record"));
  return r;
}

}  // namespace

StatusOr<Record> Record::from_json(const json& j) { return record_from(j); }

StatusOr<Record> Record::parse_json(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument("record: not valid JSON");
  return record_from(j);
}

std::optional<int64_t> Record::age_value() const { return parse_non_negative(age); }
std::optional<int64_t> Record::salary_value() const { return parse_non_negative(salary); }

}  // namespace mpcc::records
