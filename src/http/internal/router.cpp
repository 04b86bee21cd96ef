// File: http/internal/router.cpp
#include "http/internal/router.h"

#include <spdlog/spdlog.h>

#include <set>
#include <stdexcept>
#include <utility>

#include "http/errors.h"

namespace mpcc::http::internal {

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kPatch: return "PATCH";
    case Method::kDelete: return "DELETE";
  }
  throw std::logic_error("http: unknown Method");
}

Response internal_error_response() {
  return Response::text(500, R"({"error":{"code":"InternalError","message":"internal error"}})",
                        "application/json; charset=utf-8");
}

Response body_too_large_response(std::size_t max_body_bytes) {
  return http_error_response(413,
                             "request body larger than " + std::to_string(max_body_bytes) + " bytes");
}

void Router::add(Method method, std::string pattern, Handler handler) {
  if (!handler) throw std::logic_error("http: route() with an empty handler");
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw std::logic_error("http: invalid route pattern '" + pattern + "': " + e.what());
  }
  routes_.push_back({method, std::move(re), std::move(handler)});
}

Response Router::dispatch(const Request& request, std::optional<Method> method,
                          std::string_view name, std::size_t max_body_bytes) const {
  try {
    if (request.body.size() > max_body_bytes) return body_too_large_response(max_body_bytes);
    for (const Route& route : routes_) {
      std::smatch match;
      if (route.method != method || !std::regex_match(request.path, match, route.regex)) continue;
      Request routed = request;
      routed.path_params.clear();
      for (std::size_t i = 1; i < match.size(); ++i) routed.path_params.push_back(match[i].str());
      Response out = route.handler(routed);
      if (out.status < 100 || out.status > 599) {
        throw std::logic_error("http: handler returned status " + std::to_string(out.status));
      }
      return out;
    }
    return not_routed(request.path, name);
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", name, request.path, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-standard exception", name, request.path);
  }
  return internal_error_response();
}

Response Router::not_routed(const std::string& path, std::string_view name) const {
  std::set<Method> allowed;
  for (const Route& r : routes_) {
    if (std::regex_match(path, r.regex)) allowed.insert(r.method);
  }
  if (allowed.empty()) return http_error_response(404, "no such resource: " + path);
  std::string allow;
  for (Method m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += method_name(m);
  }
  return http_error_response(405, "method " + std::string(name) + " is not allowed on " + path)
      .with_header("Allow", allow);
}

}  // namespace mpcc::http::internal
