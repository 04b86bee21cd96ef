// File: blobstore/internal/percent_encoding.cpp
#include "blobstore/internal/percent_encoding.h"

#include "common/bytes.h"

namespace mpcc::blobstore::internal {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool kept(char c, std::size_t position, KeepSet keep) {
  switch (keep) {
    case KeepSet::kUrlPath:
      return alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    case KeepSet::kUrlQuery:
      return alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
    case KeepSet::kFileName:
      return alnum(c) || c == '-' || c == '_' || (c == '.' && position > 0);
  }
  return false;
}

}  // namespace

std::string percent_encode(std::string_view text, KeepSet keep) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (kept(c, i, keep)) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    }
  }
  return out;
}

StatusOr<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    StatusOr<Bytes> byte = i + 2 < text.size() ? hex_decode(text.substr(i + 1, 2))
                                               : StatusOr<Bytes>(invalid_argument("truncated"));
    if (!byte.ok()) return invalid_argument("malformed percent-encoding");
    out += static_cast<char>((*byte)[0]);
    i += 2;
  }
  return out;
}

}  // namespace mpcc::blobstore::internal
