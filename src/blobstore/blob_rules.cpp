// File: blobstore/blob_rules.cpp
//
// Validation, ETag comparison and error statuses shared by both backends
// (see blob_rules.h for the rules).
#include "blobstore/blob_rules.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

namespace mpcc::blobstore {

namespace {

constexpr std::size_t kMaxBlobNameChars = 1024;
constexpr std::size_t kMaxMessageNameBytes = 120;
constexpr std::size_t kMaxMetadataNameBytes = 256;
constexpr std::size_t kMaxMetadataBytes = 8 * 1024;
constexpr std::size_t kMaxContentTypeBytes = 256;

bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_printable_ascii(char c) { return c >= 0x20 && c <= 0x7e; }

// Number of code points when `s` is well-formed UTF-8 (no overlong forms,
// no surrogates, nothing above U+10FFFF), else nullopt.
std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if (b < 0x80) {
      cp = b;
    } else if ((b & 0xe0) == 0xc0) {
      extra = 1, cp = b & 0x1fu, min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
      extra = 2, cp = b & 0x0fu, min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
      extra = 3, cp = b & 0x07u, min = 0x10000;
    } else {
      return std::nullopt;
    }
    if (s.size() - i <= extra) return std::nullopt;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (c & 0x3fu);
    }
    if (extra > 0 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) {
      return std::nullopt;
    }
    i += extra + 1;
    ++count;
  }
  return count;
}

// The name as a message may show it: control bytes and quotes escaped, long
// names cut.
std::string printable(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < kMaxMessageNameBytes; ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u < 0x20 || u == 0x7f || s[i] == '\'' || s[i] == '\\') {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += s[i];
    }
  }
  if (s.size() > kMaxMessageNameBytes) out += "...";
  return out;
}

Status invalid_blob_name(std::string_view name, std::string_view why) {
  return invalid_argument(fmt::format("invalid blob name '{}': {}", printable(name), why));
}

Status validate_metadata(const std::map<std::string, std::string>& metadata) {
  std::size_t total = 0;
  for (const auto& [key, value] : metadata) {
    total += key.size() + value.size();
    const bool name_ok =
        !key.empty() && key.size() <= kMaxMetadataNameBytes && !(key[0] >= '0' && key[0] <= '9') &&
        key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    if (!name_ok) {
      return invalid_argument(fmt::format(
          "invalid metadata name '{}': lowercase letters, digits and '_', not starting with a "
          "digit, at most {} bytes",
          printable(key), kMaxMetadataNameBytes));
    }
    bool value_ok = !value.empty() && value.front() != ' ' && value.back() != ' ';
    for (char c : value) value_ok = value_ok && is_printable_ascii(c);
    if (!value_ok) {
      return invalid_argument(fmt::format(
          "invalid value of metadata '{}': printable ASCII, not empty, no leading or trailing "
          "space",
          key));
    }
  }
  if (total > kMaxMetadataBytes) {
    return invalid_argument(
        fmt::format("metadata too large: {} bytes, at most {}", total, kMaxMetadataBytes));
  }
  return ok_status();
}

Status validate_content_type(std::string_view content_type) {
  bool ok = content_type.size() <= kMaxContentTypeBytes &&
            (content_type.empty() || (content_type.front() != ' ' && content_type.back() != ' '));
  for (char c : content_type) ok = ok && is_printable_ascii(c);
  if (!ok) {
    return invalid_argument(
        fmt::format("invalid content type '{}': printable ASCII, at most {} bytes, no leading or "
                    "trailing space",
                    printable(content_type), kMaxContentTypeBytes));
  }
  return ok_status();
}

}  // namespace

Status validate_container_name(std::string_view container) {
  const bool ok = container.size() >= 3 && container.size() <= 63 &&
                  is_lower_or_digit(container.front()) && is_lower_or_digit(container.back()) &&
                  container.find("--") == std::string_view::npos &&
                  container.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") ==
                      std::string_view::npos;
  if (!ok) {
    return invalid_argument(fmt::format(
        "invalid container name '{}': 3-63 characters, lowercase letters, digits and single "
        "hyphens, starting and ending with a letter or digit",
        printable(container)));
  }
  return ok_status();
}

Status validate_blob_name(std::string_view name) {
  if (name.empty()) return invalid_blob_name(name, "empty");
  std::optional<std::size_t> chars = utf8_length(name);
  if (!chars) return invalid_blob_name(name, "not valid UTF-8");
  if (*chars > kMaxBlobNameChars) {
    return invalid_blob_name(name, fmt::format("longer than {} characters", kMaxBlobNameChars));
  }
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return invalid_blob_name(name, "contains a control character");
    if (c == '\\') return invalid_blob_name(name, "contains a backslash");
  }
  if (name.front() == '/') return invalid_blob_name(name, "starts with '/'");
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view segment = name.substr(start, end - start);
    if (segment.empty()) return invalid_blob_name(name, "has an empty path segment");
    if (segment == "." || segment == "..") {
      return invalid_blob_name(name, "has a '.' or '..' path segment");
    }
    if (segment.back() == '.') return invalid_blob_name(name, "has a path segment ending in '.'");
    start = end + 1;
  }
  return ok_status();
}

Status validate_etag_argument(std::string_view what, std::string_view etag) {
  std::string e = normalize_etag(etag);
  if (e == "*") {
    return invalid_argument(fmt::format(
        "{} '*' is not supported (Azurite and Azure differ on it): give an ETag{}", what,
        what == "If-Match" ? ", or use create-only (If-None-Match: *) for a put" : ""));
  }
  bool ok = !e.empty();
  for (char c : e) ok = ok && is_printable_ascii(c) && c != ' ' && c != '"';
  if (!ok) {
    return invalid_argument(fmt::format(
        "invalid {} ETag '{}': printable ASCII without spaces or quotes", what, printable(etag)));
  }
  return ok_status();
}

Status validate_put(std::string_view container, std::string_view name, const PutOptions& options) {
  MPCC_RETURN_IF_ERROR(validate_container_name(container));
  MPCC_RETURN_IF_ERROR(validate_blob_name(name));
  MPCC_RETURN_IF_ERROR(validate_content_type(options.content_type));
  MPCC_RETURN_IF_ERROR(validate_metadata(options.metadata));
  if (options.if_match) MPCC_RETURN_IF_ERROR(validate_etag_argument("If-Match", *options.if_match));
  if (options.if_match && options.if_none_match_any) {
    return invalid_argument("If-Match and If-None-Match: * cannot be combined");
  }
  return ok_status();
}

Status validate_get(std::string_view container, std::string_view name, const GetOptions& options) {
  MPCC_RETURN_IF_ERROR(validate_container_name(container));
  MPCC_RETURN_IF_ERROR(validate_blob_name(name));
  if (options.if_match) MPCC_RETURN_IF_ERROR(validate_etag_argument("If-Match", *options.if_match));
  if (options.if_none_match) {
    MPCC_RETURN_IF_ERROR(validate_etag_argument("If-None-Match", *options.if_none_match));
  }
  return ok_status();
}

StatusOr<int> effective_max_results(int max_results) {
  if (max_results < 1) {
    return invalid_argument(fmt::format("max_results must be at least 1, not {}", max_results));
  }
  return max_results > kMaxListResults ? kMaxListResults : max_results;
}

std::string effective_content_type(std::string_view content_type) {
  return content_type.empty() ? std::string(kDefaultContentType) : std::string(content_type);
}

std::string normalize_etag(std::string_view etag) {
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

bool etag_matches(std::string_view condition, std::string_view current) {
  return normalize_etag(condition) == normalize_etag(current);
}

std::string quoted_blob(std::string_view container, std::string_view name) {
  return fmt::format("'{}/{}'", printable(container), printable(name));
}

Status container_not_found(std::string_view container) {
  return not_found(fmt::format("container '{}' not found", printable(container)));
}

Status blob_not_found(std::string_view container, std::string_view name) {
  return not_found(fmt::format("blob {} not found", quoted_blob(container, name)));
}

Status condition_not_met(std::string_view container, std::string_view name,
                         std::string_view header) {
  return failed_precondition(
      fmt::format("blob {}: {} condition not met", quoted_blob(container, name), header));
}

Status blob_already_exists(std::string_view container, std::string_view name) {
  return already_exists(
      fmt::format("blob {} already exists (If-None-Match: *)", quoted_blob(container, name)));
}

}  // namespace mpcc::blobstore
