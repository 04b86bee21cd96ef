// File: blobstore/internal/container_index.h
//
// ContainerIndex: the sorted names of one container's blobs, held in memory
// by a directory store, so that a listing page costs O(log n + page) and a
// count O(log n) instead of a scan of the whole directory (a party's
// container holds every owner's records). It holds only the names under the
// prefixes this process has listed or counted (a party app asks for its own
// records/<owner>/ and datakeys/<owner>/): a prefix asked for the first time
// costs one scan, and memory follows what the process reads, not the whole
// container.
//
// The directory stays the only truth; the index is a cache that is never
// written to disk and needs no recovery. It stays coherent across threads
// and processes through the container's change log (change_log.h): a
// generation counter shared by every process, and a ring of the names the
// last writes touched.
//  - A writer (put, remove) calls begin_write() while it holds the
//    container's exclusive lock, before it renames or unlinks the blob file
//    (this records the name and bumps the generation), and end_write()
//    after: that applies the writer's own change to this process's index
//    when the index was current just before (no I/O).
//  - A reader uses the index while the generation equals the one it was
//    built at. Otherwise it catches up holding the container's lock
//    *shared* (so no writer is between its bump and its rename): it looks
//    up each name changed since (one stat(2) each) when the ring still
//    holds them, and rescans the directory when it does not.
//  - A writer killed after its bump leaves a name that may or may not have
//    changed: readers look it up and find whatever the directory holds.
//  - A container removed and created again (a new .changes inode) is
//    noticed and rescanned.
// Without a usable change log (e.g. a read-only directory) every call scans;
// that is logged once per index.
//
//   ContainerIndex index(root / "data");
//   MPCC_ASSIGN_OR_RETURN(NamePage page, index.page("records/", "", 50, scan, exists));
//
// Thread-safety: thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "blobstore/internal/change_log.h"
#include "common/status.h"

namespace mpcc::blobstore::internal {

// Every blob name in the directory, in any order (the directory store's scan).
using NameScan = std::function<StatusOr<std::vector<std::string>>()>;
// Whether the blob `name` exists now.
using NameLookup = std::function<StatusOr<bool>(const std::string& name)>;

// How the index reads the directory.
struct DirectoryReader {
  NameScan scan;
  NameLookup exists;
};

struct NamePage {
  std::vector<std::string> names;  // in byte order
  bool more = false;               // names past the last one match too
};

// What begin_write() saw; pass it to end_write().
struct WriteTicket {
  bool valid = false;
  std::uint64_t before = 0;  // the generation before the bump
  ino_t inode = 0;           // of the change log bumped
};

class ContainerIndex {
 public:
  explicit ContainerIndex(std::filesystem::path dir);
  ContainerIndex(const ContainerIndex&) = delete;
  ContainerIndex& operator=(const ContainerIndex&) = delete;

  // The names starting with `prefix`, greater than `marker` (when not
  // empty), at most `limit` (>= 1). Scan errors propagate.
  StatusOr<NamePage> page(const std::string& prefix, const std::string& marker, std::size_t limit,
                          const DirectoryReader& directory);
  // How many names start with `prefix`.
  StatusOr<std::size_t> count(const std::string& prefix, const DirectoryReader& directory);

  // Writer side; the caller holds the container's exclusive lock.
  WriteTicket begin_write(const std::string& name);
  // After the rename (present = true) or unlink (present = false) of `name`.
  void end_write(const WriteTicket& ticket, const std::string& name, bool present);

 private:
  // The container's change log as it is on disk now (opened again when the
  // file was replaced); its inode, or 0 when it cannot be used. Leaves the
  // log in log_.
  ino_t current_log();
  bool index_current() const;  // caller holds mutex_
  // Whether `name` (or a prefix) lies under a watched prefix; caller holds mutex_.
  bool watches(const std::string& name) const;
  // Makes the index current and runs `read` on the names while no writer
  // of this process changes them.
  template <typename Read>
  StatusOr<std::invoke_result_t<Read, const std::vector<std::string>&>> read_current(
      const DirectoryReader& directory, const std::string& prefix, Read read);
  // Under the container's shared lock and rescan_mutex_: brings names_ to
  // the log's current generation, watching `prefix` too.
  Status catch_up(const DirectoryReader& directory, ino_t inode, const std::string& prefix);

  const std::filesystem::path dir_;
  std::mutex rescan_mutex_;          // one catch-up at a time
  mutable std::shared_mutex mutex_;  // guards everything below
  std::optional<ChangeLog> log_;
  bool built_ = false;
  std::uint64_t generation_ = 0;    // of names_
  ino_t built_inode_ = 0;           // of the log names_ was built against
  std::vector<std::string> names_;    // sorted, unique: the names under watched_
  std::vector<std::string> watched_;  // the prefixes asked for so far (none covers another)
  bool warned_ = false;
};

}  // namespace mpcc::blobstore::internal
