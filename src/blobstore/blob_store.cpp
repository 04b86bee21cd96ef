// File: blobstore/blob_store.cpp
#include "blobstore/blob_store.h"

namespace mpcc::blobstore {

StatusOr<std::size_t> BlobStore::count(const std::string& container, const std::string& prefix) {
  std::size_t n = 0;
  ListOptions options;
  options.prefix = prefix;
  options.names_only = true;
  for (;;) {
    MPCC_ASSIGN_OR_RETURN(ListPage page, list(container, options));
    n += page.blobs.size();
    if (page.next_marker.empty()) return n;
    options.marker = page.next_marker;
  }
}

}  // namespace mpcc::blobstore
