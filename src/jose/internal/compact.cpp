#include "jose/internal/compact.h"

#include <utility>

#include "crypto/encoding.h"

namespace mpcc::jose::internal {

using nlohmann::json;

std::vector<std::string_view> split_compact(std::string_view compact) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = compact.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(compact.substr(start));
      return parts;
    }
    parts.push_back(compact.substr(start, dot - start));
    start = dot + 1;
  }
}

StatusOr<Bytes> decode_segment(std::string_view segment, std::string_view prefix,
                               std::string_view what) {
  auto error = [&] {
    return invalid_argument(std::string(prefix) + ": " + std::string(what) +
                            " is not valid base64url");
  };
  // Canonical form only: no padding, and crypto's decoder refuses nonzero
  // unused trailing bits, so each byte string has exactly one accepted text.
  if (segment.find('=') != std::string_view::npos) return error();
  StatusOr<Bytes> decoded = crypto::base64url_decode(segment);
  if (!decoded.ok()) return error();
  return decoded;
}

namespace {

// The name of a member that `text` gives twice in the object `parsed` (only
// computed for the refusal message, so a linear search is fine).
std::string duplicate_member(const json& parsed, std::string_view text) {
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    const std::string quoted = json(it.key()).dump();
    const std::size_t first = text.find(quoted);
    if (first != std::string_view::npos && text.find(quoted, first + 1) != std::string_view::npos) {
      return it.key();
    }
  }
  return "?";
}

}  // namespace

StatusOr<json> parse_json_object(std::string_view text, std::string_view prefix,
                                 std::string_view what) {
  const std::string where = std::string(prefix) + ": " + std::string(what);
  // Duplicate members: nlohmann keeps the last one silently, so count each
  // object's members while parsing and compare with its size at its end.
  std::vector<std::size_t> member_counts;
  bool has_duplicate = false;
  std::string duplicate;
  json::parser_callback_t callback = [&](int /*depth*/, json::parse_event_t event,
                                         json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::object_start:
        member_counts.push_back(0);
        break;
      case json::parse_event_t::key:
        if (!member_counts.empty()) ++member_counts.back();
        break;
      case json::parse_event_t::object_end:
        if (!member_counts.empty()) {
          if (parsed.is_object() && parsed.size() != member_counts.back() && !has_duplicate) {
            has_duplicate = true;
            duplicate = duplicate_member(parsed, text);
          }
          member_counts.pop_back();
        }
        break;
      default:
        break;
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
  if (value.is_discarded()) return invalid_argument(where + " is not valid JSON");
  if (!value.is_object()) return invalid_argument(where + " is not a JSON object");
  if (has_duplicate) {
    return invalid_argument(where + " has duplicate member '" + duplicate + "'");
  }
  return value;
}

Status check_crit(const json& header, std::string_view prefix) {
  const auto it = header.find("crit");
  if (it == header.end()) return ok_status();
  if (!it->is_array() || it->empty()) {
    return invalid_argument(std::string(prefix) + ": crit must be a non-empty array of strings");
  }
  for (const json& name : *it) {
    if (!name.is_string()) {
      return invalid_argument(std::string(prefix) + ": crit must be a non-empty array of strings");
    }
  }
  // No extension is understood: the first listed name is refused.
  return permission_denied(std::string(prefix) + ": unsupported critical header parameter '" +
                           it->front().get<std::string>() + "'");
}

StatusOr<std::string> header_string(const json& header, std::string_view name,
                                    std::string_view prefix) {
  const auto it = header.find(name);
  if (it == header.end()) {
    return invalid_argument(std::string(prefix) + ": header has no " + std::string(name));
  }
  if (!it->is_string()) {
    return invalid_argument(std::string(prefix) + ": header " + std::string(name) +
                            " is not a string");
  }
  return it->get<std::string>();
}

}  // namespace mpcc::jose::internal
