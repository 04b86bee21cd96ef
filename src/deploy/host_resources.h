// File: deploy/host_resources.h
//
// What `mpcc up` and `mpcc down` take from the machine besides processes:
// the state directory's lock and loopback TCP ports.
//
//   MPCC_ASSIGN_OR_RETURN(DirLock lock, DirLock::acquire(layout.lock_file()));
//   MPCC_RETURN_IF_ERROR(check_port_free(8001, "party-contoso"));
//   MPCC_ASSIGN_OR_RETURN(int port, pick_free_port());
//
// Thread-safety: DirLock is a move-only handle; the functions are reentrant.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace mpcc::deploy {

// DIR/.lock held with flock() for the lifetime of the object; close-on-exec,
// so the children never inherit it.
class DirLock {
 public:
  // kFailedPrecondition when another process holds it; kUnavailable when the
  // file cannot be opened.
  static StatusOr<DirLock> acquire(const std::filesystem::path& path);
  DirLock(DirLock&& o) noexcept;
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  ~DirLock();

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

// Binds 127.0.0.1:port as the services do (SO_REUSEADDR) and closes again.
// kUnavailable naming the port and the component when something listens.
Status check_port_free(int port, const std::string& component);

// An unused loopback port (bind port 0, read it back, close).
StatusOr<int> pick_free_port();

}  // namespace mpcc::deploy
