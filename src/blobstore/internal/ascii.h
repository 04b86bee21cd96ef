// File: blobstore/internal/ascii.h
//
// ASCII lower-casing for header, metadata and setting names (which Azure
// compares case-insensitively); other bytes are left alone.
//
//   ascii_lower("X-MS-Meta-Owner")  // "x-ms-meta-owner"
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace mpcc::blobstore::internal {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace mpcc::blobstore::internal
