// File: fuzz/support/http_check.h
//
// The rules every answer of a route handler to a fuzzed request must keep
// (fuzz/README.md, "What counts as a finding"): a status in 200-599; an error
// status (4xx/5xx) with a JSON object body; no 5xx other than those the
// service documents for an unreachable upstream (its peers point at a closed
// port here), which the caller lists. Violations abort with the route, the
// status and the start of the body (FUZZ_CHECK).
//
//   fuzz::check_answer("POST /keys/k/create", response, {502, 503});
//
// Also: fuzz::request(), a Request for in-process http::Server::handle, and
// post_and_check(), both in one.
//
// Thread-safety: pure functions.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/server.h"
#include "support/fuzz_support.h"

namespace mpcc::fuzz {

void check_answer(std::string_view route, const http::Response& response,
                  std::initializer_list<int> allowed_5xx);

// Fuzz targets log only errors (the exception firewall's): refusals, logged
// as warnings, are what fuzzing provokes all the time.
void log_errors_only();

// Defines LLVMFuzzerInitialize for an HTTP target: errors-only logging, then
// fuzz::fixture_of<Fixture>() built before the first input (FUZZ_SETUP).
#define FUZZ_HTTP_SETUP(Fixture)                        \
  extern "C" int LLVMFuzzerInitialize(int*, char***) {  \
    ::mpcc::fuzz::log_errors_only();                    \
    ::mpcc::fuzz::fixture_of<Fixture>();                \
    return 0;                                           \
  }

// POSTs `body` (Content-Type application/json, plus `headers`) to `path` on
// `server` in process and checks the answer as check_answer does.
void post_and_check(const http::Server& server, const std::string& path,
                    std::vector<std::pair<std::string, std::string>> headers, std::string body,
                    std::initializer_list<int> allowed_5xx);

// A request as the server would hand it to a route: method, path, query
// ("a=b&c=d", not percent-encoded), headers, body, remote 127.0.0.1.
http::Request request(http::Method method, std::string path, std::string query,
                      std::vector<std::pair<std::string, std::string>> headers, std::string body);

}  // namespace mpcc::fuzz
