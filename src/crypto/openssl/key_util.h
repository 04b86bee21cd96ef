// File: crypto/openssl/key_util.h
//
// Private to src/crypto: key-type queries on a raw EVP_PKEY, shared by
// keys.cpp, signature.cpp, rsa_oaep.cpp, key_wrap.cpp and the X.509 code.
#pragma once

#include <openssl/evp.h>

#include <optional>
#include <string_view>

#include "common/status.h"
#include "crypto/keys.h"

namespace mpcc::crypto::internal {

// kRsa for RSA and RSA-PSS keys, kEc for EC; throws std::logic_error otherwise.
KeyType key_type(const EVP_PKEY* pkey);
// The named curve of an EC key, nullopt for RSA or an unsupported curve.
std::optional<Curve> key_curve(const EVP_PKEY* pkey);
// OK for RSA 2048..8192 and EC P-256/384/521; kInvalidArgument otherwise.
Status check_supported(const EVP_PKEY* pkey, std::string_view what);
// Modulus length in bytes (RSA keys).
std::size_t rsa_modulus_bytes(const EVP_PKEY* pkey);

}  // namespace mpcc::crypto::internal
