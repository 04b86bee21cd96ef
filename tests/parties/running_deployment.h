// File: tests/parties/running_deployment.h
//
// RunningDeployment (tests only): a real local deployment, `mpcc up --detach`
// in a fresh temporary state directory, for the tests that drive the parties
// through their HTTPS APIs. Its destructor runs `mpcc down` and kills any
// process left behind (every one has the state directory in its argv), then
// removes the directory.
//
//   RunningDeployment d("mpcc_parties");
//   ASSERT_TRUE(d.ok()) << d.up_result().output;
//   Reply r = d.call("contoso", "POST", "/skr/release");
//
// Also: component processes by name (DIR/run/<name>.pid), to stop and start
// one as a fault would.
//
// Thread-safety: call() may be used from several threads; the rest from one.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/testing/run_command.h"
#include "http/client.h"

namespace mpcc::parties_test {

struct Reply {
  int status = 0;
  nlohmann::json body;  // discarded when not JSON
  std::string text;
  std::string retry_after;  // the Retry-After header, "" when none
};

// Runs the mpcc binary under test with `args`.
mpcc::testing::CommandResult run_mpcc(const std::string& args);
// A file's text without its trailing newlines ("" when unreadable).
std::string read_text(const std::filesystem::path& p);
// Tears a test deployment in `dir` down: `mpcc down`, SIGKILL for any
// process still naming `dir` in its argv, then removes `dir`.
void tear_down_deployment(const std::filesystem::path& dir);

class RunningDeployment {
 public:
  // Starts `mpcc up --detach` in TMPDIR/<tag>_<pid>; check ok().
  explicit RunningDeployment(const std::string& tag);
  ~RunningDeployment();
  RunningDeployment(const RunningDeployment&) = delete;
  RunningDeployment& operator=(const RunningDeployment&) = delete;

  bool ok() const { return up_.code == 0 && endpoints_.is_object(); }
  const mpcc::testing::CommandResult& up_result() const { return up_; }
  const std::filesystem::path& dir() const { return dir_; }
  const nlohmann::json& endpoints() const { return endpoints_; }
  const nlohmann::json& party(const std::string& name) const;
  std::string operator_token(const std::string& name) const;

  mpcc::http::Client client(int read_timeout_ms = 60000) const;
  // A request to `name`'s app as its operator (or with `token` when given;
  // "" sends none). A transport failure is reported as a test failure.
  Reply call(const std::string& name, const std::string& method, const std::string& path,
             const nlohmann::json& body = nullptr,
             std::optional<std::string> token = std::nullopt) const;

  // The pid of component `name` (DIR/run/<name>.pid) and its argv; nullopt
  // when it is not running.
  std::optional<pid_t> component_pid(const std::string& name) const;
  // SIGKILLs component `name` and waits until it is gone; returns the
  // arguments to start it again (restart_args).
  std::vector<std::string> kill_component(const std::string& name) const;
  // Starts the component again with those arguments (start_component);
  // false, with the reason and the log's tail on stderr, when it does not
  // come up.
  bool restart_component(const std::string& name, const std::vector<std::string>& args) const;

 private:
  std::filesystem::path dir_;
  mpcc::testing::CommandResult up_;
  nlohmann::json endpoints_;
};

// The arguments (after the program) to start component `name` of the
// deployment in `dir` again as `mpcc up` would: those of its running
// process `pid`, with an ephemeral `--port 0` replaced by the port
// DIR/deployment.json records for it (so clients find it where it was).
mpcc::StatusOr<std::vector<std::string>> restart_args(const std::filesystem::path& dir,
                                                      const std::string& name, pid_t pid);
// Starts `args` as the deployment's supervisor would (detached, output
// appended to DIR/logs/<name>.log, pid file rewritten) and waits up to 60 s
// for its ready line (a URL, which it returns); the error carries the log's
// tail.
mpcc::StatusOr<std::string> start_component(const std::filesystem::path& dir, const std::string& name,
                                            const std::vector<std::string>& args);

}  // namespace mpcc::parties_test
