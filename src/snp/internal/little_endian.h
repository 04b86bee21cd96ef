// File: snp/internal/little_endian.h
//
// Little-endian loads and stores for the firmware structures (the SNP report,
// the HCL wrapper). Callers check bounds first.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/bytes.h"

namespace mpcc::snp::internal {

template <typename T>
T load_le(ByteSpan d, std::size_t off) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(d[off + i]) << (8 * i));
  return v;
}

template <typename T>
void store_le(uint8_t* d, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) d[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace mpcc::snp::internal
