// File: deploy/supervisor.h
//
// Supervisor: starts and stops the long-running processes of a local
// deployment. Each child is the configured executable (normally the mpcc
// binary itself, /proc/self/exe) started detached: its own session (setsid),
// working directory "/", stdin /dev/null, stdout and stderr appended to
// LOGS/<name>.log, a clean signal mask, no inherited descriptors beyond 0-2.
// Its pid is written to RUN/<name>.pid (0600) as soon as it runs, so a
// later `mpcc down` (another process) can find it.
//
// Readiness: every `mpcc serve X` prints one line on stdout once it accepts
// connections (its base URL; the psp daemon prints its control socket). The
// child's stdout is the log file, so wait_for_line() tails the log from where
// it ended before the spawn and returns the first line with a given prefix
// (spdlog lines start with a timestamp and never match "https://" or "/").
//
// Identity: a pid file counts only while its process exists, is not a
// zombie, and its /proc/<pid>/cmdline is this executable (same file name)
// with the expected argument sequence (e.g. "--state-dir", DIR/psp); a pid
// reused by an unrelated process therefore counts as stopped and is never
// signalled.
//
// Thread-safety: a Supervisor holds only paths; its methods may be called
// from several threads, but two threads must not spawn or stop the same name
// at once (the deployment holds a lock file for that).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mpcc::deploy {

struct ChildProcess {
  std::string name;
  pid_t pid = -1;
  std::uintmax_t log_offset = 0;  // size of the log before this child started
};

// What a pid file says about its component.
struct ProcessState {
  std::string name;
  std::optional<pid_t> pid;  // from the pid file, when there is one
  bool running = false;      // alive, not a zombie, and our process (see above)
};

struct StopOptions {
  std::chrono::milliseconds grace{10000};  // SIGTERM, then SIGKILL after this long
};

struct StopResult {
  std::string name;
  std::optional<pid_t> pid;
  // "terminated" (exited after SIGTERM), "killed" (needed SIGKILL),
  // "not running" (no pid file, or its process gone or not ours),
  // "still running" (survived SIGKILL: should never happen).
  std::string outcome;
};

class Supervisor {
 public:
  Supervisor(std::filesystem::path executable, std::filesystem::path run_dir,
             std::filesystem::path logs_dir);

  const std::filesystem::path& executable() const { return executable_; }
  std::filesystem::path pid_file(std::string_view name) const;
  std::filesystem::path log_file(std::string_view name) const;

  // Forks and execs `executable args...` detached (see above) and returns
  // once the child runs the executable (so its /proc cmdline is its own);
  // then writes the pid file. The child inherits this process's environment
  // without the variables named in `unset_env`. kUnavailable when the log
  // cannot be opened, or fork or exec fails ("cannot start NAME: EXE: No such
  // file or directory").
  StatusOr<ChildProcess> spawn(const std::string& name, const std::vector<std::string>& args,
                               const std::vector<std::string>& unset_env = {}) const;

  // Tails the child's log from its log_offset until a complete line starting
  // with `prefix` appears and returns it (without the newline).
  // kUnavailable "<name> exited with status N before it was ready" when the
  // child dies first; kDeadlineExceeded "<name> was not ready after Ns".
  StatusOr<std::string> wait_for_line(const ChildProcess& child, std::string_view prefix,
                                      std::chrono::steady_clock::time_point deadline) const;

  // Reads RUN/<name>.pid and checks the process against `signature` (a
  // sequence of arguments its command line must contain, in order, adjacent).
  ProcessState state(const std::string& name, const std::vector<std::string>& signature) const;

  // Stops every named process together: SIGTERM to all that run, waits up to
  // options.grace for all, SIGKILL for the rest. Removes the pid files
  // (also stale ones). Never signals a pid that is not ours.
  std::vector<StopResult> stop(
      const std::vector<std::pair<std::string, std::vector<std::string>>>& targets,
      const StopOptions& options = {}) const;

  // The last `lines` lines of the component's log ("" when there is none),
  // only from byte `from` on (e.g. a ChildProcess's log_offset: this run's lines).
  std::string log_tail(std::string_view name, std::size_t lines = 20,
                       std::uintmax_t from = 0) const;

 private:
  std::filesystem::path executable_;
  std::filesystem::path run_dir_;
  std::filesystem::path logs_dir_;
};

// True while `pid` exists and is not a zombie (reaps it first if it is our
// own exited child).
bool process_alive(pid_t pid);
// argv of a live process from /proc/<pid>/cmdline (empty when unreadable).
std::vector<std::string> process_cmdline(pid_t pid);
// The live processes, other than this one, one of whose arguments contains
// `text` (e.g. a deployment's state directory: what is left of it).
std::vector<pid_t> processes_naming(std::string_view text);

}  // namespace mpcc::deploy
