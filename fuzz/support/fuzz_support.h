// File: fuzz/support/fuzz_support.h
//
// Helpers shared by the fuzz targets (fuzz/fuzz_*.cpp):
//  - FUZZ_CHECK(cond, what): an invariant; when false, prints `what` with the
//    file and line and aborts, which libFuzzer (or replay_main) reports as a
//    finding with the input that caused it.
//  - vector_path(), vector_file(): a file of the real test vectors (MPCC_VECTORS_DIR in the
//    environment, else the directory the build was configured with).
//  - Input: the fuzz input viewed as a selector byte followed by the rest,
//    for targets that feed one of several entry points.
//  - fixture_of<T>(), FUZZ_SETUP(f): a fixture built once, before the first
//    input.
//
// Thread-safety: pure functions; libFuzzer calls targets from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"

namespace mpcc::fuzz {

[[noreturn]] void fail(const char* what, const char* file, int line);

#define FUZZ_CHECK(cond, what)                              \
  do {                                                      \
    if (!(cond)) ::mpcc::fuzz::fail((what), __FILE__, __LINE__); \
  } while (0)

// `relative` under the vectors directory.
std::string vector_path(const std::string& relative);
// The process's one T: built on first use, never destroyed (libFuzzer exits
// without unwinding, and a fixture's server threads keep running).
template <typename T>
T& fixture_of() {
  static T* t = new T;
  return *t;
}

// Defines LLVMFuzzerInitialize to call `setup()` before the first input, so
// that building a fixture does not count against that input's -timeout.
#define FUZZ_SETUP(setup)                               \
  extern "C" int LLVMFuzzerInitialize(int*, char***) {  \
    setup();                                            \
    return 0;                                           \
  }

// The bytes of `relative` under the vectors directory; aborts (a broken
// fixture, not a finding) when the file cannot be read.
Bytes vector_file(const std::string& relative);

// The first byte selects an entry point, the rest is its input.
struct Input {
  uint8_t selector = 0;
  std::string_view rest;
  ByteSpan rest_bytes() const {
    return ByteSpan(reinterpret_cast<const uint8_t*>(rest.data()), rest.size());
  }
};
Input split_input(const uint8_t* data, std::size_t size);

inline std::string_view as_text(const uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace mpcc::fuzz
