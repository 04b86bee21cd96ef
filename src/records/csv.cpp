#include "records/csv.h"

#include <array>

namespace mpcc::records {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The column order of the seed's CSV files (spec/seed-app.md §13).
constexpr std::array<std::string_view, kRecordFieldCount> kSeedCsvColumns = {
    "name", "phone", "age", "salary", "eye_color", "favorite_color",
    "address", "postal_code", "city", "country"};

Status line_error(std::size_t line, const std::string& what) {
  return invalid_argument("line " + std::to_string(line) + ": " + what);
}

void append_csv_field(std::string& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Column index in the CSV of each record field, from the header row.
StatusOr<std::array<std::size_t, kRecordFieldCount>> map_header(
    const std::vector<std::string>& header, std::size_t line) {
  constexpr std::size_t kUnset = static_cast<std::size_t>(-1);
  std::array<std::size_t, kRecordFieldCount> column_of{};
  column_of.fill(kUnset);
  for (std::size_t col = 0; col < header.size(); ++col) {
    const std::optional<std::size_t> field = record_field_index(header[col]);
    if (!field) return line_error(line, "unknown column '" + header[col] + "'");
    if (column_of[*field] != kUnset) {
      return line_error(line, "duplicate column '" + header[col] + "'");
    }
    column_of[*field] = col;
  }
  for (std::size_t f = 0; f < kRecordFieldCount; ++f) {
    if (column_of[f] == kUnset) {
      return line_error(line, "missing column '" + std::string(kRecordFieldNames[f]) + "'");
    }
  }
  return column_of;
}

}  // namespace

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.starts_with(kUtf8Bom)) pos_ = kUtf8Bom.size();
}

bool CsvReader::at_row_end() const {
  return pos_ < text_.size() &&
         (text_[pos_] == '\n' ||
          (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n'));
}

void CsvReader::skip_row_end() {
  if (text_[pos_] == '\r') ++pos_;
  ++pos_;
  ++line_;
}

Status CsvReader::read_unquoted(std::string& field) {
  const std::size_t start = pos_;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == ',' || c == '\n') break;
    if (c == '\r') {
      if (at_row_end()) break;
      return line_error(line_, "bare CR (line ends must be CRLF or LF)");
    }
    if (c == '"') return line_error(line_, "quote inside an unquoted field");
    ++pos_;
  }
  field.assign(text_.substr(start, pos_ - start));
  return ok_status();
}

Status CsvReader::read_quoted(std::string& field) {
  const std::size_t start_line = line_;
  ++pos_;  // opening quote
  while (true) {
    if (pos_ >= text_.size()) return line_error(start_line, "unterminated quoted field");
    const char c = text_[pos_];
    if (c == '"') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        field += '"';
        pos_ += 2;
        continue;
      }
      ++pos_;
      break;
    }
    if (c == '\n') ++line_;
    field += c;
    ++pos_;
  }
  if (pos_ < text_.size() && text_[pos_] != ',' && !at_row_end()) {
    return line_error(line_, "unexpected character after a closing quote");
  }
  return ok_status();
}

StatusOr<bool> CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  while (at_row_end()) skip_row_end();  // empty lines
  if (pos_ >= text_.size()) return false;
  row_line_ = line_;
  while (true) {
    std::string field;
    if (text_[pos_] == '"') {
      MPCC_RETURN_IF_ERROR(read_quoted(field));
    } else {
      MPCC_RETURN_IF_ERROR(read_unquoted(field));
    }
    fields.push_back(std::move(field));
    if (pos_ >= text_.size()) return true;
    if (text_[pos_] == ',') {
      ++pos_;
      if (pos_ >= text_.size()) {  // "a,b," at the very end: a last, empty field
        fields.emplace_back();
        return true;
      }
      continue;
    }
    skip_row_end();
    return true;
  }
}

StatusOr<std::vector<Record>> parse_records_csv(std::string_view text) {
  CsvReader reader(text);
  std::vector<std::string> fields;
  MPCC_ASSIGN_OR_RETURN(bool has_header, reader.next(fields));
  if (!has_header) return line_error(1, "no header row");
  MPCC_ASSIGN_OR_RETURN(auto column_of, map_header(fields, reader.row_line()));

  std::vector<Record> records;
  while (true) {
    MPCC_ASSIGN_OR_RETURN(bool has_row, reader.next(fields));
    if (!has_row) break;
    const std::size_t line = reader.row_line();
    if (fields.size() != kRecordFieldCount) {
      return line_error(line, "expected " + std::to_string(kRecordFieldCount) + " fields, got " +
                                  std::to_string(fields.size()));
    }
    Record r;
    for (std::size_t f = 0; f < kRecordFieldCount; ++f) {
      r.*kRecordFields[f] = std::move(fields[column_of[f]]);
    }
    MPCC_RETURN_IF_ERROR(validate_record(r).with_context("line " + std::to_string(line)));
    records.push_back(std::move(r));
  }
  return records;
}

std::string to_csv(const std::vector<Record>& records) {
  std::string out;
  out.reserve(80 + records.size() * 120);
  for (std::size_t c = 0; c < kSeedCsvColumns.size(); ++c) {
    if (c > 0) out += ',';
    out += kSeedCsvColumns[c];
  }
  out += '\n';
  std::array<std::size_t, kRecordFieldCount> field_of_column{};
  for (std::size_t c = 0; c < kSeedCsvColumns.size(); ++c) {
    field_of_column[c] = *record_field_index(kSeedCsvColumns[c]);
  }
  for (const Record& r : records) {
    for (std::size_t c = 0; c < kRecordFieldCount; ++c) {
      if (c > 0) out += ',';
      append_csv_field(out, r.*kRecordFields[field_of_column[c]]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace mpcc::records
