#include "records/generator.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

namespace mpcc::records {
namespace {

TEST(Generator, DeterministicForASeed) {
  const std::vector<Record> a = generate_records(500, 20260206);
  EXPECT_EQ(a.size(), 500u);
  EXPECT_EQ(a, generate_records(500, 20260206));
  EXPECT_NE(a, generate_records(500, 20260207));
  // A prefix of a longer run is the shorter run.
  const std::vector<Record> longer = generate_records(600, 20260206);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), longer.begin()));
  EXPECT_TRUE(generate_records(0, 1).empty());
}

TEST(Generator, FieldsHaveTheSeedShapes) {
  const std::regex name(R"([A-Z][a-z]+ [A-Z][a-z]+(-[A-Z][a-z]+)?)");
  const std::regex phone(R"(\+[0-9]{1,3} [0-9]{3}-[0-9]{3}-[0-9]{4})");
  const std::regex address(R"([0-9]{1,4} [A-Z][a-z]+ [A-Z][a-z]+)");
  const std::regex postal(R"([0-9]{5}|[0-9]{4}|[0-9]{3}-[0-9]{4}|[A-Z]{2}[0-9] [0-9][A-Z]{2})");
  const std::set<std::string> eyes = {"Brown", "Blue", "Green", "Hazel", "Gray", "Amber"};
  std::map<std::string, int> eye_counts;
  std::set<std::string> countries, favorites;
  for (const Record& r : generate_records(5000, 11)) {
    ASSERT_TRUE(validate_record(r).ok());
    EXPECT_TRUE(std::regex_match(r.name, name)) << r.name;
    EXPECT_TRUE(std::regex_match(r.phone, phone)) << r.phone;
    EXPECT_TRUE(std::regex_match(r.address, address)) << r.address;
    EXPECT_TRUE(std::regex_match(r.postal_code, postal)) << r.postal_code;
    EXPECT_FALSE(r.city.empty());
    const int64_t age = *r.age_value();
    EXPECT_TRUE(age >= 18 && age <= 65) << age;
    const int64_t salary = *r.salary_value();
    EXPECT_TRUE(salary >= 18000 && salary <= 450000) << salary;
    EXPECT_TRUE(eyes.count(r.eye_color)) << r.eye_color;
    ++eye_counts[r.eye_color];
    countries.insert(r.country);
    favorites.insert(r.favorite_color);
    if (r.country == "Japan") {
      EXPECT_TRUE(r.phone.starts_with("+81 ")) << r.phone;
    }
    if (r.country == "Australia") {
      EXPECT_EQ(r.postal_code.size(), 4u);
    }
  }
  EXPECT_EQ(countries.size(), 20u);
  EXPECT_EQ(favorites.size(), 15u);
  // Brown is weighted 55 %, Amber 2 %.
  EXPECT_GT(eye_counts["Brown"], 2500);
  EXPECT_LT(eye_counts["Amber"], 250);
}

}  // namespace
}  // namespace mpcc::records
