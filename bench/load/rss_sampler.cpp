// File: bench/load/rss_sampler.cpp
#include "load/rss_sampler.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace mpcc::load {

namespace {

long vm_rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace

RssSampler::RssSampler(const std::string& state_dir) {
  for (const auto& entry : std::filesystem::directory_iterator(state_dir + "/run")) {
    if (entry.path().extension() != ".pid") continue;
    std::ifstream in(entry.path());
    int pid = 0;
    if (in >> pid && pid > 0) pids_.emplace_back(entry.path().stem().string(), pid);
  }
  std::sort(pids_.begin(), pids_.end());
}

void RssSampler::sample(double seconds) {
  Sample s{seconds, {}};
  for (const auto& [name, pid] : pids_) s.kb.push_back(vm_rss_kb(pid));
  samples_.push_back(std::move(s));
}

void RssSampler::print_last() const {
  if (samples_.empty()) return;
  const Sample& s = samples_.back();
  long total = 0;
  for (long kb : s.kb) total += kb;
  std::fprintf(stderr, "load: t=%4.0f s  RSS of %zu processes: %.1f MB\n", s.seconds, pids_.size(),
               static_cast<double>(total) / 1024.0);
}

bool RssSampler::print_and_check(double warmup_seconds, double max_growth) const {
  if (samples_.empty()) return false;
  auto start = std::find_if(samples_.begin(), samples_.end(),
                            [&](const Sample& s) { return s.seconds >= warmup_seconds; });
  if (start == samples_.end()) start = samples_.end() - 1;
  const Sample& end = samples_.back();
  std::printf("\nresident memory (VmRSS), from the sample at %.0f s (after a %.0f s warm-up) to the last at %.0f s"
              " (%zu samples):\n",
              start->seconds, warmup_seconds, end.seconds, samples_.size());
  std::printf("%-22s %8s %10s %10s %10s %8s\n", "process", "pid", "start MB", "end MB", "max MB", "growth");
  bool ok = true;
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    long max_kb = 0;
    for (const auto& s : samples_) max_kb = std::max(max_kb, s.kb[i]);
    const long a = start->kb[i], b = end.kb[i];
    const double growth = a > 0 ? static_cast<double>(b - a) / static_cast<double>(a) : 1.0;
    const bool pass = a > 0 && b > 0 && growth < max_growth;
    ok = ok && pass;
    auto mb = [](long kb) { return static_cast<double>(kb) / 1024.0; };
    std::printf("%-22s %8d %10.1f %10.1f %10.1f %7.1f%%%s\n", pids_[i].first.c_str(), pids_[i].second, mb(a), mb(b),
                mb(max_kb), growth * 100.0, pass ? "" : "  FAIL");
  }
  return ok;
}

}  // namespace mpcc::load
