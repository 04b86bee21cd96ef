// File: fuzz/fuzz_csv_import.cpp
//
// Feeds the input to records::parse_records_csv (the customer-record CSV
// import) and walks it with a raw CsvReader too.
// Asserts: records that import write back (to_csv) to text that imports to
// the same records; the raw reader never loops (each row consumes input) and
// agrees with the importer on whether the text is well-formed CSV when the
// importer's error is a CSV one.
// Thread-safety: libFuzzer's single thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "records/csv.h"
#include "records/record.h"
#include "support/fuzz_support.h"

using namespace mpcc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  records::CsvReader reader(text);
  std::vector<std::string> fields;
  std::size_t rows = 0;
  bool well_formed = true;
  for (;;) {
    auto more = reader.next(fields);
    if (!more.ok()) {
      well_formed = false;
      break;
    }
    if (!*more) break;
    ++rows;
    FUZZ_CHECK(rows <= size + 1, "CsvReader returns more rows than the text has bytes");
  }
  auto imported = records::parse_records_csv(text);
  if (!imported.ok()) return 0;
  FUZZ_CHECK(well_formed, "the importer accepted CSV the reader refuses");
  std::string written = records::to_csv(*imported);
  auto again = records::parse_records_csv(written);
  FUZZ_CHECK(again.ok(), "to_csv wrote CSV that does not import");
  FUZZ_CHECK(*again == *imported, "to_csv -> parse_records_csv changed the records");
  return 0;
}
