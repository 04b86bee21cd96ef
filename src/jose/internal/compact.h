// File: jose/internal/compact.h
//
// Private to src/jose: the pieces shared by the JWS and JWE compact
// serializations (RFC 7515 §7.1, RFC 7516 §7.1): splitting on '.', strict
// base64url segments (unpadded, canonical), JSON objects parsed with duplicate
// members refused (RFC 7515 §5.2 step 4 allows refusing them), and the "crit"
// header check. Every message starts with the caller's prefix ("JWS", "JWE").
//
// Thread-safety: free functions without shared state.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc::jose::internal {

// Splits `compact` on '.'; "a..b" gives three segments, the middle one empty.
std::vector<std::string_view> split_compact(std::string_view compact);

// Decodes one base64url segment. Refuses padding, characters outside the
// URL-safe alphabet and non-canonical encodings (nonzero unused bits), so one
// value has exactly one textual form. kInvalidArgument
// "<prefix>: <what> is not valid base64url" on failure.
StatusOr<Bytes> decode_segment(std::string_view segment, std::string_view prefix,
                               std::string_view what);

// Parses `text` as a JSON object, refusing duplicate member names at any depth.
// kInvalidArgument "<prefix>: <what> is not valid JSON" / "... is not a JSON
// object" / "... has duplicate member 'x'".
StatusOr<nlohmann::json> parse_json_object(std::string_view text, std::string_view prefix,
                                           std::string_view what);

// The "crit" header (RFC 7515 §4.1.11, RFC 7516 §4.1.13): absent is OK. When
// present it must be a non-empty array of strings (else kInvalidArgument
// "<prefix>: crit must be a non-empty array of strings"); mpcc understands no
// extension, so any listed name is refused with kPermissionDenied
// "<prefix>: unsupported critical header parameter 'x'".
Status check_crit(const nlohmann::json& header, std::string_view prefix);

// A string member of `header`: absent gives kInvalidArgument
// "<prefix>: header has no <name>", non-string "<prefix>: header <name> is not a string".
StatusOr<std::string> header_string(const nlohmann::json& header, std::string_view name,
                                    std::string_view prefix);

}  // namespace mpcc::jose::internal
