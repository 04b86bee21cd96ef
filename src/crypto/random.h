// File: crypto/random.h
//
// Cryptographically secure random bytes (OpenSSL RAND_bytes). Aborts the
// process if the DRBG fails: there is no safe way to continue without entropy.
#pragma once

#include <cstdint>

#include "common/bytes.h"

namespace mpcc::crypto {

Bytes random_bytes(std::size_t n);
SecureBytes random_secret(std::size_t n);
uint64_t random_u64();

}  // namespace mpcc::crypto
