// File: bench/load/rss_sampler.h
//
// Resident memory of a deployment's processes: VmRSS from /proc/<pid>/status
// of every pid in DIR/run/*.pid (one per mpcc process `mpcc up` started).
//
//   RssSampler rss("/tmp/dir");           // reads the pid files
//   rss.sample(12.5);                      // seconds into the soak
//   rss.print_and_check(60.0, 0.10);       // growth from the first sample at or after
//                                          // 60 s to the last; false when any > 10 %
//
// A process that is gone when sampled gets 0 kB (and fails the check).
// Thread-safety: none; one sampler thread.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace mpcc::load {

class RssSampler {
 public:
  explicit RssSampler(const std::string& state_dir);
  void sample(double seconds);
  // One line: t and each process's RSS in MB.
  void print_last() const;
  bool print_and_check(double warmup_seconds, double max_growth) const;
  std::size_t processes() const { return pids_.size(); }

 private:
  struct Sample {
    double seconds;
    std::vector<long> kb;  // per process, in pids_ order
  };
  std::vector<std::pair<std::string, int>> pids_;  // name (file stem) -> pid
  std::vector<Sample> samples_;
};

}  // namespace mpcc::load
