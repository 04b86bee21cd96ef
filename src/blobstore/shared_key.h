// File: blobstore/shared_key.h
//
// Azure Storage Shared Key authorization (spec azure-sdk-interop.md Part B3):
// the string-to-sign of a request and its Authorization header,
//   "SharedKey <account>:" base64(HMAC-SHA256(key, UTF-8 string-to-sign)).
//
//   SharedKeyRequest r;
//   r.method = "PUT";
//   r.path = "/devstoreaccount1/mycontainer";          // as sent, percent-encoded
//   r.query = {{"restype", "container"}};                // decoded values
//   r.headers = {{"x-ms-date", date}, {"x-ms-version", "2025-11-05"}};
//   std::string auth = shared_key_authorization("devstoreaccount1", key, r);
//
// The request must be signed exactly as it goes on the wire: `headers` are
// all headers sent except Authorization (Content-Type included when sent),
// and content_length the body size (the HTTP library adds Content-Length).
//
// Thread-safety: pure functions. The key and the signature are never logged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"

namespace mpcc::blobstore {

struct SharedKeyRequest {
  std::string method;
  std::string path;  // URL path as sent (still percent-encoded), e.g. /devstoreaccount1/c/dir/a.txt
  std::vector<std::pair<std::string, std::string>> query;    // names and decoded values
  std::vector<std::pair<std::string, std::string>> headers;  // as sent
  std::uint64_t content_length = 0;
};

// VERB, the 11 standard header lines (Content-Length empty when 0),
// CanonicalizedHeaders (x-ms-*, lowercased, sorted, "name:value\n") and
// CanonicalizedResource ("/" account path, then "\nname:value" per query
// parameter sorted by lowercased name).
std::string shared_key_string_to_sign(std::string_view account, const SharedKeyRequest& request);

// "SharedKey <account>:<signature>".
std::string shared_key_authorization(std::string_view account, ByteSpan key,
                                     const SharedKeyRequest& request);

}  // namespace mpcc::blobstore
