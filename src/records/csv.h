// File: records/csv.h
//
// CSV (RFC 4180) for customer records: a streaming reader of raw rows, the
// record importer built on it, and the writer.
//  - Fields are separated by ',' and rows by CRLF or LF; the last row may or
//    may not end with a newline; a UTF-8 byte order mark at the start is
//    dropped; empty lines are skipped (Python's csv.DictReader, which the seed
//    used, skips them too).
//  - A field that starts with '"' is quoted: it may hold ',', CR, LF, and '""'
//    for one '"'; the closing quote must be followed by ',' or the end of the
//    row. A '"' inside an unquoted field, or a bare CR, is an error.
//
//   StatusOr<std::vector<Record>> rows = parse_records_csv(text);
//   std::string text = to_csv(*rows);  // parse_records_csv(text) gives *rows back
//
// Errors: kInvalidArgument "line N: ...", N the 1-based line where the row
// (or the unterminated quoted field) starts. Values never appear in messages.
//
// Thread-safety: CsvReader is a cursor (one thread); the functions are pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "records/record.h"

namespace mpcc::records {

class CsvReader {
 public:
  // `text` must outlive the reader.
  explicit CsvReader(std::string_view text);

  // Reads the next row into `fields` (cleared first). Returns false at the
  // end of the text, an error for malformed CSV.
  StatusOr<bool> next(std::vector<std::string>& fields);
  // The line on which the row last returned by next() starts (1-based).
  std::size_t row_line() const { return row_line_; }

 private:
  Status read_quoted(std::string& field);
  Status read_unquoted(std::string& field);
  bool at_row_end() const;
  void skip_row_end();

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t row_line_ = 0;
};

// A header row naming exactly the ten fields (any order, each once), then one
// row of ten fields per record; age and salary checked by validate_record().
// A header without rows gives an empty vector. Errors name the line: "line 1:
// missing column 'city'", "line 1: unknown column 'x'", "line 1: duplicate
// column 'age'", "line 7: expected 10 fields, got 9", "line 7: age is not a
// non-negative integer", "line 3: unterminated quoted field", "line 1: no
// header row" (empty text).
StatusOr<std::vector<Record>> parse_records_csv(std::string_view text);

// The seed's header (name,phone,age,salary,eye_color,favorite_color,address,
// postal_code,city,country), then one LF-terminated row per record; fields
// holding ',', '"', CR or LF are quoted.
std::string to_csv(const std::vector<Record>& records);

}  // namespace mpcc::records
