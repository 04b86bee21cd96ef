// File: bench/load/load_stats.cpp
#include "load/load_stats.h"

#include <algorithm>
#include <cstdio>

namespace mpcc::load {

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

void PhaseStats::add(Op op, const Outcome& o, double latency_ms) {
  OpStats& s = ops_.at(static_cast<std::size_t>(op));
  ++s.statuses[o.status];
  s.latency_ms.push_back(latency_ms);
  if (o.status == 0) s.last_error = o.error;
  if (o.status >= 500) s.last_error = "HTTP " + std::to_string(o.status);
}

void PhaseStats::merge(const PhaseStats& other) {
  for (std::size_t i = 0; i < kOpCount; ++i) {
    for (const auto& [status, n] : other.ops_[i].statuses) ops_[i].statuses[status] += n;
    ops_[i].latency_ms.insert(ops_[i].latency_ms.end(), other.ops_[i].latency_ms.begin(),
                              other.ops_[i].latency_ms.end());
    if (!other.ops_[i].last_error.empty()) ops_[i].last_error = other.ops_[i].last_error;
  }
}

namespace {

template <typename Pred>
std::uint64_t count_if_status(const std::array<OpStats, kOpCount>& ops, Pred pred) {
  std::uint64_t n = 0;
  for (const auto& s : ops) {
    for (const auto& [status, count] : s.statuses) {
      if (pred(status)) n += count;
    }
  }
  return n;
}

}  // namespace

std::uint64_t PhaseStats::total() const {
  return count_if_status(ops_, [](int) { return true; });
}
std::uint64_t PhaseStats::server_errors() const {
  return count_if_status(ops_, [](int s) { return s >= 500; });
}
std::uint64_t PhaseStats::transport_errors() const {
  return count_if_status(ops_, [](int s) { return s == 0; });
}
std::uint64_t PhaseStats::unexpected() const {
  return count_if_status(ops_, [](int s) { return s != 200; });
}

std::vector<double> PhaseStats::all_latencies() const {
  std::vector<double> all;
  for (const auto& s : ops_) all.insert(all.end(), s.latency_ms.begin(), s.latency_ms.end());
  std::sort(all.begin(), all.end());
  return all;
}

void PhaseStats::print(const std::string& title, double seconds) const {
  std::printf("\n%s: %llu calls in %.1f s = %.1f calls/s\n", title.c_str(),
              static_cast<unsigned long long>(total()), seconds, static_cast<double>(total()) / seconds);
  std::printf("%-34s %5s %8s %9s %9s %9s  %s\n", "call", "mix", "count", "p50 ms", "p99 ms", "max ms",
              "statuses");
  auto row = [](const char* name, const char* mix, std::uint64_t count, std::vector<double> lat,
                const std::string& statuses) {
    std::sort(lat.begin(), lat.end());
    std::printf("%-34s %5s %8llu %9.2f %9.2f %9.2f  %s\n", name, mix, static_cast<unsigned long long>(count),
                quantile(lat, 0.5), quantile(lat, 0.99), lat.empty() ? 0.0 : lat.back(), statuses.c_str());
  };
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const OpStats& s = ops_[i];
    std::string statuses;
    std::uint64_t count = 0;
    for (const auto& [status, n] : s.statuses) {
      statuses += (statuses.empty() ? "" : " ") + (status == 0 ? std::string("no-answer") : std::to_string(status)) +
                  "x" + std::to_string(n);
      count += n;
    }
    char mix[16];
    std::snprintf(mix, sizeof mix, "%.1f%%", op_weight(static_cast<Op>(i)) / 10.0);
    row(op_name(static_cast<Op>(i)), mix, count, s.latency_ms, statuses);
    if (!s.last_error.empty()) std::printf("%34s last error: %s\n", "", s.last_error.c_str());
  }
  row("all", "100%", total(), all_latencies(),
      "5xx=" + std::to_string(server_errors()) + " no-answer=" + std::to_string(transport_errors()));
}

}  // namespace mpcc::load
