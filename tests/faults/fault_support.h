// File: tests/faults/fault_support.h
//
// Support for the crash-fault suites (kill -9 during writes): trial settings
// from the environment, a child process whose stdout is read line by line,
// a local deployment (`mpcc up --detach`) whose components the test can
// SIGKILL and start again with their recorded command line, and the summary
// line each suite prints.
//
//   FaultSettings s = FaultSettings::from_env("keyvault");  // MPCC_FAULT_TRIALS, _SEED
//   std::mt19937_64 rng(s.seed);
//   Deployment d("keyvault");                        // up --detach in a temp dir
//   ASSERT_TRUE(d.up().ok());
//   pid_t pid = d.pid_of("vault-contoso");
//   ... ::kill(pid, SIGKILL) ...; d.restart("vault-contoso") -> its URL line
//
// Errors: Status with what failed (the component's log tail for a restart).
// Thread-safety: none; one suite drives one Deployment from its test thread
// (the writer threads only use http::Client and their own state).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "http/client.h"

namespace mpcc::faults {

// Trials and seed of a suite: MPCC_FAULT_TRIALS (default 50), MPCC_FAULT_SEED
// (default a fixed number), printed by the suite so a failure can be replayed.
struct FaultSettings {
  int trials = 50;
  std::uint64_t seed = 20261128;
  // Prints them, for `suite`.
  static FaultSettings from_env(const std::string& suite);
};

// A random delay in [0, max_ms] milliseconds (uniform).
std::chrono::microseconds random_delay(std::mt19937_64& rng, int max_ms);

// What a suite reports at its end (one line on stdout, also for the docs).
struct FaultTally {
  std::string suite;
  int trials = 0;
  int kills_mid_write = 0;  // a write was in flight (sent, no answer) at the kill
  long acked_checked = 0;   // acknowledged writes checked after the restarts
  int applied_unacked = 0;  // the in-flight write was applied, its answer lost
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  void print() const;
};

// A child process (fork + exec) with its stdout read by a thread, line by
// line; stderr goes to the test's stderr. The destructor SIGKILLs and reaps it.
class LineProcess {
 public:
  explicit LineProcess(const std::vector<std::string>& argv);
  ~LineProcess();
  LineProcess(const LineProcess&) = delete;
  LineProcess& operator=(const LineProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits until a line starting with `prefix` has been read (true) or the
  // process closed its stdout / the timeout passed (false).
  bool wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout);
  // SIGKILL, then waits for the exit and for the end of its output.
  void kill9();
  // Every line read so far.
  std::vector<std::string> lines() const;

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  bool eof_ = false;
};

// The words of a line (split on single spaces).
std::vector<std::string> split_words(const std::string& line);

// The SHA-256 of `data`, lowercase hex.
std::string sha256_hex(std::string_view data);

// A local deployment in a temp directory, started with `mpcc up --detach`.
// Constructing one makes this process ignore SIGPIPE. The destructor runs `mpcc down` and SIGKILLs whatever still names the
// directory in its argv.
class Deployment {
 public:
  explicit Deployment(const std::string& tag);
  ~Deployment();
  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;

  Status up();
  const std::filesystem::path& dir() const { return dir_; }
  const nlohmann::json& endpoints() const { return endpoints_; }
  http::Client client(int read_timeout_ms = 30000) const;
  // An access token for `identity` from the identity service (resource vault).
  StatusOr<std::string> token_for(const std::string& identity) const;

  // The running component's pid (from DIR/run/<name>.pid), or -1.
  pid_t pid_of(const std::string& component) const;
  // Remembers the running component's command line (once, before the first kill).
  Status remember(const std::string& component);
  // Starts the component again with its remembered command line and waits
  // for its ready line (a URL). Returns that line.
  StatusOr<std::string> restart(const std::string& component);
  // The last lines of the component's log.
  std::string log_tail(const std::string& component) const;

 private:
  std::filesystem::path dir_;
  nlohmann::json endpoints_;
  std::map<std::string, std::vector<std::string>> command_lines_;
};

// Runs the mpcc binary with `args` (a shell command line); exit code and output.
struct MpccResult {
  int code = -1;
  std::string output;
};
MpccResult run_mpcc(const std::string& args);

// SIGKILLs `pid` and waits until it is gone (reaped or vanished).
void kill_and_wait(pid_t pid);

}  // namespace mpcc::faults
