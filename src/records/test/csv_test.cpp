#include "records/csv.h"

#include <gtest/gtest.h>

#include "records/generator.h"
#include "records/test/test_util.h"

namespace mpcc::records {
namespace {

using test::expect_status;
using test::must;

constexpr std::string_view kHeader =
    "name,phone,age,salary,eye_color,favorite_color,address,postal_code,city,country";

std::vector<std::string> rows_of(std::string_view text) {
  CsvReader reader(text);
  std::vector<std::string> fields;
  std::vector<std::string> out;
  while (must(reader.next(fields))) {
    std::string joined;
    for (const std::string& f : fields) joined += "[" + f + "]";
    out.push_back(joined);
  }
  return out;
}

TEST(CsvReader, QuotedFieldsHoldCommasQuotesAndNewlines) {
  EXPECT_EQ(rows_of("a,\"b,c\",\"say \"\"hi\"\"\"\n\"two\nlines\",,x\n"),
            (std::vector<std::string>{"[a][b,c][say \"hi\"]", "[two\nlines][][x]"}));
}

TEST(CsvReader, CrlfLfBomAndMissingTrailingNewline) {
  EXPECT_EQ(rows_of("\xEF\xBB\xBF" "a,b\r\nc,d\ne,f"),
            (std::vector<std::string>{"[a][b]", "[c][d]", "[e][f]"}));
  EXPECT_EQ(rows_of("a,b\r\n\r\n\nc,d\r\n"), (std::vector<std::string>{"[a][b]", "[c][d]"}));
  EXPECT_EQ(rows_of("a,\n"), (std::vector<std::string>{"[a][]"}));
  EXPECT_EQ(rows_of("a,"), (std::vector<std::string>{"[a][]"}));
  EXPECT_EQ(rows_of(""), std::vector<std::string>{});
}

TEST(CsvReader, RowLineIsWhereTheRowStarts) {
  CsvReader reader("h\n\"x\ny\"\nz\n");
  std::vector<std::string> fields;
  ASSERT_TRUE(must(reader.next(fields)));
  EXPECT_EQ(reader.row_line(), 1u);
  ASSERT_TRUE(must(reader.next(fields)));
  EXPECT_EQ(reader.row_line(), 2u);
  ASSERT_TRUE(must(reader.next(fields)));
  EXPECT_EQ(reader.row_line(), 4u);
  EXPECT_FALSE(must(reader.next(fields)));
}

TEST(CsvReader, MalformedQuotingIsRefusedWithItsLine) {
  std::vector<std::string> fields;
  const auto first_error = [&](std::string_view text) {
    CsvReader reader(text);
    while (true) {
      StatusOr<bool> more = reader.next(fields);
      if (!more.ok()) return more.status();
      if (!*more) return ok_status();
    }
  };
  expect_status(first_error("a,b\nc,\"open\nstill open"), StatusCode::kInvalidArgument,
                "line 2: unterminated quoted field");
  expect_status(first_error("a,b\nc,d\"e\n"), StatusCode::kInvalidArgument,
                "line 2: quote inside an unquoted field");
  expect_status(first_error("a,\"b\"c\n"), StatusCode::kInvalidArgument,
                "line 1: unexpected character after a closing quote");
  expect_status(first_error("a\rb\n"), StatusCode::kInvalidArgument,
                "line 1: bare CR (line ends must be CRLF or LF)");
}

TEST(RecordsCsv, ParsesTheSeedFiles) {
  const std::vector<Record> contoso = must(parse_records_csv(test::seed_data("contoso-data.csv")));
  ASSERT_EQ(contoso.size(), 50u);
  EXPECT_EQ(contoso[0], (Record{"Khadija Abubakar", "+234 824-424-9920", "6110 High Court", "84196",
                                "Warri", "Nigeria", "28", "188141", "Brown", "Yellow"}));
  EXPECT_EQ(must(parse_records_csv(test::seed_data("fabrikam-data.csv"))).size(), 50u);
}

TEST(RecordsCsv, HeaderColumnsInAnyOrderQuotedValuesAndCrlf) {
  const std::string text =
      "\xEF\xBB\xBF" "country,city,postal_code,address,favorite_color,eye_color,salary,age,phone,name\r\n"
      "Canada,Quebec City,G1R 4P5,\"12 Rue \"\"Principale\"\", Apt 3\",Red,Blue,50000,30,+1 555-555-5555,"
      "\"Doe, Jane\"\r\n";
  const std::vector<Record> rows = must(parse_records_csv(text));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "Doe, Jane");
  EXPECT_EQ(rows[0].address, "12 Rue \"Principale\", Apt 3");
  EXPECT_EQ(rows[0].city, "Quebec City");
  EXPECT_EQ(rows[0].country, "Canada");
  EXPECT_EQ(rows[0].age, "30");
}

TEST(RecordsCsv, HeaderOnlyGivesNoRecords) {
  EXPECT_TRUE(must(parse_records_csv(std::string(kHeader) + "\n")).empty());
}

TEST(RecordsCsv, ErrorsNameTheLine) {
  const std::string h = std::string(kHeader) + "\n";
  const std::string good = "A B,+1 1,30,100,Brown,Red,1 X St,12345,Town,Land\n";
  expect_status(parse_records_csv("").status(), StatusCode::kInvalidArgument, "line 1: no header row");
  expect_status(parse_records_csv("name,phone\n").status(), StatusCode::kInvalidArgument,
                "line 1: missing column 'address'");
  expect_status(parse_records_csv(h.substr(0, h.size() - 1) + ",ssn\n").status(),
                StatusCode::kInvalidArgument, "line 1: unknown column 'ssn'");
  expect_status(parse_records_csv("name," + h).status(), StatusCode::kInvalidArgument,
                "line 1: duplicate column 'name'");
  expect_status(parse_records_csv(h + good + "A B,+1 1,30,100,Brown,Red,1 X St,12345,Town\n").status(),
                StatusCode::kInvalidArgument, "line 3: expected 10 fields, got 9");
  expect_status(parse_records_csv(h + good + good + "A B,+1 1,thirty,100,Brown,Red,1 X St,1,T,L\n")
                    .status(),
                StatusCode::kInvalidArgument, "line 4: age is not a non-negative integer");
  expect_status(parse_records_csv(h + "A B,+1 1,30,-100,Brown,Red,1 X St,1,T,L\n").status(),
                StatusCode::kInvalidArgument, "line 2: salary is not a non-negative integer");
  expect_status(parse_records_csv(h + good + "\"A B,+1 1,30,100\n").status(),
                StatusCode::kInvalidArgument, "line 3: unterminated quoted field");
}

TEST(RecordsCsv, ToCsvRoundTrips) {
  std::vector<Record> rows = generate_records(200, 7);
  rows[3].name = "Doe, \"JJ\" Jane";
  rows[4].address = "line one\nline two";
  rows[5].city = "";
  rows[5].age = "";
  const std::string text = to_csv(rows);
  EXPECT_TRUE(text.starts_with(std::string(kHeader) + "\n"));
  EXPECT_EQ(must(parse_records_csv(text)), rows);
  // The seed's files come back byte for byte.
  const std::string seed = test::seed_data("contoso-data.csv");
  EXPECT_EQ(to_csv(must(parse_records_csv(seed))), seed);
}

}  // namespace
}  // namespace mpcc::records
