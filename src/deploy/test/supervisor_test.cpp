// Supervisor mechanics with /bin/sh as the supervised executable (the same
// code runs the mpcc binary in tests/deploy): detaching, pid files,
// readiness lines, identity checks, SIGTERM then SIGKILL.
#include "deploy/supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/file_io.h"

namespace mpcc::deploy {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mpcc_supervisor_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    // Whatever a failed test left running: the children carry dir_ as an argument.
    for (const auto& entry : fs::directory_iterator("/proc", ec_)) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const auto pid = static_cast<pid_t>(std::stol(name));
      for (const std::string& arg : process_cmdline(pid)) {
        if (pid != ::getpid() && arg == dir_.string()) ::kill(pid, SIGKILL);
      }
    }
    fs::remove_all(dir_);
  }
  // sh -c SCRIPT mpcc-test-child DIR: $0 names it, DIR marks it as this test's.
  std::vector<std::string> sh(const std::string& script) const {
    return {"-c", script, "mpcc-test-child", dir_.string()};
  }
  std::vector<std::string> ready_then_loop() const {
    return sh("echo starting >&2; echo READY here; while :; do sleep 0.05; done");
  }
  Supervisor sup() const { return Supervisor("/bin/sh", dir_ / "run", dir_ / "logs"); }

  fs::path dir_;
  std::error_code ec_;
};

const std::vector<std::string> kSignature = {"mpcc-test-child"};

TEST_F(SupervisorTest, SpawnsDetachedWritesPidAndFindsTheReadyLine) {
  Supervisor s = sup();
  StatusOr<ChildProcess> child = s.spawn("svc", ready_then_loop());
  ASSERT_TRUE(child.ok()) << child.status().to_string();
  StatusOr<std::string> line = s.wait_for_line(*child, "READY", steady_clock::now() + seconds(10));
  ASSERT_TRUE(line.ok()) << line.status().to_string();
  EXPECT_EQ(*line, "READY here");

  // Pid file 0600 with the child's pid; its own session; stdin /dev/null.
  StatusOr<std::string> pid_text = read_text_file(s.pid_file("svc"));
  ASSERT_TRUE(pid_text.ok());
  EXPECT_EQ(*pid_text, std::to_string(child->pid) + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(s.pid_file("svc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(::getsid(child->pid), child->pid);
  EXPECT_EQ(fs::read_symlink("/proc/" + std::to_string(child->pid) + "/fd/0"), "/dev/null");

  ProcessState state = s.state("svc", kSignature);
  EXPECT_TRUE(state.running);
  ASSERT_TRUE(state.pid.has_value());
  EXPECT_EQ(*state.pid, child->pid);
  // A different signature is not this process.
  EXPECT_FALSE(s.state("svc", {"another-child"}).running);

  // stdout and stderr both went to the log.
  const std::string log = s.log_tail("svc", 10);
  EXPECT_NE(log.find("starting"), std::string::npos) << log;
  EXPECT_NE(log.find("READY here"), std::string::npos) << log;

  std::vector<StopResult> stopped = s.stop({{"svc", kSignature}}, StopOptions{seconds(5)});
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].outcome, "terminated");
  EXPECT_FALSE(process_alive(child->pid));
  EXPECT_FALSE(fs::exists(s.pid_file("svc")));
  EXPECT_FALSE(s.state("svc", kSignature).running);
}

TEST_F(SupervisorTest, ReadyLinesAreLookedForOnlyAfterTheSpawn) {
  Supervisor s = sup();
  // A previous run's readiness line is in the log already.
  fs::create_directories(dir_ / "logs");
  std::ofstream(s.log_file("svc")) << "READY old run\n";
  StatusOr<ChildProcess> child =
      s.spawn("svc", sh("sleep 0.3; echo READY new; while :; do sleep 0.05; done"));
  ASSERT_TRUE(child.ok());
  StatusOr<std::string> line = s.wait_for_line(*child, "READY", steady_clock::now() + seconds(10));
  ASSERT_TRUE(line.ok()) << line.status().to_string();
  EXPECT_EQ(*line, "READY new");
  s.stop({{"svc", kSignature}});
}

TEST_F(SupervisorTest, AChildThatExitsBeforeReadyIsReportedWithItsStatus) {
  Supervisor s = sup();
  StatusOr<ChildProcess> child = s.spawn("bad", sh("echo cannot bind >&2; exit 5"));
  ASSERT_TRUE(child.ok());
  StatusOr<std::string> line =
      s.wait_for_line(*child, "https://", steady_clock::now() + seconds(10));
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(line.status().message().find("bad exited with status 5 before it was ready"),
            std::string::npos)
      << line.status().message();
  EXPECT_NE(s.log_tail("bad").find("cannot bind"), std::string::npos);
  EXPECT_FALSE(s.state("bad", {}).running);
}

TEST_F(SupervisorTest, AnExecutableThatCannotRunIsAnError) {
  Supervisor s("/nonexistent/mpcc", dir_ / "run", dir_ / "logs");
  StatusOr<ChildProcess> child = s.spawn("ghost", {"serve"});
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(child.status().message().find("cannot start ghost: /nonexistent/mpcc: No such file"),
            std::string::npos)
      << child.status().message();
  EXPECT_FALSE(fs::exists(s.pid_file("ghost")));
}

TEST_F(SupervisorTest, ReadinessHasADeadline) {
  Supervisor s = sup();
  StatusOr<ChildProcess> child = s.spawn("slow", ready_then_loop());
  ASSERT_TRUE(child.ok());
  auto start = steady_clock::now();
  StatusOr<std::string> line = s.wait_for_line(*child, "NEVER", start + milliseconds(300));
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(steady_clock::now() - start, seconds(5));
  s.stop({{"slow", kSignature}});
  EXPECT_FALSE(process_alive(child->pid));
}

TEST_F(SupervisorTest, EscalatesToSigkillAfterTheGracePeriod) {
  Supervisor s = sup();
  StatusOr<ChildProcess> child =
      s.spawn("stubborn", sh("trap '' TERM; echo READY; while :; do sleep 0.05; done"));
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(s.wait_for_line(*child, "READY", steady_clock::now() + seconds(10)).ok());
  auto start = steady_clock::now();
  std::vector<StopResult> stopped =
      s.stop({{"stubborn", kSignature}}, StopOptions{milliseconds(300)});
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].outcome, "killed");
  EXPECT_GE(steady_clock::now() - start, milliseconds(300));
  EXPECT_FALSE(process_alive(child->pid));
}

TEST_F(SupervisorTest, StalePidFilesCountAsStoppedAndForeignPidsAreNeverSignalled) {
  Supervisor s = sup();
  fs::create_directories(dir_ / "run");
  // A pid that no longer exists: spawn and reap a short-lived child.
  StatusOr<ChildProcess> gone = s.spawn("gone", sh("exit 0"));
  ASSERT_TRUE(gone.ok());
  for (int i = 0; i < 200 && process_alive(gone->pid); ++i)
    std::this_thread::sleep_for(milliseconds(10));
  ProcessState st = s.state("gone", {});
  ASSERT_TRUE(st.pid.has_value());
  EXPECT_FALSE(st.running);

  // A live process that is not ours: this test binary (not /bin/sh).
  const std::string me = std::to_string(::getpid()) + "\n";
  ASSERT_TRUE(write_file_atomic(s.pid_file("foreign"), as_span(me)).ok());
  EXPECT_FALSE(s.state("foreign", {}).running);
  // Garbage in a pid file.
  ASSERT_TRUE(write_file_atomic(s.pid_file("garbage"), as_span(std::string("12ab\n"))).ok());
  EXPECT_FALSE(s.state("garbage", {}).pid.has_value());

  std::vector<StopResult> stopped =
      s.stop({{"gone", {}}, {"foreign", {}}, {"garbage", {}}, {"never", {}}});
  ASSERT_EQ(stopped.size(), 4u);
  for (const StopResult& r : stopped) EXPECT_EQ(r.outcome, "not running") << r.name;
  // We are still here, and the stale pid files are gone.
  for (const char* name : {"gone", "foreign", "garbage"})
    EXPECT_FALSE(fs::exists(s.pid_file(name))) << name;
}

TEST_F(SupervisorTest, StopsSeveralTogether) {
  Supervisor s = sup();
  std::vector<pid_t> pids;
  std::vector<std::pair<std::string, std::vector<std::string>>> targets;
  for (const char* name : {"a", "b", "c"}) {
    StatusOr<ChildProcess> c = s.spawn(name, ready_then_loop());
    ASSERT_TRUE(c.ok());
    pids.push_back(c->pid);
    targets.push_back({name, kSignature});
  }
  auto start = steady_clock::now();
  std::vector<StopResult> stopped = s.stop(targets);
  EXPECT_LT(steady_clock::now() - start, seconds(5));
  for (const StopResult& r : stopped) EXPECT_EQ(r.outcome, "terminated") << r.name;
  for (pid_t pid : pids) EXPECT_FALSE(process_alive(pid));
}

TEST(LogTail, ReturnsTheLastLines) {
  const fs::path dir = fs::temp_directory_path() / ("mpcc_tail_" + std::to_string(::getpid()));
  fs::create_directories(dir / "logs");
  Supervisor s("/bin/sh", dir / "run", dir / "logs");
  EXPECT_EQ(s.log_tail("none"), "");
  std::ofstream(s.log_file("x")) << "one\ntwo\nthree\nfour\n";
  EXPECT_EQ(s.log_tail("x", 2), "three\nfour");
  EXPECT_EQ(s.log_tail("x", 10), "one\ntwo\nthree\nfour");
  EXPECT_EQ(s.log_tail("x", 10, 8), "three\nfour") << "from byte 8 on";
  EXPECT_EQ(s.log_tail("x", 10, 100), "");
  std::ofstream(s.log_file("y")) << "\nsolo";
  EXPECT_EQ(s.log_tail("y", 1), "solo");
  EXPECT_EQ(s.log_tail("y", 5), "solo");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mpcc::deploy
