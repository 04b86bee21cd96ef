// File: tests/faults/fault_support.cpp
//
// See fault_support.h.
#include "tests/faults/fault_support.h"
#include "tests/parties/running_deployment.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/bytes.h"
#include "common/testing/run_command.h"
#include "crypto/hash.h"
#include "deploy/deployment_record.h"
#include "deploy/supervisor.h"

namespace mpcc::faults {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::stoull(v);
}

}  // namespace

FaultSettings FaultSettings::from_env(const std::string& suite) {
  FaultSettings s;
  s.trials = static_cast<int>(env_number("MPCC_FAULT_TRIALS", static_cast<std::uint64_t>(s.trials)));
  s.seed = env_number("MPCC_FAULT_SEED", s.seed);
  std::cout << "faults " << suite << ": " << s.trials << " trials, seed " << s.seed
            << " (MPCC_FAULT_TRIALS, MPCC_FAULT_SEED)\n";
  return s;
}

std::chrono::microseconds random_delay(std::mt19937_64& rng, int max_ms) {
  std::uniform_int_distribution<long> d(0, static_cast<long>(max_ms) * 1000);
  return std::chrono::microseconds(d(rng));
}

void FaultTally::print() const {
  const auto ms = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
  std::cout << "faults " << suite << ": " << trials << " trials, " << kills_mid_write
            << " kills mid-write, " << applied_unacked << " in-flight writes applied unacknowledged, "
            << acked_checked << " acknowledged writes checked, " << ms << " ms\n";
}

LineProcess::LineProcess(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(fds[1], 1);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
  reader_ = std::thread([this] {
    std::string pending;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::lock_guard<std::mutex> lock(mu_);
        lines_.push_back(pending.substr(0, nl));
        pending.erase(0, nl + 1);
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    eof_ = true;  // a partial last line (cut by the kill) is dropped
  });
}

LineProcess::~LineProcess() {
  kill9();
  ::close(out_fd_);
}

bool LineProcess::wait_for_line(const std::string& prefix, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const std::string& l : lines_) {
        if (l.rfind(prefix, 0) == 0) return true;
      }
      if (eof_) return false;
    }
    std::this_thread::sleep_for(milliseconds(1));
  }
  return false;
}

void LineProcess::kill9() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (reader_.joinable()) reader_.join();
}

std::vector<std::string> LineProcess::lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(crypto::sha256(data)); }

MpccResult run_mpcc(const std::string& args) {
  testing::CommandResult r = testing::run_command(std::string(MPCC_EXE) + " " + args);
  return {r.code, r.output};
}

void kill_and_wait(pid_t pid) {
  ::kill(pid, SIGKILL);
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  while (deploy::process_alive(pid) && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
}

Deployment::Deployment(const std::string& tag)
    : dir_(fs::temp_directory_path() / ("mpcc_faults_" + tag + "_" + std::to_string(::getpid()))) {
  // A request cut by the kill may meet a closed connection while it still
  // writes: http::Client (TLS) would raise SIGPIPE and end the test.
  ::signal(SIGPIPE, SIG_IGN);
  fs::remove_all(dir_);
}

Deployment::~Deployment() { parties_test::tear_down_deployment(dir_); }

Status Deployment::up() {
  const auto start = steady_clock::now();
  MpccResult r = run_mpcc("up --detach --timeout 180 --state-dir " + dir_.string());
  std::cout << "faults: up took "
            << std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count()
            << " ms\n";
  if (r.code != 0) return unavailable("mpcc up failed (" + std::to_string(r.code) + "): " + r.output);
  endpoints_ = nlohmann::json::parse(read_text(dir_ / "endpoints.json"), nullptr, false);
  if (!endpoints_.is_object()) return internal_error("endpoints.json does not parse");
  return ok_status();
}

http::Client Deployment::client(int read_timeout_ms) const {
  http::ClientOptions o;
  o.ca_cert_path = endpoints_["ca_cert"].get<std::string>();
  o.connect_timeout_ms = 2000;
  o.read_timeout_ms = read_timeout_ms;
  o.max_response_bytes = 64u << 20;
  return http::Client(o);
}

StatusOr<std::string> Deployment::token_for(const std::string& identity) const {
  const std::string credential =
      read_text(endpoints_["identities"][identity]["credential_file"].get<std::string>());
  MPCC_ASSIGN_OR_RETURN(
      http::ClientResponse r,
      client().get(endpoints_["identity"].get<std::string>() +
                       "/metadata/identity/oauth2/"
                       "token?api-version=2018-02-01&resource=https://vault.azure.net",
                   {{"Metadata", "true"}, {"X-IDENTITY-HEADER", credential}}));
  if (r.status != 200) return unavailable("token for " + identity + ": " + r.body);
  MPCC_ASSIGN_OR_RETURN(nlohmann::json j, r.json());
  return j.value("access_token", "");
}

pid_t Deployment::pid_of(const std::string& component) const {
  const std::string text = read_text(dir_ / "run" / (component + ".pid"));
  if (text.empty()) return -1;
  const auto pid = static_cast<pid_t>(std::stol(text));
  return deploy::process_alive(pid) ? pid : -1;
}

Status Deployment::remember(const std::string& component) {
  if (command_lines_.count(component)) return ok_status();
  const pid_t pid = pid_of(component);
  if (pid < 0) return not_found(component + " is not running");
  MPCC_ASSIGN_OR_RETURN(command_lines_[component], parties_test::restart_args(dir_, component, pid));
  return ok_status();
}

StatusOr<std::string> Deployment::restart(const std::string& component) {
  auto it = command_lines_.find(component);
  if (it == command_lines_.end()) return failed_precondition(component + ": no command line remembered");
  return parties_test::start_component(dir_, component, it->second);
}

std::string Deployment::log_tail(const std::string& component) const {
  return deploy::Supervisor(MPCC_EXE, dir_ / "run", dir_ / "logs").log_tail(component, 30);
}

}  // namespace mpcc::faults
