// File: blobstore/test/azurite.cpp
#include "blobstore/test/azurite.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "blobstore/azure_config.h"
#include "http/client.h"

namespace mpcc::blobstore::testing {

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kStopTimeout = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(50);

std::string& error_text() {
  static std::string text;
  return text;
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

const Azurite* Azurite::shared() {
  static std::unique_ptr<Azurite> instance;
  static bool tried = false;
  if (!tried) {
    tried = true;
    std::unique_ptr<Azurite> a(new Azurite());
    if (a->start(&error_text())) instance = std::move(a);  // stopped at exit
  }
  return instance.get();
}

const std::string& Azurite::error() { return error_text(); }

std::string Azurite::blob_endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/devstoreaccount1";
}

std::string Azurite::connection_string() const {
  return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" +
         std::string(kAzuriteAccountKey) + ";BlobEndpoint=" + blob_endpoint() + ";";
}

Azurite::~Azurite() { stop(); }

bool Azurite::start(std::string* error) {
  const std::filesystem::path program =
      std::filesystem::path(MPCC_SOURCE_DIR) / "node_modules/.bin/azurite-blob";
  if (!std::filesystem::exists(program)) {
    *error = program.string() +
             " is missing: run `npm ci` in the source tree (scripts/deps does) to install Azurite";
    return false;
  }
  port_ = free_loopback_port();
  if (port_ == 0) {
    *error = "cannot find a free loopback port";
    return false;
  }
  log_ = std::filesystem::temp_directory_path() /
         ("mpcc-azurite-" + std::to_string(::getpid()) + ".log");
  const std::string port = std::to_string(port_);
  const std::string program_text = program.string();
  const std::string log_text = log_.string();
  std::vector<const char*> argv = {program_text.c_str(),  "--blobHost", "127.0.0.1",
                                   "--blobPort",          port.c_str(), "--inMemoryPersistence",
                                   "--extentMemoryLimit", "512",        "--silent",
                                   "--disableTelemetry",  nullptr};
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    *error = "fork failed";
    return false;
  }
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    const int log_fd = ::open(log_text.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd < 0 || log_fd < 0) ::_exit(127);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execv(argv[0], const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  // Ready when it answers HTTP (any status).
  http::ClientOptions options;
  options.connect_timeout_ms = 500;
  options.read_timeout_ms = 2000;
  const http::Client client(options);
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "azurite-blob exited during start-up: " + read_all(log_);
      return false;
    }
    if (client.get(blob_endpoint() + "?comp=list").ok()) return true;
    std::this_thread::sleep_for(kPollInterval);
  }
  *error = "azurite-blob did not answer within 30 s: " + read_all(log_);
  stop();
  return false;
}

void Azurite::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }
  if (!log_.empty()) {
    std::error_code ec;
    std::filesystem::remove(log_, ec);
  }
}

}  // namespace mpcc::blobstore::testing
