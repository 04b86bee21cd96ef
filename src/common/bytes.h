// File: common/bytes.h
//
// Byte containers used across mpcc.
//  - Bytes:       ordinary byte strings (public data, ciphertext, certificates).
//  - SecureBytes: key material and plaintext secrets; the buffer is wiped with
//                 explicit_bzero before its memory is released, on every
//                 reallocation and on destruction (cf. SoftHSM's ByteString
//                 with SecureAllocator).
//  - ByteSpan:    a read-only view of either.
// Hex is encoded here (lower case, no separators); base64 lives in
// crypto/encoding.h because it is OpenSSL's implementation.
//
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mpcc {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

// Overwrites `n` bytes at `p` in a way the compiler may not elide.
void secure_wipe(void* p, std::size_t n);

template <typename T>
struct SecureAllocator {
  using value_type = T;
  SecureAllocator() = default;
  template <typename U>
  SecureAllocator(const SecureAllocator<U>&) {}  // NOLINT
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <typename U>
  bool operator==(const SecureAllocator<U>&) const { return true; }
};

using SecureBytes = std::vector<uint8_t, SecureAllocator<uint8_t>>;

inline ByteSpan as_span(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline Bytes to_bytes(ByteSpan s) { return Bytes(s.begin(), s.end()); }
inline SecureBytes to_secure(ByteSpan s) { return SecureBytes(s.begin(), s.end()); }
inline std::string to_string(ByteSpan s) { return std::string(s.begin(), s.end()); }

// Lower-case hex of the bytes, two digits per byte, in stored order.
std::string hex_encode(ByteSpan data);
// Accepts upper or lower case; ignores nothing (whitespace is an error).
// Fails with kInvalidArgument on odd length or a non-hex character.
StatusOr<Bytes> hex_decode(std::string_view hex);

// Constant-time comparison for secrets (MACs, tags, digests of secrets).
bool constant_time_equal(ByteSpan a, ByteSpan b);

}  // namespace mpcc
