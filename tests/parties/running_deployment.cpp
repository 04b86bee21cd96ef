#include "tests/parties/running_deployment.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>

#include "deploy/deployment_record.h"
#include "deploy/supervisor.h"

namespace mpcc::parties_test {

namespace fs = std::filesystem;
using nlohmann::json;

mpcc::testing::CommandResult run_mpcc(const std::string& args) {
  return mpcc::testing::run_command(std::string(MPCC_EXE) + " " + args);
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

namespace {

mpcc::deploy::Supervisor supervisor_of(const fs::path& dir) {
  return mpcc::deploy::Supervisor(MPCC_EXE, dir / "run", dir / "logs");
}

}  // namespace

RunningDeployment::RunningDeployment(const std::string& tag) {
  dir_ = fs::temp_directory_path() / (tag + "_" + std::to_string(::getpid()));
  fs::remove_all(dir_);
  const auto start = std::chrono::steady_clock::now();
  up_ = run_mpcc("up --detach --timeout 180 --state-dir " + dir_.string());
  std::cout << tag << ": up took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count()
            << " ms\n";
  if (up_.code == 0) endpoints_ = json::parse(read_text(dir_ / "endpoints.json"), nullptr, false);
}

RunningDeployment::~RunningDeployment() { tear_down_deployment(dir_); }

void tear_down_deployment(const fs::path& dir) {
  run_mpcc("down --state-dir " + dir.string());
  for (pid_t pid : mpcc::deploy::processes_naming(dir.string())) {
    std::cerr << "deployment teardown: killing leftover pid " << pid << "\n";
    ::kill(pid, SIGKILL);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

const json& RunningDeployment::party(const std::string& name) const {
  return endpoints_["parties"][name];
}

std::string RunningDeployment::operator_token(const std::string& name) const {
  return read_text(party(name)["credential_file"].get<std::string>());
}

mpcc::http::Client RunningDeployment::client(int read_timeout_ms) const {
  mpcc::http::ClientOptions o;
  o.ca_cert_path = endpoints_["ca_cert"].get<std::string>();
  o.read_timeout_ms = read_timeout_ms;
  o.max_response_bytes = 64u << 20;
  return mpcc::http::Client(o);
}

Reply RunningDeployment::call(const std::string& name, const std::string& method,
                              const std::string& path, const json& body,
                              std::optional<std::string> token) const {
  const std::string url = party(name)["app"].get<std::string>() + path;
  mpcc::http::Headers headers;
  const std::string bearer = token ? *token : operator_token(name);
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  auto r = client().request(method, url, body.is_null() ? "" : body.dump(),
                            body.is_null() ? "" : "application/json", headers);
  Reply out;
  if (!r.ok()) {
    ADD_FAILURE() << method << " " << url << ": " << r.status().to_string();
    return out;
  }
  out.status = r->status;
  out.text = r->body;
  out.body = json::parse(r->body, nullptr, false);
  for (const auto& [header, value] : r->headers) {
    if (header == "Retry-After") out.retry_after = value;
  }
  return out;
}

std::optional<pid_t> RunningDeployment::component_pid(const std::string& name) const {
  const std::string text = read_text(dir_ / "run" / (name + ".pid"));
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const auto pid = static_cast<pid_t>(std::stol(text));
  if (!mpcc::deploy::process_alive(pid)) return std::nullopt;
  return pid;
}

std::vector<std::string> RunningDeployment::kill_component(const std::string& name) const {
  const std::optional<pid_t> pid = component_pid(name);
  if (!pid) {
    ADD_FAILURE() << name << " is not running";
    return {};
  }
  auto args = restart_args(dir_, name, *pid);
  EXPECT_TRUE(args.ok()) << args.status().to_string();
  ::kill(*pid, SIGKILL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (mpcc::deploy::process_alive(*pid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(mpcc::deploy::process_alive(*pid)) << name << " survived SIGKILL";
  return args.ok() ? *args : std::vector<std::string>{};
}

bool RunningDeployment::restart_component(const std::string& name,
                                          const std::vector<std::string>& args) const {
  if (args.empty()) return false;
  auto line = start_component(dir_, name, args);
  if (!line.ok()) std::cerr << "restart " << name << ": " << line.status().to_string() << "\n";
  return line.ok();
}

mpcc::StatusOr<std::vector<std::string>> restart_args(const fs::path& dir, const std::string& name,
                                                      pid_t pid) {
  std::vector<std::string> argv = mpcc::deploy::process_cmdline(pid);
  if (argv.size() < 2) return mpcc::internal_error("cannot read the command line of " + name);
  argv.erase(argv.begin());
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] != "--port" || argv[i + 1] != "0") continue;
    MPCC_ASSIGN_OR_RETURN(std::optional<mpcc::deploy::DeploymentRecord> record,
                          mpcc::deploy::read_deployment_record(dir / "deployment.json"));
    if (!record || !record->ports.count(name)) {
      return mpcc::not_found("deployment.json records no port for " + name);
    }
    argv[i + 1] = std::to_string(record->ports.at(name));
  }
  return argv;
}

mpcc::StatusOr<std::string> start_component(const fs::path& dir, const std::string& name,
                                            const std::vector<std::string>& args) {
  const auto supervisor = supervisor_of(dir);
  MPCC_ASSIGN_OR_RETURN(mpcc::deploy::ChildProcess child, supervisor.spawn(name, args));
  // Every `mpcc serve X` prints its URL once it accepts connections.
  auto line = supervisor.wait_for_line(child, "http",
                                       std::chrono::steady_clock::now() + std::chrono::seconds(60));
  if (!line.ok()) {
    return mpcc::Status(line.status().code(),
                        line.status().message() + "\n" + supervisor.log_tail(name, 30, child.log_offset));
  }
  return line;
}

}  // namespace mpcc::parties_test
