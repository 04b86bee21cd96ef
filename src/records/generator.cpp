#include "records/generator.h"

#include <array>
#include <fmt/format.h>
#include <random>
#include <string_view>

namespace mpcc::records {

namespace {

enum class PostalFormat { kFiveDigits, kFourDigits, kJapan, kUk };

struct Country {
  std::string_view name;
  std::string_view phone_code;
  PostalFormat postal;
  std::array<std::string_view, 4> cities;
};

constexpr std::array<Country, 20> kCountries = {{
    {"United States", "1", PostalFormat::kFiveDigits, {"New York", "Los Angeles", "Denver", "Seattle"}},
    {"Canada", "1", PostalFormat::kFiveDigits, {"Toronto", "Quebec City", "Calgary", "Edmonton"}},
    {"United Kingdom", "44", PostalFormat::kUk, {"London", "Manchester", "Glasgow", "Sheffield"}},
    {"Australia", "61", PostalFormat::kFourDigits, {"Sydney", "Melbourne", "Perth", "Newcastle"}},
    {"Germany", "49", PostalFormat::kFiveDigits, {"Berlin", "Munich", "Hamburg", "Stuttgart"}},
    {"France", "33", PostalFormat::kFiveDigits, {"Paris", "Marseille", "Lyon", "Lille"}},
    {"Italy", "39", PostalFormat::kFiveDigits, {"Rome", "Milan", "Naples", "Florence"}},
    {"Spain", "34", PostalFormat::kFiveDigits, {"Madrid", "Barcelona", "Seville", "Zaragoza"}},
    {"Brazil", "55", PostalFormat::kFiveDigits, {"Sao Paulo", "Rio de Janeiro", "Belo Horizonte", "Manaus"}},
    {"Mexico", "52", PostalFormat::kFiveDigits, {"Mexico City", "Guadalajara", "Puebla", "Monterrey"}},
    {"India", "91", PostalFormat::kFiveDigits, {"Delhi", "Mumbai", "Jaipur", "Bangalore"}},
    {"China", "86", PostalFormat::kFiveDigits, {"Beijing", "Shanghai", "Guangzhou", "Hangzhou"}},
    {"Japan", "81", PostalFormat::kJapan, {"Tokyo", "Osaka", "Kyoto", "Yokohama"}},
    {"South Korea", "82", PostalFormat::kFiveDigits, {"Seoul", "Busan", "Suwon", "Daejeon"}},
    {"Nigeria", "234", PostalFormat::kFiveDigits, {"Lagos", "Abuja", "Ibadan", "Warri"}},
    {"South Africa", "27", PostalFormat::kFiveDigits, {"Johannesburg", "Cape Town", "Durban", "Pretoria"}},
    {"UAE", "971", PostalFormat::kFiveDigits, {"Dubai", "Abu Dhabi", "Sharjah", "Ajman"}},
    {"Singapore", "65", PostalFormat::kFiveDigits, {"Woodlands", "Clementi", "Tampines", "Jurong"}},
    {"Sweden", "46", PostalFormat::kFiveDigits, {"Stockholm", "Gothenburg", "Malmo", "Uppsala"}},
    {"Netherlands", "31", PostalFormat::kFiveDigits, {"Amsterdam", "Rotterdam", "Utrecht", "Breda"}},
}};

constexpr std::array<std::string_view, 16> kFirstNames = {
    "Amara", "Bruno", "Chen", "Daniela", "Elsa", "Farah", "Giulia", "Hiro",
    "Ines", "Jonas", "Khadija", "Liam", "Min", "Noah", "Olga", "Priya"};
constexpr std::array<std::string_view, 16> kLastNames = {
    "Abubakar", "Bianchi", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Haddad",
    "Ivanov", "Johansson", "Kim", "Lopez-Rivera", "Mbeki", "Nakamura", "Okafor", "Smith-Jones"};
constexpr std::array<std::string_view, 10> kStreetNames = {
    "Oak", "Maple", "Cedar", "King", "Queen", "High", "Oxford", "Park", "Lake", "Hill"};
constexpr std::array<std::string_view, 6> kStreetTypes = {
    "Street", "Avenue", "Boulevard", "Drive", "Court", "Lane"};
constexpr std::array<std::string_view, 6> kEyeColors = {"Brown", "Blue", "Green", "Hazel", "Gray", "Amber"};
constexpr std::array<unsigned, 6> kEyeColorWeights = {55, 20, 10, 8, 5, 2};
constexpr std::array<std::string_view, 15> kFavoriteColors = {
    "Red", "Blue", "Green", "Yellow", "Orange", "Purple", "Pink", "Black",
    "White", "Gray", "Silver", "Gold", "Navy", "Teal", "Burgundy"};

class Draw {
 public:
  explicit Draw(std::uint64_t seed) : rng_(seed) {}
  // Uniform in [0, n) (modulo bias is irrelevant at these sizes).
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + rng_() % (hi - lo + 1); }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& items) { return items[below(N)]; }
  template <std::size_t N>
  std::size_t weighted(const std::array<unsigned, N>& weights) {
    unsigned total = 0;
    for (unsigned w : weights) total += w;
    std::size_t r = below(total);
    for (std::size_t i = 0; i < N; ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return N - 1;
  }
  char letter() { return static_cast<char>('A' + below(26)); }

 private:
  std::mt19937_64 rng_;
};

// Every draw is its own statement: the order in which function arguments
// are evaluated is unspecified, and the sequence must not depend on it.
std::string postal_code(Draw& d, PostalFormat format) {
  switch (format) {
    case PostalFormat::kFourDigits:
      return fmt::format("{:04}", d.below(10000));
    case PostalFormat::kJapan: {
      const std::size_t head = d.below(1000);
      return fmt::format("{:03}-{:04}", head, d.below(10000));
    }
    case PostalFormat::kUk: {
      std::string code;
      code += d.letter();
      code += d.letter();
      code += static_cast<char>('0' + d.below(10));
      code += ' ';
      code += static_cast<char>('0' + d.below(10));
      code += d.letter();
      code += d.letter();
      return code;
    }
    case PostalFormat::kFiveDigits:
      break;
  }
  return fmt::format("{:05}", d.below(100000));
}

// Country weights 20, 19, ..., 1: a stable ranking for the analytics.
std::array<unsigned, kCountries.size()> country_weights() {
  std::array<unsigned, kCountries.size()> w{};
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<unsigned>(w.size() - i);
  return w;
}

}  // namespace

std::vector<Record> generate_records(std::size_t n, std::uint64_t seed) {
  Draw d(seed);
  const auto weights = country_weights();
  std::vector<Record> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Country& country = kCountries[d.weighted(weights)];
    Record r;
    const std::string_view first = d.pick(kFirstNames);
    r.name = fmt::format("{} {}", first, d.pick(kLastNames));
    const std::uint64_t area = d.between(200, 999);
    const std::size_t exchange = d.below(1000);
    r.phone = fmt::format("+{} {:03}-{:03}-{:04}", country.phone_code, area, exchange, d.below(10000));
    const std::uint64_t number = d.between(1, 9999);
    const std::string_view street = d.pick(kStreetNames);
    r.address = fmt::format("{} {} {}", number, street, d.pick(kStreetTypes));
    r.postal_code = postal_code(d, country.postal);
    r.city = std::string(d.pick(country.cities));
    r.country = std::string(country.name);
    r.age = std::to_string(d.between(18, 65));
    r.salary = std::to_string(d.between(18000, 450000));
    r.eye_color = std::string(kEyeColors[d.weighted(kEyeColorWeights)]);
    r.favorite_color = std::string(d.pick(kFavoriteColors));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mpcc::records
