// File: fuzz/support/http_check.cpp
//
// See http_check.h.
#include "http_check.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace mpcc::fuzz {

namespace {

[[noreturn]] void finding(std::string_view route, const http::Response& r, const char* what) {
  std::fprintf(stderr, "FINDING: %.*s answered %d: %s\nbody: %.300s\n",
               static_cast<int>(route.size()), route.data(), r.status, what, r.body.c_str());
  std::abort();
}

}  // namespace

void check_answer(std::string_view route, const http::Response& r,
                  std::initializer_list<int> allowed_5xx) {
  if (r.status < 200 || r.status > 599) finding(route, r, "status outside 200-599");
  if (r.status >= 500 && std::find(allowed_5xx.begin(), allowed_5xx.end(), r.status) ==
                             allowed_5xx.end()) {
    finding(route, r, "a server error for a client's request");
  }
  if (r.status < 400) return;
  if (r.stream) finding(route, r, "a streamed error answer");
  auto body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) finding(route, r, "an error body that is not a JSON object");
}

void log_errors_only() { spdlog::set_level(spdlog::level::err); }

void post_and_check(const http::Server& server, const std::string& path,
                    std::vector<std::pair<std::string, std::string>> headers, std::string body,
                    std::initializer_list<int> allowed_5xx) {
  headers.emplace_back("Content-Type", "application/json");
  http::Response r =
      server.handle(request(http::Method::kPost, path, "", std::move(headers), std::move(body)));
  check_answer("POST " + path, r, allowed_5xx);
}

http::Request request(http::Method method, std::string path, std::string query,
                      std::vector<std::pair<std::string, std::string>> headers, std::string body) {
  http::Request r;
  r.method = method;
  r.path = std::move(path);
  std::string_view q = query;
  while (!q.empty()) {
    std::size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    std::size_t eq = part.find('=');
    r.query.emplace(std::string(part.substr(0, eq)),
                    eq == std::string_view::npos ? std::string() : std::string(part.substr(eq + 1)));
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
  }
  r.headers = std::move(headers);
  r.body = std::move(body);
  r.remote_addr = "127.0.0.1";
  r.scheme_host = "https://127.0.0.1:8443";
  return r;
}

}  // namespace mpcc::fuzz
