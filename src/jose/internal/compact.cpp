#include "jose/internal/compact.h"

#include <set>
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
  if (segment.find('=') != std::string_view::npos) return error();
  StatusOr<Bytes> decoded = crypto::base64url_decode(segment);
  if (!decoded.ok()) return error();
  // Canonical form only: re-encoding must give back the same text.
  if (crypto::base64url_encode(*decoded) != segment) return error();
  return decoded;
}

StatusOr<json> parse_json_object(std::string_view text, std::string_view prefix,
                                 std::string_view what) {
  const std::string where = std::string(prefix) + ": " + std::string(what);
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  bool has_duplicate = false;
  json::parser_callback_t callback = [&](int /*depth*/, json::parse_event_t event,
                                         json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_objects.empty() && parsed.is_string() &&
            !open_objects.back().insert(parsed.get<std::string>()).second && !has_duplicate) {
          has_duplicate = true;
          duplicate = parsed.get<std::string>();
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
