// File: blobstore/blob_rules.h
//
// The rules both BlobStore backends share, so they refuse and report the
// same things in the same words: name and argument validation (checked
// before anything is sent or written), ETag comparison, and the error
// statuses of the mapping in blob_store.h.
//
//   MPCC_RETURN_IF_ERROR(validate_container_name(c));
//   MPCC_RETURN_IF_ERROR(validate_blob_name(n));
//   if (!etag_matches(*options.if_match, current.etag)) return condition_not_met(c, n, "If-Match");
//
// Rules (Azure's, made strict where Azure only advises):
//  - container: 3-63 characters, lowercase letters, digits and single
//    hyphens, starting and ending with a letter or digit.
//  - blob: valid UTF-8, 1-1024 characters, no control characters (U+0000-
//    U+001F, U+007F), no backslash, no leading '/', and no empty, "." or ".."
//    segment between slashes (so no "a//b", no trailing '/', no traversal),
//    nor one ending in '.' (Azure advises against them: URL normalisation
//    may drop trailing dots).
//  - metadata: names lowercase letters, digits and '_' (not starting with a
//    digit, at most 256 bytes); values printable ASCII, not empty, no leading
//    or trailing space; names and values together at most 8 KiB.
//  - content type: printable ASCII, at most 256 bytes, no leading or
//    trailing space; empty means application/octet-stream.
//  - ETag arguments: quotes and a W/ prefix are dropped; then printable ASCII
//    without spaces or quotes. "*" is refused (Azurite lets If-Match: *
//    create a missing blob, Azure does not): create-only is
//    PutOptions::if_none_match_any.
//  - If-Match on a missing blob fails as a mismatch (kFailedPrecondition),
//    for get, put and remove alike, as Azurite answers (412).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "blobstore/blob_store.h"
#include "common/status.h"

namespace mpcc::blobstore {

inline constexpr int kMaxListResults = 5000;
inline constexpr std::string_view kDefaultContentType = "application/octet-stream";

// kInvalidArgument with a message naming the rule that failed.
Status validate_container_name(std::string_view container);
Status validate_blob_name(std::string_view name);
// Both names, the content type, the metadata and the conditions of a put.
Status validate_put(std::string_view container, std::string_view name, const PutOptions& options);
// Both names and the ETag conditions of a get.
Status validate_get(std::string_view container, std::string_view name, const GetOptions& options);
// An If-Match / If-None-Match argument (`what` names it in the message).
Status validate_etag_argument(std::string_view what, std::string_view etag);
// ListOptions::max_results after checking it (kInvalidArgument below 1, capped at 5000).
StatusOr<int> effective_max_results(int max_results);

// The content type a put stores.
std::string effective_content_type(std::string_view content_type);
// "\"0x8D...\"" or "W/\"0x8D...\"" -> "0x8D..."; other text unchanged.
std::string normalize_etag(std::string_view etag);
// True when the condition (an ETag, quoted or not) names `current`.
bool etag_matches(std::string_view condition, std::string_view current);

// The error statuses of the mapping (blob_store.h); messages quote names
// with control bytes escaped.
Status container_not_found(std::string_view container);
Status blob_not_found(std::string_view container, std::string_view name);
// kFailedPrecondition "blob 'c/n': If-Match condition not met".
Status condition_not_met(std::string_view container, std::string_view name,
                         std::string_view header);
// kAlreadyExists "blob 'c/n' already exists (If-None-Match: *)".
Status blob_already_exists(std::string_view container, std::string_view name);
// "'c/n'" as messages show it.
std::string quoted_blob(std::string_view container, std::string_view name);

}  // namespace mpcc::blobstore
