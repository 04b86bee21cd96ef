// The seed's `complete` event (spec/seed-app.md §8.3) and the shared
// counting; demographics.cpp renders §8.4 from the same counters.
#include "records/analytics.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace mpcc::records {

using internal::CountEntry;
using nlohmann::json;

namespace {

constexpr std::array<const char*, 6> kGenerationNames = {
    "Gen Alpha", "Gen Z", "Millennials", "Gen X", "Baby Boomers", "Silent Generation"};
// Lowest birth year of each generation but the last (§8.3).
constexpr std::array<int64_t, 5> kGenerationFirstYear = {2013, 1997, 1981, 1965, 1946};

std::size_t generation_index(int64_t birth_year) {
  for (std::size_t i = 0; i < kGenerationFirstYear.size(); ++i) {
    if (birth_year >= kGenerationFirstYear[i]) return i;
  }
  return kGenerationFirstYear.size();
}

// §8.4 age bands: 2-13, 14-29, 30-45, 46-61, 62-80, 81+; below 2 not counted.
std::optional<std::size_t> age_band_index(int64_t age) {
  constexpr std::array<int64_t, 5> kBandLast = {13, 29, 45, 61, 80};
  if (age < 2) return std::nullopt;
  for (std::size_t i = 0; i < kBandLast.size(); ++i) {
    if (age <= kBandLast[i]) return i;
  }
  return kBandLast.size();
}

// §8.4 salary ranges, half-open with the lower bound included.
std::size_t salary_range_index(int64_t salary) {
  constexpr std::array<int64_t, 4> kUpper = {50000, 100000, 150000, 200000};
  for (std::size_t i = 0; i < kUpper.size(); ++i) {
    if (salary < kUpper[i]) return i;
  }
  return kUpper.size();
}

json entries_json(const std::vector<CountEntry>& entries, const char* name_key) {
  json out = json::array();
  for (const CountEntry& e : entries) out.push_back({{name_key, e.key}, {"count", e.count}});
  return out;
}

}  // namespace

std::string PartnerAnalysis::source_key(std::string_view source) {
  std::string out(source);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

PartnerAnalysis::PartnerAnalysis(AnalysisOptions options) : options_(options) {
  options_.min_group_size = std::max(options_.min_group_size, 1);
}

void PartnerAnalysis::add(std::string_view source, const Record& record) {
  ++total_;
  const std::size_t s = sources_.add(source);
  if (s == source_stats_.size()) source_stats_.emplace_back();
  SourceStats& stats = source_stats_[s];
  ++stats.records;

  if (const std::optional<int64_t> age = record.age_value()) {
    if (*age > 0) ++generations_[generation_index(options_.reference_year - *age)];
    if (const std::optional<std::size_t> band = age_band_index(*age)) ++age_bands_[*band];
  }
  if (const std::optional<int64_t> salary = record.salary_value()) {
    ++salary_ranges_[salary_range_index(*salary)];
    if (*salary > 0) {
      stats.positive_salary_sum += *salary;
      ++stats.positive_salary_count;
    }
    stats.salary_min = stats.salary_count == 0 ? *salary : std::min(stats.salary_min, *salary);
    stats.salary_max = stats.salary_count == 0 ? *salary : std::max(stats.salary_max, *salary);
    stats.salary_sum += *salary;
    ++stats.salary_count;
  }
  if (!record.country.empty()) {
    const std::size_t c = countries_.add(record.country);
    if (c == cities_.size()) cities_.emplace_back();
    if (!record.city.empty()) cities_[c].add(record.city);
  }
  if (!record.eye_color.empty()) eye_colors_.add(record.eye_color);
  if (!record.favorite_color.empty()) favorite_colors_.add(record.favorite_color);
}

std::vector<std::pair<std::string, PartnerAnalysis::SourceStats>>
PartnerAnalysis::sources_for_output() const {
  std::vector<std::pair<std::string, SourceStats>> out = {{"Contoso", {}}, {"Fabrikam", {}}};
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    const std::string& name = sources_.entries()[i].key;
    const auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == name; });
    if (it != out.end()) {
      it->second = source_stats_[i];
    } else {
      out.emplace_back(name, source_stats_[i]);
    }
  }
  return out;
}

std::vector<PartnerAnalysis::TopCountry> PartnerAnalysis::top_countries() const {
  std::vector<TopCountry> out;
  for (const CountEntry& country : internal::top_groups(countries_.ranked(), k(), kTopCountries)) {
    const std::size_t index = *countries_.index_of(country.key);
    out.push_back({country, internal::top_groups(cities_[index].ranked(), k(), kTopCities)});
  }
  return out;
}

std::size_t PartnerAnalysis::small_cities() const {
  std::size_t n = 0;
  for (const internal::OrderedCounter& cities : cities_) n += cities.count_below(k());
  return n;
}

json PartnerAnalysis::rounded_mean(Sum sum, int64_t count, std::size_t& suppressed) const {
  if (count == 0) return 0;
  if (count < k()) {
    ++suppressed;
    return nullptr;
  }
  // Python's round(): half to even, on the exact quotient.
  Sum quotient = sum / count;
  const Sum twice_remainder = 2 * (sum % count);
  if (twice_remainder > count || (twice_remainder == count && quotient % 2 != 0)) ++quotient;
  return static_cast<int64_t>(quotient);
}

json PartnerAnalysis::result() const {
  json out = json::object();
  json avg = json::object();
  json staff = json::object();
  std::size_t suppressed_averages = 0;
  Sum all_sum = 0;
  int64_t all_count = 0;
  for (const auto& [name, stats] : sources_for_output()) {
    out[source_key(name) + "_count"] = stats.records;
    staff[name] = stats.records;
    avg[name] = rounded_mean(stats.positive_salary_sum, stats.positive_salary_count,
                             suppressed_averages);
    all_sum += stats.positive_salary_sum;
    all_count += stats.positive_salary_count;
  }
  avg["Combined"] = rounded_mean(all_sum, all_count, suppressed_averages);
  staff["Total"] = total_;
  out["total_count"] = total_;
  out["avg_salaries"] = avg;
  out["company_staff"] = staff;

  json countries = json::array();
  for (const TopCountry& c : top_countries()) {
    countries.push_back({{"country", c.country.key},
                         {"count", c.country.count},
                         {"top_cities", entries_json(c.cities, "city")}});
  }
  out["top_10_countries"] = countries;

  json generations = json::array();
  std::size_t suppressed_generations = 0;
  for (std::size_t i = 0; i < kGenerations; ++i) {
    if (generations_[i] == 0) continue;
    if (generations_[i] < k()) {
      ++suppressed_generations;
      continue;
    }
    generations.push_back({{"generation", kGenerationNames[i]}, {"count", generations_[i]}});
  }
  out["generations"] = generations;

  const std::vector<CountEntry> eyes = internal::top_groups(eye_colors_.ranked(), k(), SIZE_MAX);
  const CountEntry none{"N/A", 0};
  const CountEntry& most = eyes.empty() ? none : eyes.front();
  const CountEntry& least = eyes.empty() ? none : eyes.back();
  out["eye_colors"] = {{"most_common", {{"color", most.key}, {"count", most.count}}},
                       {"least_common", {{"color", least.key}, {"count", least.count}}},
                       {"all", entries_json(eyes, "color")}};
  out["top_3_favorite_colors"] =
      entries_json(internal::top_groups(favorite_colors_.ranked(), k(), 3), "color");

  out["min_group_size"] = k();
  out["suppressed"] = {{"countries", countries_.count_below(k())},
                       {"cities", small_cities()},
                       {"generations", suppressed_generations},
                       {"eye_colors", eye_colors_.count_below(k())},
                       {"favorite_colors", favorite_colors_.count_below(k())},
                       {"avg_salaries", suppressed_averages}};
  return out;
}

}  // namespace mpcc::records
