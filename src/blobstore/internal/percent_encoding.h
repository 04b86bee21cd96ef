// File: blobstore/internal/percent_encoding.h
//
// Percent-encoding (RFC 3986 §2.1, upper-case hex) of blob names: in request
// paths and queries of the Azure client, and in the file names of the
// directory store.
//
//   percent_encode("dir/hello world.txt", kUrlPath)  // "dir/hello%20world.txt"
//   percent_decode("a%2Fb")                          // "a/b"
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mpcc::blobstore::internal {

// Which bytes stay as they are; every other byte becomes %XX.
enum class KeepSet {
  kUrlPath,   // unreserved (A-Z a-z 0-9 - . _ ~) and '/'
  kUrlQuery,  // unreserved only
  kFileName,  // A-Z a-z 0-9 - _ and '.' except in first position
};

std::string percent_encode(std::string_view text, KeepSet keep);
// kInvalidArgument on a '%' not followed by two hex digits.
StatusOr<std::string> percent_decode(std::string_view text);

}  // namespace mpcc::blobstore::internal
