// File: blobstore/internal/change_log.h
//
// ChangeLog: ROOT/<container>/.changes, the file through which every
// process's name index of a container (container_index.h) learns what the
// others changed. It holds
//   bytes 0-7          the container's generation: a 64-bit counter, mapped
//                      shared and read and bumped atomically
//   bytes 4096-...     a ring of the last kSlots blob names written or
//                      removed: slot (g % kSlots) holds the name whose
//                      change made generation g + 1 (2-byte length + name;
//                      a name too long for a slot is stored as "unknown")
// A writer calls record() while it holds the container's exclusive lock,
// before its rename or unlink. A reader calls changed_between() while it
// holds the lock shared, so no writer is part-way. The file is never
// fsynced: it describes the directory, which stays the only truth, and a
// reader that cannot use it rescans the directory.
//
// Thread-safety: generation() and record() are safe from any thread;
// changed_between() reads the ring with pread(2).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "blobstore/internal/posix_file.h"
#include "common/status.h"

namespace mpcc::blobstore::internal {

class ChangeLog {
 public:
  static constexpr const char* kFileName = ".changes";
  static constexpr std::uint64_t kSlots = 1024;
  static constexpr std::size_t kSlotBytes = 128;  // names up to 126 bytes fit

  // Opens (creating it when missing) the log of the container directory
  // `dir`; kNotFound when `dir` does not exist.
  static StatusOr<ChangeLog> open(const std::filesystem::path& dir);

  ChangeLog(ChangeLog&& other) noexcept;
  ChangeLog& operator=(ChangeLog&& other) noexcept;
  ChangeLog(const ChangeLog&) = delete;
  ChangeLog& operator=(const ChangeLog&) = delete;
  ~ChangeLog();

  ino_t inode() const { return inode_; }
  std::uint64_t generation() const;
  // Writer side: notes that `name` changes and bumps the generation;
  // returns the generation before the bump.
  std::uint64_t record(const std::string& name);
  // Reader side: the names changed from generation `from` to `to`
  // (from <= to), or nullopt when the ring no longer holds them all or one
  // was too long to keep (then rescan).
  std::optional<std::vector<std::string>> changed_between(std::uint64_t from, std::uint64_t to) const;

 private:
  ChangeLog(UniqueFd fd, std::uint64_t* word, ino_t inode);
  void unmap();

  UniqueFd fd_;
  std::uint64_t* word_ = nullptr;  // mapped bytes 0-7
  ino_t inode_ = 0;
};

}  // namespace mpcc::blobstore::internal
