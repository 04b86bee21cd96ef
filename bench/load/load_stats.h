// File: bench/load/load_stats.h
//
// What the load driver counts per call kind: answers by HTTP status,
// transport errors, and latencies; merged across workers and printed as a
// table.
//
//   PhaseStats s;                        // one per worker thread
//   s.add(Op::kHealth, outcome, 1.7);    // latency in ms
//   total.merge(s);                      // after the threads joined
//   total.print("soak", seconds);
//
// Thread-safety: none; one PhaseStats per thread, merged afterwards.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "load/load_mix.h"

namespace mpcc::load {

struct OpStats {
  std::map<int, std::uint64_t> statuses;  // HTTP status -> count (0 = transport error)
  std::vector<double> latency_ms;
  std::string last_error;                 // a transport error's or 5xx's description
};

class PhaseStats {
 public:
  void add(Op op, const Outcome& o, double latency_ms);
  void merge(const PhaseStats& other);

  std::uint64_t total() const;
  std::uint64_t server_errors() const;     // 5xx answers
  std::uint64_t transport_errors() const;  // no answer
  std::uint64_t unexpected() const;        // any answer other than 200 (5xx included)
  // All calls' latencies, sorted.
  std::vector<double> all_latencies() const;
  // Table: per kind, count, statuses, p50/p99/max ms; then the total.
  void print(const std::string& title, double seconds) const;

 private:
  std::array<OpStats, kOpCount> ops_;
};

// q in [0, 1] of sorted values; 0 when empty.
double quantile(const std::vector<double>& sorted, double q);

}  // namespace mpcc::load
