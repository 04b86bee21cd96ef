// File: blobstore/internal/http_date.h
//
// RFC 1123 dates as HTTP and Azure Storage write them ("Tue, 24 Nov 2026
// 18:29:16 GMT"): x-ms-date of every Azure request, Last-Modified of the
// directory store. English names whatever the process locale.
//
//   std::string date = format_http_date(std::chrono::system_clock::now());
//
// Thread-safety: pure functions (gmtime_r).
#pragma once

#include <chrono>
#include <string>

namespace mpcc::blobstore::internal {

std::string format_http_date(std::chrono::system_clock::time_point t);

}  // namespace mpcc::blobstore::internal
