// File: blobstore/directory_store.h
//
// The directory store: a BlobStore on local disk, ROOT/<container>/<blob
// file>, with Azure Blob semantics (blob_store.h), shared safely by several
// processes (the four party apps of a local deployment open one root).
//
//   DirectoryStoreOptions options;
//   options.root = "/var/lib/mpcc/blobs";
//   MPCC_ASSIGN_OR_RETURN(std::unique_ptr<BlobStore> store, open_directory_store(options));
//
// Guarantees (README.md has the on-disk layout):
//  - Every put is atomic: the blob file (header + data, internal/blob_file.h)
//    is written to a temporary file, fsynced, renamed over the old one, and
//    the directory fsynced. Readers see the old or the new blob, never part
//    of one; a crash leaves at most an invisible ".tmp-<pid>-*" file, which
//    create_container() of an existing container removes once its writer
//    (the pid) no longer runs.
//  - Writers of a container (put, remove) serialise on an flock(2) of
//    ROOT/<container>/.lock for the check-and-rename step, so If-Match and
//    If-None-Match: * are atomic with respect to writers in other threads
//    and other processes. Reads take no lock.
//  - Every put gets a new random 64-bit ETag ("0x" + 16 hex digits).
//  - Listing: byte order of names, prefix, marker exclusive (names > marker),
//    NextMarker = the last name returned when more follow; answered from the
//    container's name index, ROOT/<container>/.index (SQLite, shared by every
//    process; internal/container_index.h): O(log n + page) per page, O(log n)
//    per count() of a "directory" prefix, never stale, and no memory that
//    grows with the container.
//  - durable = false skips the fsyncs (tests, benchmarks): atomic for
//    concurrent readers still, but not across a power loss.
//
// Errors: as blob_store.h; I/O errors name the path (posix_file.h codes), a
// blob file of the wrong shape is kDataLoss.
//
// Thread-safety: thread-safe; any number of stores (in any processes) may
// share one root.
#pragma once

#include <filesystem>
#include <memory>

#include "blobstore/blob_store.h"
#include "common/status.h"

namespace mpcc::blobstore {

struct DirectoryStoreOptions {
  std::filesystem::path root;  // created (0700) if missing
  bool durable = true;         // fsync files and directories
};

// kInvalidArgument for an empty root; I/O errors when it cannot be created
// or is not a directory.
StatusOr<std::unique_ptr<BlobStore>> open_directory_store(const DirectoryStoreOptions& options);

}  // namespace mpcc::blobstore
