// File: http/internal/router.h
//
// The one routing code path of http::Server, shared by Server::handle (in
// process) and the connections (over a socket): routes of (method, regex on
// the whole decoded path), 404 / 405 + Allow, 413 over the body bound, and the
// exception firewall (anything thrown, or a status outside 100..599, becomes
// the generic 500 JSON answer; the exception is logged, never the body).
#pragma once

#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "http/server.h"

namespace mpcc::http::internal {

std::string_view method_name(Method m);

// The firewall's 500 answer (says nothing about the exception).
Response internal_error_response();

// "request body larger than N bytes" (413).
Response body_too_large_response(std::size_t max_body_bytes);

class Router {
 public:
  // Throws std::logic_error for an empty handler or an invalid pattern.
  void add(Method method, std::string pattern, Handler handler);

  // Answers `request` (its path_params are set from the route's captures).
  // `method` is nullopt for a method no route can have (OPTIONS, TRACE...):
  // then 405 (Allow lists the path's methods) or 404; `name` is the method
  // as the client spelled it, for messages.
  Response dispatch(const Request& request, std::optional<Method> method, std::string_view name,
                    std::size_t max_body_bytes) const;

 private:
  struct Route {
    Method method;
    std::regex regex;
    Handler handler;
  };
  Response not_routed(const std::string& path, std::string_view name) const;
  std::vector<Route> routes_;
};

}  // namespace mpcc::http::internal
