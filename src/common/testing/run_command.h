// Runs a shell command line for a test and collects its exit code and output
// (stdout and stderr together; stdin is /dev/null).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace mpcc::testing {

struct CommandResult {
  int code = -1;       // exit status, or -1 when it did not exit normally
  std::string output;  // stdout and stderr
};

inline CommandResult run_command(const std::string& command_line) {
  const std::string cmd = command_line + " 2>&1 </dev/null";
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace mpcc::testing
