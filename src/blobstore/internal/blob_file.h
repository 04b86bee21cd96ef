// File: blobstore/internal/blob_file.h
//
// How the directory store keeps one blob: one file per blob in its
// container's directory, holding a small header and the data, so content,
// ETag, content type and metadata change together with one rename(2).
//
//   file  = "mpcc-blob/1 " <header length, decimal> "\n" <header> <data>
//   header = JSON {"name","etag","size","content_type","last_modified","metadata"}
//
// File names: the blob name percent-encoded (every byte but A-Z a-z 0-9 - _
// and a non-leading '.' becomes %XX), or, when that would be longer than
// 200 bytes, "~" + hex SHA-256 of the name (the real name is in the header).
// Neither form contains '/' or starts with '.', so no name can leave the
// directory or collide with the store's own files (".lock", ".tmp-*").
//
//   std::string file = blob_file_name("dir/a b.txt");  // "dir%2Fa%20b.txt"
//   MPCC_ASSIGN_OR_RETURN(BlobHead head, read_blob_head(fd, path));
//
// Errors: a file that does not have this shape -> kDataLoss naming the file.
//
// Thread-safety: pure functions and reads through the caller's descriptor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "blobstore/blob_store.h"
#include "common/status.h"

namespace mpcc::blobstore::internal {

std::string blob_file_name(std::string_view blob_name);

enum class BlobFileKind {
  kNotABlob,  // the store's own files and anything not written by it
  kNamed,     // the blob name is the decoded file name
  kHashed,    // the blob name is only in the header
};
struct ClassifiedFile {
  BlobFileKind kind = BlobFileKind::kNotABlob;
  std::string blob_name;  // for kNamed
};
ClassifiedFile classify_file_name(std::string_view file_name);

// The bytes that precede the data in the file.
std::string encode_blob_head(const BlobProperties& properties);

struct BlobHead {
  BlobProperties properties;
  std::uint64_t data_offset = 0;
};
// Reads and checks the header (and that the file is exactly header + size bytes).
StatusOr<BlobHead> read_blob_head(int fd, const std::filesystem::path& path);
// The header and the data.
StatusOr<Blob> read_blob(int fd, const std::filesystem::path& path);

}  // namespace mpcc::blobstore::internal
