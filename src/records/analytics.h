// File: records/analytics.h
//
// Woodgrove's partner analysis over decrypted records, exactly as the seed
// computes it (spec/seed-app.md §8.3, the `complete` event; §8.4, the
// `combined_analytics` of /analytics/partner-demographics), plus small-group
// suppression. Records are add()ed one by one as they are decrypted (Contoso's
// then Fabrikam's, in stored order); nothing but counters is kept, so memory
// does not grow with the number of records.
//
//   PartnerAnalysis analysis(AnalysisOptions{2026, 5});
//   for (const OpenedRecord& r : contoso) analysis.add("Contoso", r.record);
//   for (const OpenedRecord& r : fabrikam) analysis.add("Fabrikam", r.record);
//   nlohmann::json complete = analysis.result();
//
// Rules (both shapes): "rank" = descending count, ties in first-seen order;
// empty fields are not counted; country counts need a country, city counts a
// country and a city.
//  result() (§8.3): {contoso_count, fabrikam_count, total_count,
//    top_10_countries:[{country,count,top_cities:[{city,count}] (top 3)}],
//    generations:[{generation,count}] (birth year = reference_year - age, for
//      ages > 0; fixed order Gen Alpha..Silent Generation, zeros left out),
//    avg_salaries:{Contoso,Fabrikam,Combined} (mean of salaries > 0, rounded
//      half to even like Python's round; 0 when none),
//    eye_colors:{most_common,least_common:{color,count} (("N/A",0) when
//      none), all:[{color,count}]}, top_3_favorite_colors:[{color,count}],
//    company_staff:{Contoso,Fabrikam,Total}, suppressed:{...}, min_group_size}.
//  demographics() (§8.4, Appendix A.2): see analytics README section; with
//    no records only {note}.
// Sources: "Contoso" and "Fabrikam" always appear (0 when absent); any other
// source name is counted as well and appears under its own keys
// ("<lowercase>_count", avg_salaries["<name>"], ...); totals include it.
//
// Small-group suppression (min_group_size = k): a group (country, city within
// a country, generation or age band, salary range, eye colour, favourite
// colour) with 0 < count < k is left out of every list and map; an average
// over 0 < n < k salaries is null; with k > 1 a company's salary min and max
// (each one person's exact salary) are null too. `suppressed` gives, per
// category, how many groups fell below k (over all groups, shown or not).
// k = 1 reproduces the seed's figures exactly.
//
// Thread-safety: not for concurrent add(); const methods may run concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "records/internal/ordered_counter.h"
#include "records/record.h"

namespace mpcc::records {

struct AnalysisOptions {
  int reference_year = 2026;  // the seed hard-codes 2026
  int min_group_size = 1;     // 1: no suppression (the seed)
};

class PartnerAnalysis {
 public:
  explicit PartnerAnalysis(AnalysisOptions options = {});

  // `source` is the partner's display name, "Contoso" or "Fabrikam" (others
  // are counted generically).
  void add(std::string_view source, const Record& record);

  int64_t total_count() const { return total_; }
  nlohmann::json result() const;
  nlohmann::json demographics() const;

 private:
  __extension__ typedef __int128 Sum;  // exact sums of up to 18-digit salaries

  struct SourceStats {
    int64_t records = 0;
    Sum positive_salary_sum = 0;  // §8.3: salaries > 0
    int64_t positive_salary_count = 0;
    Sum salary_sum = 0;  // §8.4: every salary present
    int64_t salary_count = 0;
    int64_t salary_min = 0;
    int64_t salary_max = 0;
  };
  struct TopCountry {
    internal::CountEntry country;
    std::vector<internal::CountEntry> cities;  // top 3, small groups left out
  };

  static constexpr std::size_t kGenerations = 6;
  static constexpr std::size_t kAgeBands = 6;
  static constexpr std::size_t kSalaryRanges = 5;
  static constexpr std::size_t kTopCountries = 10;
  static constexpr std::size_t kTopCities = 3;

  int64_t k() const { return options_.min_group_size; }
  // "Contoso" -> "contoso": the prefix of per-source output keys.
  static std::string source_key(std::string_view source);
  // Contoso, Fabrikam (empty stats when absent), then other sources seen.
  std::vector<std::pair<std::string, SourceStats>> sources_for_output() const;
  std::vector<TopCountry> top_countries() const;
  std::size_t small_cities() const;
  // Averages: 0 with no salaries (the seed), null below min_group_size.
  nlohmann::json rounded_mean(Sum sum, int64_t count, std::size_t& suppressed) const;

  AnalysisOptions options_;
  int64_t total_ = 0;
  internal::OrderedCounter sources_;
  std::vector<SourceStats> source_stats_;  // by sources_ index
  std::array<int64_t, kGenerations> generations_{};
  std::array<int64_t, kAgeBands> age_bands_{};
  std::array<int64_t, kSalaryRanges> salary_ranges_{};
  internal::OrderedCounter countries_;
  std::vector<internal::OrderedCounter> cities_;  // by countries_ index
  internal::OrderedCounter eye_colors_;
  internal::OrderedCounter favorite_colors_;
};

}  // namespace mpcc::records
