// File: blobstore/blob_store.h
//
// BlobStore: block blobs in containers with Azure Blob Storage semantics
// (ETags, conditional writes, create-only writes, ordered paged listing,
// metadata). Two implementations behave identically, as one test suite
// checks: the directory store (directory_store.h, the default of a local
// deployment) and the Azure Blob REST client (azure_store.h: Azurite or
// Azure Storage with Shared Key).
//
//   DirectoryStoreOptions options;
//   options.root = dir;
//   MPCC_ASSIGN_OR_RETURN(std::unique_ptr<BlobStore> store, open_directory_store(options));
//   MPCC_RETURN_IF_ERROR(store->create_container("privateappdata"));
//   PutOptions create_only;
//   create_only.if_none_match_any = true;
//   MPCC_ASSIGN_OR_RETURN(BlobProperties p,
//                         store->put("privateappdata", "a/b.json", text, create_only));
//   MPCC_ASSIGN_OR_RETURN(Blob b, store->get("privateappdata", "a/b.json"));
//
// Errors, identical for both backends:
//   container or blob missing      kNotFound ("blob 'c/n' not found" / "container 'c' not found")
//   If-Match differs, or If-Match on a missing blob (put)  kFailedPrecondition
//   If-None-Match:* on an existing blob                     kAlreadyExists
//   invalid container/blob name, metadata, content type, ETag argument  kInvalidArgument
//   authentication refused (Azure 403)                      kPermissionDenied
//   transport failure                                       kUnavailable
//   anything else upstream: kInternal / kUnavailable (5xx) with the HTTP
//   status and x-ms-error-code in the message.
// Names are validated before anything is sent or written (blob_names.h).
//
// Thread-safety: every BlobStore may be used from any number of threads at
// once; the directory store is also safe across processes sharing one root.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mpcc::blobstore {

struct BlobProperties {
  std::string name;  // blob name (may contain '/')
  std::string etag;  // unquoted, e.g. 0x8DC1A2B3C4D5E6F
  std::uint64_t size = 0;
  std::string content_type;
  std::string last_modified;                    // RFC 1123, "Tue, 24 Nov 2026 18:29:16 GMT"
  std::map<std::string, std::string> metadata;  // x-ms-meta-* (names lowercase)
};

struct Blob {
  BlobProperties properties;
  std::string data;
  bool not_modified = false;  // GetOptions::if_none_match matched: no data
};

struct PutOptions {
  // Empty means application/octet-stream (what Azure stores without one).
  std::string content_type = "application/octet-stream";
  std::optional<std::string> if_match;  // write only if the current ETag equals this
  bool if_none_match_any = false;       // create only (If-None-Match: *)
  // Names: lowercase letters, digits, '_' (not starting with a digit);
  // values: printable ASCII without leading/trailing spaces, not empty.
  std::map<std::string, std::string> metadata;
};

struct GetOptions {
  std::optional<std::string> if_match;       // kFailedPrecondition when it differs
  std::optional<std::string> if_none_match;  // equal -> Blob{not_modified=true, no data}
};

struct ListOptions {
  std::string prefix;      // only names starting with this
  std::string marker;      // continue after this (a NextMarker of a previous page)
  int max_results = 5000;  // 1..5000 (larger values are capped at 5000)
  // Only the names are needed (e.g. to count): a store may then leave the
  // other properties empty (the directory store does not read each blob's
  // head; the Azure store returns them anyway).
  bool names_only = false;
};

struct ListPage {
  std::vector<BlobProperties> blobs;  // in lexicographic (byte) order of names
  std::string next_marker;            // empty: end of the listing
};

class BlobStore {  // thread-safe; all methods may be called concurrently
 public:
  virtual ~BlobStore() = default;
  // "directory" or "azure".
  virtual std::string kind() const = 0;
  // "directory /abs/path" / "azure http://127.0.0.1:10000/devstoreaccount1" (never the key).
  virtual std::string describe() const = 0;
  // The storage account name ("local" for the directory store).
  virtual std::string account() const = 0;
  // A URL naming the blob, for display (the directory store gives a file://
  // URL of the logical name, not of the file that holds it).
  virtual std::string blob_url(const std::string& container, const std::string& name) const = 0;

  // OK if it exists already.
  virtual Status create_container(const std::string& container) = 0;
  // Stores `data` as the whole content of the blob (a block blob) and
  // returns its new properties (a new ETag on every successful put).
  virtual StatusOr<BlobProperties> put(const std::string& container, const std::string& name,
                                       std::string_view data, const PutOptions& options = {}) = 0;
  virtual StatusOr<Blob> get(const std::string& container, const std::string& name,
                             const GetOptions& options = {}) = 0;
  virtual StatusOr<BlobProperties> properties(const std::string& container,
                                              const std::string& name) = 0;
  virtual StatusOr<ListPage> list(const std::string& container,
                                  const ListOptions& options = {}) = 0;
  // How many blobs have names starting with `prefix`. This default pages
  // through list(names_only); the directory store answers from its index.
  virtual StatusOr<std::size_t> count(const std::string& container, const std::string& prefix);
  // Deletes the blob; with if_match, only while its ETag equals it
  // (kFailedPrecondition otherwise, and the blob stays).
  virtual Status remove(const std::string& container, const std::string& name,
                        const std::optional<std::string>& if_match = std::nullopt) = 0;
};

}  // namespace mpcc::blobstore
