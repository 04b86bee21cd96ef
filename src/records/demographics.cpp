// PartnerAnalysis::demographics(): the seed's /analytics/partner-demographics
// `combined_analytics` (spec/seed-app.md §8.4, Appendix A.2) from the counters
// that analytics.cpp maintains.
#include <algorithm>
#include <array>

#include "records/analytics.h"

namespace mpcc::records {

using internal::CountEntry;
using nlohmann::json;

namespace {

constexpr std::array<const char*, 6> kAgeBandNames = {
    "Gen Alpha (2-13)", "Gen Z (14-29)",        "Millennials (30-45)",
    "Gen X (46-61)",    "Baby Boomers (62-80)", "Silent Generation (81+)"};
constexpr std::array<const char*, 5> kSalaryRangeNames = {
    "Under $50K", "$50K-$100K", "$100K-$150K", "$150K-$200K", "Over $200K"};
constexpr std::size_t kTopEyeColors = 6;
constexpr std::size_t kTopFavoriteColors = 10;

constexpr const char* kAnalysisNote =
    "Computed inside Woodgrove Bank's TEE from records decrypted with keys obtained by Secure Key "
    "Release after attestation. Only aggregates leave the TEE; groups smaller than "
    "min_group_size are suppressed.";
constexpr const char* kNoRecordsNote = "No records could be decrypted.";

// The seed's map plus the same entries as an ordered list ("<key>_list"):
// JSON objects do not keep order, and the seed's jsonify sorted them.
void put_ranked(json& out, const std::string& key, const std::vector<CountEntry>& entries) {
  json map = json::object();
  json list = json::array();
  for (const CountEntry& e : entries) {
    map[e.key] = e.count;
    list.push_back({{"name", e.key}, {"count", e.count}});
  }
  out[key] = map;
  out[key + "_list"] = list;
}

// Fixed-order bands: zeros stay (the seed shows them), small groups go.
template <std::size_t N>
std::size_t put_bands(json& out, const std::string& key, const std::array<const char*, N>& names,
                      const std::array<int64_t, N>& counts, int64_t min_count) {
  std::vector<CountEntry> shown;
  std::size_t suppressed = 0;
  for (std::size_t i = 0; i < N; ++i) {
    if (counts[i] > 0 && counts[i] < min_count) {
      ++suppressed;
      continue;
    }
    shown.push_back({names[i], counts[i]});
  }
  put_ranked(out, key, shown);
  return suppressed;
}

}  // namespace

json PartnerAnalysis::demographics() const {
  if (total_ == 0) return {{"note", kNoRecordsNote}};
  json out = json::object();
  out["total_records"] = total_;
  const auto sources = sources_for_output();
  for (const auto& [name, stats] : sources) out[source_key(name) + "_records"] = stats.records;
  json fields = json::array();
  for (std::string_view f : kRecordFieldNames) fields.push_back(f);
  out["decrypted_fields"] = fields;

  json suppressed = json::object();
  suppressed["age_bands"] = put_bands(out, "generations", kAgeBandNames, age_bands_, k());
  suppressed["salary_ranges"] =
      put_bands(out, "salary_ranges", kSalaryRangeNames, salary_ranges_, k());

  // The real top 10 countries (the seed took the first 10 seen: its bug 18).
  std::vector<CountEntry> countries;
  json cities_by_country = json::object();
  json cities_list = json::array();
  for (const TopCountry& c : top_countries()) {
    countries.push_back(c.country);
    json names = json::array();
    for (const CountEntry& city : c.cities) names.push_back(city.key);
    cities_by_country[c.country.key] = names;
    cities_list.push_back({{"name", c.country.key}, {"cities", names}});
  }
  put_ranked(out, "top_countries", countries);
  out["top_cities_by_country"] = cities_by_country;
  out["top_cities_by_country_list"] = cities_list;
  put_ranked(out, "top_eye_colors", internal::top_groups(eye_colors_.ranked(), k(), kTopEyeColors));
  put_ranked(out, "top_favorite_colors",
             internal::top_groups(favorite_colors_.ranked(), k(), kTopFavoriteColors));

  // count, avg (truncated, as the seed's int()), min, max of every salary present.
  json comparison = json::object();
  std::size_t suppressed_salaries = 0;
  for (const auto& [name, stats] : sources) {
    json entry = {{"count", stats.salary_count}, {"avg", 0}, {"min", 0}, {"max", 0}};
    if (stats.salary_count > 0 && stats.salary_count < k()) {
      ++suppressed_salaries;
      entry["avg"] = nullptr;
    } else if (stats.salary_count > 0) {
      entry["avg"] = static_cast<int64_t>(stats.salary_sum / stats.salary_count);
    }
    if (stats.salary_count > 0) {
      entry["min"] = k() > 1 ? json(nullptr) : json(stats.salary_min);
      entry["max"] = k() > 1 ? json(nullptr) : json(stats.salary_max);
    }
    comparison[source_key(name)] = entry;
  }
  out["salary_comparison"] = comparison;

  suppressed["countries"] = countries_.count_below(k());
  suppressed["cities"] = small_cities();
  suppressed["eye_colors"] = eye_colors_.count_below(k());
  suppressed["favorite_colors"] = favorite_colors_.count_below(k());
  suppressed["salary_comparison"] = suppressed_salaries;
  out["suppressed"] = suppressed;
  out["min_group_size"] = k();
  out["analysis_note"] = kAnalysisNote;
  return out;
}

}  // namespace mpcc::records
