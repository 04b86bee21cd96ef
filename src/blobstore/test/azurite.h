// File: blobstore/test/azurite.h
//
// Test support: one Azurite blob service per test process, started on first
// use from the project's node_modules (`npm ci`, which scripts/deps runs):
//   node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort <free>
//     --inMemoryPersistence --silent --disableTelemetry
// as one child process (dies with the test process: PR_SET_PDEATHSIG), ready
// once it answers HTTP, stopped with SIGTERM (then SIGKILL after 10 s) when
// the test process exits (static destruction).
//
//   const Azurite* azurite = Azurite::shared();
//   ASSERT_NE(azurite, nullptr) << Azurite::error();
//   auto config = parse_connection_string(azurite->connection_string());
//
// Thread-safety: shared() may be called from the test thread only.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace mpcc::blobstore::testing {

class Azurite {
 public:
  // The running service, or nullptr when it could not be started (then
  // error() says why, e.g. that node_modules/.bin/azurite-blob is missing).
  static const Azurite* shared();
  static const std::string& error();

  int port() const { return port_; }
  // http://127.0.0.1:<port>/devstoreaccount1
  std::string blob_endpoint() const;
  std::string connection_string() const;

  ~Azurite();
  Azurite(const Azurite&) = delete;
  Azurite& operator=(const Azurite&) = delete;

 private:
  Azurite() = default;
  bool start(std::string* error);
  void stop();

  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path log_;
};

// A port on 127.0.0.1 that nothing listened on a moment ago.
int free_loopback_port();

}  // namespace mpcc::blobstore::testing
