// File: platform/sim/psp_daemon.h
//
// PspDaemon: the SIMULATED secure processor as a local service (`mpcc psp
// serve`). It models who may set what: the LAUNCHER talks to the control
// socket DIR/psp.sock and creates a guest channel DIR/guests/<name>.sock bound
// to launch parameters it chooses (measurement, host_data, policy, vmpl);
// the GUEST connects to its channel and may send only REPORT_DATA, receiving
// the signed report and the VCEK/ASK/ARK chain. Sockets are mode 0600 inside
// 0700 directories. Each connection gets its own thread (at most
// max_connections), per-socket I/O timeouts and frame size limits; malformed
// input gets an error response and never stops the daemon.
//
// One daemon per state directory (DIR/psp.lock, flock). Logs a warning at
// start-up that the chip is simulated and its root trusted only where
// configured.
//
// Thread-safety: run() on one thread; stop() from any thread or a signal
// handler (it only sets a flag and writes to a pipe); launch() and
// status_json() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "nlohmann/json_fwd.hpp"
#include "platform/sim/channel_protocol.h"
#include "platform/sim/simulated_psp.h"
#include "platform/sim/unix_socket.h"

namespace mpcc::platform::sim {

inline constexpr const char* kControlSocketName = "psp.sock";
inline constexpr const char* kGuestsDirName = "guests";
inline constexpr const char* kLockFileName = "psp.lock";

struct PspDaemonOptions {
  std::chrono::milliseconds io_timeout{5000};
  std::size_t max_connections = 64;
  std::size_t max_guests = 256;
};

class PspDaemon {
 public:
  // Takes the state directory's lock (kFailedPrecondition if another daemon
  // holds it), removes stale sockets, creates DIR/guests (0700) and listens
  // on DIR/psp.sock. The chip is normally SimulatedChip::load(state_dir).
  static StatusOr<std::unique_ptr<PspDaemon>> open(const std::filesystem::path& state_dir,
                                                   std::shared_ptr<const SimulatedChip> chip,
                                                   PspDaemonOptions options = {});
  ~PspDaemon();
  PspDaemon(const PspDaemon&) = delete;
  PspDaemon& operator=(const PspDaemon&) = delete;

  // Serves until stop(); then closes every connection and returns OK.
  Status run();
  // Asks run() to return. Async-signal-safe.
  void stop();

  // Creates (or with request.replace, replaces) a guest channel, as the
  // control op "launch" does; returns its absolute path. kAlreadyExists if
  // the guest exists and !replace; kResourceExhausted past max_guests;
  // kInvalidArgument for a bad name or parameters.
  StatusOr<std::filesystem::path> launch(const LaunchRequest& request);

  // {"chip": describe(), "guests": [{"name","channel","launch"}]}.
  nlohmann::json status_json() const;

  std::filesystem::path control_socket() const { return state_dir_ / kControlSocketName; }
  std::filesystem::path guest_socket(std::string_view guest) const;

 private:
  struct Guest {
    LaunchParams params;
    std::filesystem::path path;
    Socket listener;
  };
  // The serving thread closes the socket under `mu` when it is done, so
  // stop() can shut down the ones still open without racing that close.
  struct Connection {
    std::thread thread;
    std::mutex mu;
    Socket socket;
    std::atomic<bool> done{false};
  };
  // What a listening socket serves: the control API, or one guest's reports.
  struct Endpoint {
    bool control = false;
    std::string guest;
    LaunchParams params;
  };

  PspDaemon(std::filesystem::path state_dir, std::shared_ptr<const SimulatedChip> chip,
            PspDaemonOptions options);
  void wake();
  void accept_on(int listener_fd, const Endpoint& endpoint);
  void serve_connection(const Socket& socket, const Endpoint& endpoint);
  Bytes handle_guest(const Endpoint& endpoint, ByteSpan frame) const;
  Bytes handle_control(ByteSpan frame);
  void reap_connections(bool all);

  const std::filesystem::path state_dir_;
  std::shared_ptr<const SimulatedChip> chip_;
  SimulatedPsp psp_;
  const PspDaemonOptions options_;
  Socket lock_;
  Socket control_;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::atomic<bool> stopping_{false};

  mutable std::mutex guests_mu_;
  std::map<std::string, Guest, std::less<>> guests_;
  std::vector<Socket> retired_;  // replaced guests' listeners, closed by run()

  std::mutex connections_mu_;
  std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace mpcc::platform::sim
