#include "deploy/supervisor.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/file_io.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using std::chrono::steady_clock;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr auto kAfterKill = std::chrono::seconds(5);
constexpr std::size_t kMaxPidFile = 64;
constexpr std::size_t kTailBytes = 16u << 10;

// Everything the forked child touches is prepared before fork(): after it
// only async-signal-safe calls are allowed (the parent may have threads).
// `status_fd` is close-on-exec: the parent reads EOF once exec succeeded, or
// the errno of the step that failed.
[[noreturn]] void report_errno_and_exit(int status_fd) {
  int err = errno;
  ssize_t ignored = ::write(status_fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

[[noreturn]] void exec_child(const char* exe, char* const* argv, char* const* envp, int log_fd,
                             int status_fd) {
  ::setsid();
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT}) ::sigaction(sig, &dfl, nullptr);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull < 0 || ::dup2(devnull, STDIN_FILENO) < 0 || ::dup2(log_fd, STDOUT_FILENO) < 0 ||
      ::dup2(log_fd, STDERR_FILENO) < 0) {
    report_errno_and_exit(status_fd);
  }
  // Keep only 0-2 and the status pipe (as fd 3, close-on-exec).
  constexpr int kStatusFd = 3;
  if (status_fd != kStatusFd) {
    if (::dup2(status_fd, kStatusFd) < 0) report_errno_and_exit(status_fd);
    status_fd = kStatusFd;
  }
  if (::fcntl(kStatusFd, F_SETFD, FD_CLOEXEC) < 0) report_errno_and_exit(status_fd);
  ::close_range(kStatusFd + 1, ~0U, 0);
  if (::chdir("/") != 0) report_errno_and_exit(status_fd);
  ::execve(exe, argv, envp);
  report_errno_and_exit(status_fd);
}

// A descriptor >= 3 (close-on-exec) for `fd`, so the child's dup2() onto
// 0-2 cannot clobber it even when the parent runs with a standard stream closed.
int above_stdio(int fd) {
  if (fd < 0 || fd > STDERR_FILENO) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  ::close(fd);
  return moved;
}

std::optional<pid_t> read_pid_file(const fs::path& path) {
  StatusOr<std::string> text = read_text_file(path, kMaxPidFile);
  if (!text.ok()) return std::nullopt;
  std::string_view s = *text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value <= 1) return std::nullopt;
  return static_cast<pid_t>(value);
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return fmt::format("status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("signal {}", WTERMSIG(status));
  return "an unknown status";
}

std::string now_text() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// This process's environment without the variables named in `unset`.
std::vector<std::string> environment_without(const std::vector<std::string>& unset) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    if (std::find(unset.begin(), unset.end(), name) == unset.end()) out.emplace_back(entry);
  }
  return out;
}

std::vector<char*> c_pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

bool contains_sequence(const std::vector<std::string>& argv, const std::vector<std::string>& seq) {
  if (seq.empty()) return true;
  if (argv.size() < 2) return false;
  return std::search(argv.begin() + 1, argv.end(), seq.begin(), seq.end()) != argv.end();
}

}  // namespace

bool process_alive(pid_t pid) {
  if (pid <= 1) return false;
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) return false;  // our child, now reaped
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(stat, line)) return false;
  // "pid (comm) S ...": comm may contain spaces and ')', so take the last ')'.
  std::size_t close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return false;
  char state = line[close + 2];
  return state != 'Z' && state != 'X';
}

std::vector<std::string> process_cmdline(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
  std::vector<std::string> argv;
  std::string arg;
  while (std::getline(in, arg, '\0')) argv.push_back(arg);
  return argv;
}

std::vector<pid_t> processes_naming(std::string_view text) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    pid_t pid = 0;
    const auto [end, parse_ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (parse_ec != std::errc() || end != name.data() + name.size() || pid == ::getpid()) continue;
    for (const std::string& arg : process_cmdline(pid)) {
      if (arg.find(text) != std::string::npos && process_alive(pid)) {
        out.push_back(pid);
        break;
      }
    }
  }
  return out;
}

Supervisor::Supervisor(fs::path executable, fs::path run_dir, fs::path logs_dir)
    : executable_(std::move(executable)),
      run_dir_(std::move(run_dir)),
      logs_dir_(std::move(logs_dir)) {}

fs::path Supervisor::pid_file(std::string_view name) const {
  return run_dir_ / (std::string(name) + ".pid");
}

fs::path Supervisor::log_file(std::string_view name) const {
  return logs_dir_ / (std::string(name) + ".log");
}

StatusOr<ChildProcess> Supervisor::spawn(const std::string& name,
                                         const std::vector<std::string>& args,
                                         const std::vector<std::string>& unset_env) const {
  std::error_code ec;
  for (const fs::path& dir : {run_dir_, logs_dir_}) {
    fs::create_directories(dir, ec);
    if (ec) return unavailable(fmt::format("{}: cannot create: {}", dir.string(), ec.message()));
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  const fs::path log = log_file(name);
  int log_fd = above_stdio(::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (log_fd < 0) {
    return unavailable(fmt::format("{}: cannot open: {}", log.string(), std::strerror(errno)));
  }
  struct stat st {};
  ::fstat(log_fd, &st);
  ChildProcess child;
  child.name = name;
  child.log_offset = static_cast<std::uintmax_t>(st.st_size);
  const std::string banner =
      fmt::format("---- {} starting {} at {}\n", executable_.filename().string(), name, now_text());
  if (::write(log_fd, banner.data(), banner.size()) < 0) {
    // Not fatal: the log is informational; the child's own output matters.
  }

  std::vector<std::string> argv_storage;
  argv_storage.reserve(args.size() + 1);
  argv_storage.push_back(executable_.string());
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv = c_pointers(argv_storage);
  std::vector<std::string> env_storage = environment_without(unset_env);
  std::vector<char*> envp = c_pointers(env_storage);
  const std::string exe = executable_.string();

  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0 || (status_pipe[1] = above_stdio(status_pipe[1])) < 0) {
    int err = errno;
    ::close(log_fd);
    return unavailable(fmt::format("cannot start {}: pipe: {}", name, std::strerror(err)));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(log_fd);
    ::close(status_pipe[0]);
    ::close(status_pipe[1]);
    return unavailable(fmt::format("cannot start {}: fork: {}", name, std::strerror(err)));
  }
  if (pid == 0) exec_child(exe.c_str(), argv.data(), envp.data(), log_fd, status_pipe[1]);
  ::close(log_fd);
  ::close(status_pipe[1]);
  // Wait for the exec: from then on /proc/<pid>/cmdline is the child's own.
  int child_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(status_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  if (n > 0) {
    ::waitpid(pid, nullptr, 0);
    return unavailable(
        fmt::format("cannot start {}: {}: {}", name, exe, std::strerror(child_errno)));
  }
  child.pid = pid;
  const std::string pid_text = fmt::format("{}\n", pid);
  Status written = write_file_atomic(pid_file(name), as_span(pid_text));
  if (!written.ok()) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return written.with_context("cannot record the pid of " + name);
  }
  return child;
}

StatusOr<std::string> Supervisor::wait_for_line(const ChildProcess& child, std::string_view prefix,
                                                steady_clock::time_point deadline) const {
  const fs::path log = log_file(child.name);
  std::uintmax_t offset = child.log_offset;
  std::string pending;
  auto scan = [&]() -> std::optional<std::string> {
    std::ifstream in(log, std::ios::binary);
    if (!in) return std::nullopt;
    in.seekg(static_cast<std::streamoff>(offset));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    offset += chunk.size();
    pending += chunk;
    std::size_t start = 0;
    for (std::size_t nl = pending.find('\n'); nl != std::string::npos;
         nl = pending.find('\n', start)) {
      std::string_view line(pending.data() + start, nl - start);
      if (line.substr(0, prefix.size()) == prefix) return std::string(line);
      start = nl + 1;
    }
    pending.erase(0, start);
    return std::nullopt;
  };
  for (;;) {
    if (auto line = scan()) return *line;
    int status = 0;
    pid_t r = ::waitpid(child.pid, &status, WNOHANG);
    bool exited = r == child.pid || (r < 0 && errno == ECHILD && !process_alive(child.pid));
    if (exited) {
      if (auto line = scan()) return *line;
      return unavailable(
          fmt::format("{} exited with {} before it was ready", child.name,
                      r == child.pid ? describe_wait_status(status) : "an unknown status"));
    }
    if (steady_clock::now() >= deadline) {
      return Status(StatusCode::kDeadlineExceeded,
                    fmt::format("{} was not ready in time (no \"{}...\" line in {})", child.name,
                                prefix, log.string()));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

ProcessState Supervisor::state(const std::string& name,
                               const std::vector<std::string>& signature) const {
  ProcessState s;
  s.name = name;
  s.pid = read_pid_file(pid_file(name));
  if (!s.pid || !process_alive(*s.pid)) return s;
  std::vector<std::string> argv = process_cmdline(*s.pid);
  if (argv.empty() || fs::path(argv[0]).filename() != executable_.filename()) return s;
  s.running = contains_sequence(argv, signature);
  return s;
}

std::vector<StopResult> Supervisor::stop(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& targets,
    const StopOptions& options) const {
  std::vector<StopResult> results;
  std::vector<std::size_t> signalled;
  for (const auto& [name, signature] : targets) {
    ProcessState s = state(name, signature);
    StopResult r{name, s.pid, "not running"};
    if (s.running && ::kill(*s.pid, SIGTERM) == 0) {
      r.outcome = "terminated";
      signalled.push_back(results.size());
    }
    results.push_back(std::move(r));
  }
  auto wait_all = [&](steady_clock::time_point deadline) {
    for (;;) {
      bool any = false;
      for (std::size_t i : signalled) any = any || process_alive(*results[i].pid);
      if (!any || steady_clock::now() >= deadline) return;
      std::this_thread::sleep_for(kPollInterval);
    }
  };
  wait_all(steady_clock::now() + options.grace);
  bool killed_any = false;
  for (std::size_t i : signalled) {
    if (process_alive(*results[i].pid)) {
      ::kill(*results[i].pid, SIGKILL);
      results[i].outcome = "killed";
      killed_any = true;
    }
  }
  if (killed_any) wait_all(steady_clock::now() + kAfterKill);
  for (std::size_t i : signalled) {
    if (process_alive(*results[i].pid)) results[i].outcome = "still running";
  }
  for (const StopResult& r : results) {
    if (r.outcome != "still running") {
      std::error_code ec;
      fs::remove(pid_file(r.name), ec);
    }
  }
  return results;
}

std::string Supervisor::log_tail(std::string_view name, std::size_t lines,
                                 std::uintmax_t from) const {
  std::ifstream in(log_file(name), std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff start_at = std::max<std::streamoff>(
      static_cast<std::streamoff>(from), size - static_cast<std::streamoff>(kTailBytes));
  if (start_at >= size) return "";
  in.seekg(start_at);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  // `start` ends on the newline before the last `lines` lines (or 0).
  std::size_t start = text.size();
  for (std::size_t n = 0; n < lines && start > 0; ++n) {
    std::size_t nl = text.rfind('\n', start - 1);
    start = nl == std::string::npos ? 0 : nl;
  }
  if (start < text.size() && text[start] == '\n') ++start;
  return text.substr(start);
}

}  // namespace mpcc::deploy
