// Appendix A of spec/seed-app.md: the seed's figures for its own data files,
// computed from records that were sealed and opened again.
#include "records/analytics.h"

#include <gtest/gtest.h>

#include "records/csv.h"
#include "records/record_codec.h"
#include "records/record_id.h"
#include "records/test/test_util.h"

namespace mpcc::records {
namespace {

using nlohmann::json;
using test::must;

// Seals every row of a seed CSV under a fresh data key of `owner`, opens each
// sealed record again and feeds it to the analysis.
void add_through_envelope(PartnerAnalysis& analysis, const std::string& owner,
                          const std::string& source, const std::string& csv_name) {
  const RecordCodec codec(must(DataKey::generate(owner, "v1")));
  for (const Record& r : must(parse_records_csv(test::seed_data(csv_name)))) {
    const std::string rid = record_id_for(codec.data_key(), r);
    const std::string jwe = must(codec.seal(rid, r, "2026-11-27T19:20:13.123456Z"));
    const OpenedRecord opened = must(codec.open(jwe, owner, rid));
    ASSERT_EQ(opened.record, r);
    analysis.add(source, opened.record);
  }
}

PartnerAnalysis seed_analysis(int min_group_size) {
  PartnerAnalysis analysis(AnalysisOptions{2026, min_group_size});
  add_through_envelope(analysis, "contoso", "Contoso", "contoso-data.csv");
  add_through_envelope(analysis, "fabrikam", "Fabrikam", "fabrikam-data.csv");
  return analysis;
}

json named(const char* key, std::string name, int64_t count) {
  return {{key, std::move(name)}, {"count", count}};
}

json country(std::string name, int64_t count, std::vector<std::pair<std::string, int64_t>> cities) {
  json top = json::array();
  for (auto& [city, n] : cities) top.push_back(named("city", city, n));
  return {{"country", std::move(name)}, {"count", count}, {"top_cities", top}};
}

TEST(PartnerAnalysis, AppendixA1CompleteEvent) {
  const json r = seed_analysis(1).result();
  EXPECT_EQ(r["contoso_count"], 50);
  EXPECT_EQ(r["fabrikam_count"], 50);
  EXPECT_EQ(r["total_count"], 100);
  EXPECT_EQ(r["company_staff"], json({{"Contoso", 50}, {"Fabrikam", 50}, {"Total", 100}}));
  EXPECT_EQ(r["generations"],
            json::array({named("generation", "Gen Z", 21), named("generation", "Millennials", 26),
                         named("generation", "Gen X", 35),
                         named("generation", "Baby Boomers", 18)}));
  // 96024.5 rounds half to even: 96024; 101733.28 -> 101733.
  EXPECT_EQ(r["avg_salaries"], json({{"Contoso", 96024}, {"Fabrikam", 101733}, {"Combined", 98879}}));
  EXPECT_EQ(r["eye_colors"]["all"],
            json::array({named("color", "Brown", 59), named("color", "Blue", 18),
                         named("color", "Green", 9), named("color", "Gray", 7),
                         named("color", "Hazel", 4), named("color", "Amber", 3)}));
  EXPECT_EQ(r["eye_colors"]["most_common"], named("color", "Brown", 59));
  EXPECT_EQ(r["eye_colors"]["least_common"], named("color", "Amber", 3));
  EXPECT_EQ(r["top_3_favorite_colors"],
            json::array({named("color", "Gold", 10), named("color", "Pink", 9),
                         named("color", "Black", 9)}));
  EXPECT_EQ(r["top_10_countries"],
            json::array({
                country("Canada", 12, {{"Quebec City", 4}, {"Calgary", 3}, {"Edmonton", 2}}),
                country("Italy", 8, {{"Rome", 3}, {"Florence", 2}, {"Naples", 1}}),
                country("Australia", 8, {{"Melbourne", 2}, {"Newcastle", 2}, {"Perth", 1}}),
                country("Brazil", 7, {{"Sao Paulo", 3}, {"Belo Horizonte", 2}, {"Manaus", 1}}),
                country("Nigeria", 6, {{"Abuja", 2}, {"Warri", 1}, {"Ibadan", 1}}),
                country("UAE", 6, {{"Ajman", 2}, {"Abu Dhabi", 1}, {"Umm Al Quwain", 1}}),
                country("China", 5, {{"Xian", 2}, {"Guangzhou", 1}, {"Hangzhou", 1}}),
                country("United States", 5, {{"New York", 1}, {"Denver", 1}, {"Los Angeles", 1}}),
                country("South Africa", 5, {{"Johannesburg", 2}, {"Pretoria", 1}, {"Kimberley", 1}}),
                country("United Kingdom", 4, {{"Sheffield", 3}, {"Glasgow", 1}}),
            }));
  EXPECT_EQ(r["min_group_size"], 1);
  EXPECT_EQ(r["suppressed"], json({{"countries", 0}, {"cities", 0}, {"generations", 0},
                                   {"eye_colors", 0}, {"favorite_colors", 0},
                                   {"avg_salaries", 0}}));
}

TEST(PartnerAnalysis, AppendixA2Demographics) {
  const json d = seed_analysis(1).demographics();
  EXPECT_EQ(d["total_records"], 100);
  EXPECT_EQ(d["contoso_records"], 50);
  EXPECT_EQ(d["fabrikam_records"], 50);
  EXPECT_EQ(d["decrypted_fields"].size(), 10u);
  EXPECT_EQ(d["generations"], json({{"Gen Alpha (2-13)", 0}, {"Gen Z (14-29)", 21},
                                    {"Millennials (30-45)", 26}, {"Gen X (46-61)", 35},
                                    {"Baby Boomers (62-80)", 18}, {"Silent Generation (81+)", 0}}));
  EXPECT_EQ(d["generations_list"][0], json({{"name", "Gen Alpha (2-13)"}, {"count", 0}}));
  EXPECT_EQ(d["generations_list"][5], json({{"name", "Silent Generation (81+)"}, {"count", 0}}));
  EXPECT_EQ(d["salary_ranges"], json({{"Under $50K", 15}, {"$50K-$100K", 44}, {"$100K-$150K", 28},
                                      {"$150K-$200K", 11}, {"Over $200K", 2}}));
  EXPECT_EQ(d["salary_ranges_list"][4], json({{"name", "Over $200K"}, {"count", 2}}));
  EXPECT_EQ(d["salary_comparison"],
            json({{"contoso", {{"count", 50}, {"avg", 96024}, {"min", 31625}, {"max", 191872}}},
                  {"fabrikam", {{"count", 50}, {"avg", 101733}, {"min", 32256}, {"max", 274764}}}}));
  const std::vector<std::pair<std::string, int>> favorites = {
      {"Gold", 10}, {"Pink", 9}, {"Black", 9}, {"Yellow", 8}, {"Red", 8},
      {"Orange", 8}, {"Silver", 7}, {"Blue", 7}, {"Navy", 7}, {"White", 6}};
  ASSERT_EQ(d["top_favorite_colors_list"].size(), favorites.size());
  for (std::size_t i = 0; i < favorites.size(); ++i) {
    EXPECT_EQ(d["top_favorite_colors_list"][i],
              json({{"name", favorites[i].first}, {"count", favorites[i].second}}));
    EXPECT_EQ(d["top_favorite_colors"][favorites[i].first], favorites[i].second);
  }
  EXPECT_EQ(d["top_eye_colors"], json({{"Brown", 59}, {"Blue", 18}, {"Green", 9}, {"Gray", 7},
                                       {"Hazel", 4}, {"Amber", 3}}));
  EXPECT_EQ(d["top_countries"].size(), 10u);
  EXPECT_EQ(d["top_countries_list"][0], json({{"name", "Canada"}, {"count", 12}}));
  EXPECT_EQ(d["top_countries_list"][9], json({{"name", "United Kingdom"}, {"count", 4}}));
  // Keyed by the real top 10 (the seed's bug 18 keyed the first 10 seen,
  // Nigeria ... United States, with France, Sweden, Spain, Mexico among them).
  EXPECT_EQ(d["top_cities_by_country"]["Canada"],
            json::array({"Quebec City", "Calgary", "Edmonton"}));
  EXPECT_EQ(d["top_cities_by_country"].size(), 10u);
  EXPECT_FALSE(d["top_cities_by_country"].contains("France"));
  EXPECT_TRUE(d["top_cities_by_country"].contains("Brazil"));
  EXPECT_EQ(d["top_cities_by_country_list"][9],
            json({{"name", "United Kingdom"}, {"cities", {"Sheffield", "Glasgow"}}}));
  EXPECT_TRUE(d.contains("analysis_note"));
}

TEST(PartnerAnalysis, SuppressesGroupsSmallerThanMinGroupSize) {
  const PartnerAnalysis analysis = seed_analysis(5);
  const json r = analysis.result();
  // 11 of the 20 countries have fewer than 5 people; every city has fewer than 5.
  std::vector<std::string> shown;
  for (const json& c : r["top_10_countries"]) {
    shown.push_back(c["country"]);
    EXPECT_GE(c["count"].get<int>(), 5);
    EXPECT_TRUE(c["top_cities"].empty()) << c.dump();
  }
  EXPECT_EQ(shown, (std::vector<std::string>{"Canada", "Italy", "Australia", "Brazil", "Nigeria",
                                             "UAE", "China", "United States", "South Africa"}));
  EXPECT_EQ(r["eye_colors"]["all"],
            json::array({named("color", "Brown", 59), named("color", "Blue", 18),
                         named("color", "Green", 9), named("color", "Gray", 7)}));
  EXPECT_EQ(r["eye_colors"]["least_common"], named("color", "Gray", 7));
  EXPECT_EQ(r["generations"].size(), 4u);
  EXPECT_EQ(r["avg_salaries"]["Contoso"], 96024);
  EXPECT_EQ(r["min_group_size"], 5);
  EXPECT_EQ(r["suppressed"], json({{"countries", 11}, {"cities", 76}, {"generations", 0},
                                   {"eye_colors", 2}, {"favorite_colors", 3},
                                   {"avg_salaries", 0}}));

  const json d = analysis.demographics();
  EXPECT_EQ(d["top_countries"].size(), 9u);
  EXPECT_FALSE(d["top_countries"].contains("United Kingdom"));
  EXPECT_EQ(d["top_cities_by_country"]["Canada"], json::array());
  EXPECT_EQ(d["top_eye_colors"], json({{"Brown", 59}, {"Blue", 18}, {"Green", 9}, {"Gray", 7}}));
  EXPECT_FALSE(d["salary_ranges"].contains("Over $200K"));
  EXPECT_EQ(d["generations"]["Gen Alpha (2-13)"], 0);  // zero is not a small group
  EXPECT_EQ(d["salary_comparison"]["contoso"],
            json({{"count", 50}, {"avg", 96024}, {"min", nullptr}, {"max", nullptr}}));
  EXPECT_EQ(d["suppressed"], json({{"age_bands", 0}, {"salary_ranges", 1}, {"countries", 11},
                                   {"cities", 76}, {"eye_colors", 2}, {"favorite_colors", 3},
                                   {"salary_comparison", 0}}));
}

TEST(PartnerAnalysis, AveragesOverTooFewSalariesAreNull) {
  PartnerAnalysis analysis(AnalysisOptions{2026, 3});
  Record r;
  r.salary = "100";
  analysis.add("Contoso", r);
  analysis.add("Contoso", r);
  const json result = analysis.result();
  EXPECT_EQ(result["avg_salaries"]["Contoso"], nullptr);
  EXPECT_EQ(result["avg_salaries"]["Fabrikam"], 0);  // none at all: the seed's 0
  EXPECT_EQ(result["avg_salaries"]["Combined"], nullptr);
  EXPECT_EQ(result["suppressed"]["avg_salaries"], 2);
  EXPECT_EQ(analysis.demographics()["salary_comparison"]["contoso"]["avg"], nullptr);
}

TEST(PartnerAnalysis, RoundsHalfToEvenAndIgnoresZeroAndEmptySalaries) {
  PartnerAnalysis analysis;
  const auto add = [&](const char* source, const char* salary) {
    Record r;
    r.salary = salary;
    analysis.add(source, r);
  };
  add("Contoso", "1");
  add("Contoso", "2");  // 1.5 -> 2
  add("Fabrikam", "2");
  add("Fabrikam", "3");  // 2.5 -> 2
  add("Fabrikam", "0");  // not truthy: left out of §8.3 averages
  add("Fabrikam", "");
  const json r = analysis.result();
  EXPECT_EQ(r["avg_salaries"], json({{"Contoso", 2}, {"Fabrikam", 2}, {"Combined", 2}}));
  const json d = analysis.demographics();
  // §8.4 counts every salary present, 0 included; the average is truncated.
  EXPECT_EQ(d["salary_comparison"]["fabrikam"],
            json({{"count", 3}, {"avg", 1}, {"min", 0}, {"max", 3}}));
  EXPECT_EQ(d["salary_ranges"]["Under $50K"], 5);
}

TEST(PartnerAnalysis, GenerationsUseTheReferenceYearAndSkipAgeZero) {
  const auto generations_for = [](int year, const char* age) {
    PartnerAnalysis analysis(AnalysisOptions{year, 1});
    Record r;
    r.age = age;
    analysis.add("Contoso", r);
    return analysis.result()["generations"];
  };
  EXPECT_EQ(generations_for(2026, "13"), json::array({named("generation", "Gen Alpha", 1)}));
  EXPECT_EQ(generations_for(2026, "14"), json::array({named("generation", "Gen Z", 1)}));
  EXPECT_EQ(generations_for(2026, "29"), json::array({named("generation", "Gen Z", 1)}));
  EXPECT_EQ(generations_for(2026, "30"), json::array({named("generation", "Millennials", 1)}));
  EXPECT_EQ(generations_for(2026, "80"), json::array({named("generation", "Baby Boomers", 1)}));
  EXPECT_EQ(generations_for(2026, "81"), json::array({named("generation", "Silent Generation", 1)}));
  EXPECT_EQ(generations_for(2036, "30"), json::array({named("generation", "Gen Z", 1)}));
  EXPECT_EQ(generations_for(2026, "0"), json::array());
  EXPECT_EQ(generations_for(2026, ""), json::array());
}

TEST(PartnerAnalysis, EmptyInput) {
  const PartnerAnalysis analysis;
  const json r = analysis.result();
  EXPECT_EQ(r["total_count"], 0);
  EXPECT_EQ(r["contoso_count"], 0);
  EXPECT_EQ(r["eye_colors"]["most_common"], named("color", "N/A", 0));
  EXPECT_EQ(r["eye_colors"]["least_common"], named("color", "N/A", 0));
  EXPECT_EQ(r["avg_salaries"], json({{"Contoso", 0}, {"Fabrikam", 0}, {"Combined", 0}}));
  EXPECT_EQ(r["top_10_countries"], json::array());
  EXPECT_EQ(analysis.demographics(), json({{"note", "No records could be decrypted."}}));
}

TEST(PartnerAnalysis, OtherSourcesAreCountedUnderTheirOwnKeys) {
  PartnerAnalysis analysis;
  Record r;
  r.salary = "1000";
  r.country = "Canada";
  analysis.add("Northwind", r);
  analysis.add("Contoso", r);
  const json result = analysis.result();
  EXPECT_EQ(result["northwind_count"], 1);
  EXPECT_EQ(result["contoso_count"], 1);
  EXPECT_EQ(result["fabrikam_count"], 0);
  EXPECT_EQ(result["total_count"], 2);
  EXPECT_EQ(result["avg_salaries"]["Northwind"], 1000);
  EXPECT_EQ(result["company_staff"]["Total"], 2);
  EXPECT_EQ(analysis.demographics()["northwind_records"], 1);
  EXPECT_EQ(analysis.demographics()["salary_comparison"]["northwind"]["count"], 1);
  // A country without a city counts for the country only.
  EXPECT_EQ(result["top_10_countries"][0]["count"], 2);
  EXPECT_EQ(result["top_10_countries"][0]["top_cities"], json::array());
}

}  // namespace
}  // namespace mpcc::records
