// File: crypto/openssl/random.cpp
//
// RAND_bytes from OpenSSL's default DRBG; aborts when it fails.
#include "crypto/random.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {
namespace {

void fill(unsigned char* p, std::size_t n) {
  while (n > 0) {
    std::size_t chunk = n > (1u << 30) ? (1u << 30) : n;
    if (RAND_bytes(p, static_cast<int>(chunk)) != 1) {
      std::fputs("mpcc: RAND_bytes failed; aborting\n", stderr);
      std::abort();
    }
    p += chunk;
    n -= chunk;
  }
}

}  // namespace

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  fill(out.data(), n);
  return out;
}

SecureBytes random_secret(std::size_t n) {
  SecureBytes out(n);
  fill(out.data(), n);
  return out;
}

uint64_t random_u64() {
  unsigned char buf[8];
  fill(buf, sizeof(buf));
  uint64_t v = 0;
  std::memcpy(&v, buf, sizeof(v));
  return v;
}

}  // namespace mpcc::crypto
