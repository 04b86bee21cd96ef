// File: skr/internal/wipe.h
//
// Overwriting key material the sidecar held in ordinary strings (a released
// JWK's JSON text, the JSON value it came from) before the memory is freed.
// Copies outside this process's hands (the HTTP library's response buffer)
// are not reached.
//
// Thread-safety: functions on the caller's own values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/bytes.h"

namespace mpcc::skr::internal {

inline void wipe(std::string& s) { secure_wipe(s.data(), s.size()); }

// Every string in `j` (values, not member names).
inline void wipe_strings(nlohmann::json& j) {
  if (j.is_string()) {
    wipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (nlohmann::json& v : j) wipe_strings(v);
  }
}

}  // namespace mpcc::skr::internal
