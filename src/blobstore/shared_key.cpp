// File: blobstore/shared_key.cpp
#include "blobstore/shared_key.h"

#include <algorithm>
#include <map>

#include "blobstore/internal/ascii.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace mpcc::blobstore {

namespace {

std::string header_value(const SharedKeyRequest& request, std::string_view name) {
  const std::string wanted = internal::ascii_lower(name);
  for (const auto& [n, v] : request.headers) {
    if (internal::ascii_lower(n) == wanted) return v;
  }
  return "";
}

std::string_view trim_leading(std::string_view s) {
  const std::size_t begin = s.find_first_not_of(" \t");
  return begin == std::string_view::npos ? std::string_view() : s.substr(begin);
}

}  // namespace

std::string shared_key_string_to_sign(std::string_view account, const SharedKeyRequest& request) {
  std::string out = request.method + "\n";
  out += header_value(request, "Content-Encoding") + "\n";
  out += header_value(request, "Content-Language") + "\n";
  out +=
      (request.content_length == 0 ? std::string() : std::to_string(request.content_length)) + "\n";
  for (const char* name : {"Content-MD5", "Content-Type", "Date", "If-Modified-Since", "If-Match",
                           "If-None-Match", "If-Unmodified-Since", "Range"}) {
    out += header_value(request, name) + "\n";
  }
  std::map<std::string, std::string> ms_headers;
  for (const auto& [n, v] : request.headers) {
    std::string name = internal::ascii_lower(n);
    if (name.starts_with("x-ms-")) ms_headers[name] = std::string(trim_leading(v));
  }
  for (const auto& [n, v] : ms_headers) out += n + ":" + v + "\n";

  out += "/" + std::string(account) + request.path;
  std::map<std::string, std::string> query;
  for (const auto& [n, v] : request.query) {
    std::string& joined = query[internal::ascii_lower(n)];
    joined += joined.empty() ? v : "," + v;
  }
  for (const auto& [n, v] : query) out += "\n" + n + ":" + v;
  return out;
}

std::string shared_key_authorization(std::string_view account, ByteSpan key,
                                     const SharedKeyRequest& request) {
  const std::string to_sign = shared_key_string_to_sign(account, request);
  const Bytes mac = crypto::hmac(crypto::HashAlg::kSha256, key, as_span(to_sign));
  return "SharedKey " + std::string(account) + ":" + crypto::base64_encode(mac);
}

}  // namespace mpcc::blobstore
