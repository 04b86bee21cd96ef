// File: blobstore/internal/container_index.h
//
// ContainerIndex: the sorted names of one container's blobs, kept ON DISK in
// a SQLite database next to them (ROOT/<container>/.index, WAL mode), so a
// listing page costs O(log n + page) and a process's memory does not grow
// with the container: a party app that lists its own records holds a page
// cache of at most kCacheKiB, however many records there are.
//
// It also keeps the number of names under each "directory" prefix (empty,
// or ending in '/': records/, records/contoso/), so counting those costs
// O(log n); any other prefix is a range count, O(names under it).
//
// The directory stays the truth; the index follows it, shared by every
// process that opens the root.
//  - A writer (put, remove), holding the container's exclusive lock, calls
//    begin_write(name) before its rename or unlink: that records the name as
//    *pending*. end_write() after it adds or removes the name and clears the
//    pending mark (one transaction each; no fsync: see below).
//  - A reader reads a snapshot of the names, and looks up each pending name
//    in range (one stat(2); there is none unless a write is in flight, or a
//    writer died between its two steps), so it sees the directory as it is.
//  - The next writer settles pending names its predecessors left (stat, then
//    add or remove), so a writer killed mid-write leaves nothing stale.
//  - The index is built from a scan of the directory, in one transaction
//    under the exclusive lock, when it is missing, new, or was built before
//    the last boot. Its commits are not fsynced (WAL, synchronous=NORMAL):
//    they survive a killed process but perhaps not a power loss, and a power
//    loss means a new boot id, hence a rebuild from the directory.
//  - A container removed and created again has a new index file: it is
//    noticed (inode) and opened again.
// When the index cannot be opened (e.g. a read-only directory), a reader
// scans the directory on every call (logged once); a writer fails rather
// than change the directory behind the index.
//
//   ContainerIndex index(root / "data", boot_id());
//   MPCC_ASSIGN_OR_RETURN(NamePage page, index.page("records/", "", 50, directory));
//
// Thread-safety: thread-safe (one connection per object, used under a mutex).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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

// This boot's id (/proc/sys/kernel/random/boot_id); empty when unknown,
// which makes every process rebuild an index it opens.
std::string current_boot_id();

class ContainerIndex {
 public:
  static constexpr const char* kFileName = ".index";
  static constexpr int kCacheKiB = 256;  // SQLite page cache per index

  ContainerIndex(std::filesystem::path dir, std::string boot_id);
  ~ContainerIndex();
  ContainerIndex(const ContainerIndex&) = delete;
  ContainerIndex& operator=(const ContainerIndex&) = delete;

  // The names starting with `prefix`, greater than `marker` (when not
  // empty), at most `limit` (>= 1).
  StatusOr<NamePage> page(const std::string& prefix, const std::string& marker, std::size_t limit,
                          const DirectoryReader& directory);
  // How many names start with `prefix` (O(log n) for a "directory" prefix).
  StatusOr<std::size_t> count(const std::string& prefix, const DirectoryReader& directory);

  // Writer side; the caller holds the container's exclusive lock. An error
  // means the write must not go ahead.
  Status begin_write(const std::string& name, const DirectoryReader& directory);
  // After the rename (present = true) or unlink (present = false) of `name`.
  // A failure is logged; the name stays pending, which readers resolve.
  void end_write(const std::string& name, bool present);

 private:
  class Database;
  // The open, built index (opened again when its file was replaced); caller
  // holds mutex_. `locked`: the caller holds the container's exclusive lock,
  // which building needs; without it, null when the index needs building.
  StatusOr<Database*> database(const DirectoryReader& directory, bool locked);
  // database() for a reader, which holds `guard` on mutex_ but not the
  // container's lock: takes that lock to build, letting go of mutex_ while
  // it waits (lock order: the container's lock, then mutex_, as writers).
  StatusOr<Database*> reader_database(std::unique_lock<std::mutex>& guard,
                                      const DirectoryReader& directory);
  // Every name, sorted, read from the directory when there is no index to
  // use (`why`; logged once); caller holds mutex_.
  StatusOr<std::vector<std::string>> scan_without_index(const Status& why,
                                                        const DirectoryReader& directory);
  // The index file opened, knowing whether it is built this boot.
  StatusOr<std::unique_ptr<Database>> open_built(const std::filesystem::path& file) const;

  const std::filesystem::path dir_;
  const std::string boot_id_;
  std::mutex mutex_;
  std::unique_ptr<Database> db_;
  bool warned_ = false;
};

}  // namespace mpcc::blobstore::internal
