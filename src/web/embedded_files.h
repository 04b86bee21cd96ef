// File: web/embedded_files.h
//
// The bytes of every file under the source tree's web/ folder, compiled into
// the binary by cmake/embed_files.cmake (generated embedded_files.cpp).
// Read them through Assets (assets.h), not directly.
//
// Thread-safety: constant data.
#pragma once

#include <cstddef>

namespace mpcc::web::embedded {

struct File {
  const char* path;  // relative to web/, e.g. "party/index.html"
  const unsigned char* data;
  std::size_t size;
};

// kFileCount entries, then a terminating {nullptr, nullptr, 0}.
extern const File kFiles[];
extern const std::size_t kFileCount;

}  // namespace mpcc::web::embedded
