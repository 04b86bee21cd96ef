// File: skr/step_timings.h
//
// How long each step of a key release took (report, token, identity, vault,
// unwrap), sent to the caller as a standard Server-Timing header (W3C Server
// Timing: `report;dur=1.2, token;dur=35.0, ...`, milliseconds), on a refusal
// too (the steps that ran). The party app shows them per release.
//
//   StepTimings t;
//   { auto s = t.step("report"); ... }          // recorded when s goes out of scope
//   response.with_header("Server-Timing", t.header());
//   nlohmann::json ms = parse_server_timing(reply_header);  // {"report": 1.2, ...}
//
// Thread-safety: a StepTimings belongs to one request.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mpcc::skr {

class StepTimings {
 public:
  class Scope {
   public:
    Scope(StepTimings& owner, std::string name)
        : owner_(owner), name_(std::move(name)), start_(std::chrono::steady_clock::now()) {}
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    StepTimings& owner_;
    std::string name_;
    std::chrono::steady_clock::time_point start_;
  };

  Scope step(std::string name) { return Scope(*this, std::move(name)); }
  void add(std::string name, double milliseconds);
  bool empty() const { return steps_.empty(); }
  // "report;dur=1.234, token;dur=..." in the order the steps ran, plus "total".
  std::string header() const;

 private:
  std::vector<std::pair<std::string, double>> steps_;
};

// {"report": 1.234, ...} of a Server-Timing header; entries that are not
// `name;dur=<number>` with a name of [a-z_] are skipped.
nlohmann::json parse_server_timing(std::string_view header);

}  // namespace mpcc::skr
