#include "skr/step_timings.h"

#include <fmt/format.h>

#include <charconv>
#include <regex>

namespace mpcc::skr {

StepTimings::Scope::~Scope() {
  const auto elapsed = std::chrono::steady_clock::now() - start_;
  owner_.add(name_, std::chrono::duration<double, std::milli>(elapsed).count());
}

void StepTimings::add(std::string name, double milliseconds) {
  steps_.emplace_back(std::move(name), milliseconds);
}

std::string StepTimings::header() const {
  std::string out;
  double total = 0;
  for (const auto& [name, ms] : steps_) {
    out += fmt::format("{}{};dur={:.3f}", out.empty() ? "" : ", ", name, ms);
    total += ms;
  }
  if (!steps_.empty()) out += fmt::format(", total;dur={:.3f}", total);
  return out;
}

nlohmann::json parse_server_timing(std::string_view header) {
  static const std::regex kEntry(R"(\s*([a-z_]+);dur=([0-9]+(\.[0-9]+)?)\s*)");
  nlohmann::json out = nlohmann::json::object();
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t comma = header.find(',', start);
    if (comma == std::string_view::npos) comma = header.size();
    const std::string entry(header.substr(start, comma - start));
    std::smatch m;
    if (std::regex_match(entry, m, kEntry)) out[m[1].str()] = std::stod(m[2].str());
    start = comma + 1;
  }
  return out;
}

}  // namespace mpcc::skr
