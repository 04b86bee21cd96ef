// File: crypto/encoding.h
//
// base64 (RFC 4648 §4) and base64url (§5), on OpenSSL's encoder.
//  - base64_encode: standard alphabet, padded.
//  - base64url_encode: URL-safe alphabet, unpadded (JOSE, RFC 7515 §2).
//  - base64_decode / base64url_decode: strict about the alphabet; padding is
//    optional (accepted when correct, rejected when wrong); whitespace is an
//    error. base64_decode_any accepts either alphabet (MAA and Key Vault
//    tolerate both, spec 8.1 and 9.2).
#pragma once

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc::crypto {

std::string base64_encode(ByteSpan data);
std::string base64url_encode(ByteSpan data);
inline std::string base64url_encode(std::string_view s) { return base64url_encode(as_span(s)); }
StatusOr<Bytes> base64_decode(std::string_view text);
StatusOr<Bytes> base64url_decode(std::string_view text);
StatusOr<Bytes> base64_decode_any(std::string_view text);

}  // namespace mpcc::crypto
