// File: fuzz/support/fuzz_support.cpp
//
// See fuzz_support.h.
#include "fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "common/file_io.h"

namespace mpcc::fuzz {

void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", file, line, what);
  std::abort();
}

std::string vector_path(const std::string& relative) {
  const char* env = std::getenv("MPCC_VECTORS_DIR");
  std::string dir = (env != nullptr && *env != '\0') ? env : MPCC_VECTORS_DIR;
  return dir + "/" + relative;
}

Bytes vector_file(const std::string& relative) {
  auto bytes = read_file(vector_path(relative));
  if (!bytes.ok()) {
    std::fprintf(stderr, "fuzz: cannot read the vector %s: %s\n", relative.c_str(),
                 bytes.status().to_string().c_str());
    std::abort();
  }
  return std::move(*bytes);
}

Input split_input(const uint8_t* data, std::size_t size) {
  if (size == 0) return {};
  return {data[0], as_text(data + 1, size - 1)};
}

}  // namespace mpcc::fuzz
