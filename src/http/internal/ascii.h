// File: http/internal/ascii.h
//
// ASCII case-insensitive comparison for HTTP header names (RFC 9110 §5.1).
#pragma once

#include <cstddef>
#include <string_view>

namespace mpcc::http::internal {

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace mpcc::http::internal
