#include "web/page_routes.h"

#include <regex>

namespace mpcc::web {

namespace {

bool is_origin(const std::string& origin) {
  static const std::regex kOrigin(R"(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)");
  return std::regex_match(origin, kOrigin);
}

http::Response page_response(const Asset& asset, const std::string& csp) {
  http::Response r = http::Response::text(200, asset.body, asset.content_type);
  r.with_header("Content-Security-Policy", csp)
      .with_header("X-Content-Type-Options", "nosniff")
      .with_header("Referrer-Policy", "no-referrer")
      .with_header("Cache-Control", "no-store");
  return r;
}

http::Response not_found_response(const std::string& what) {
  return http::Response::json(404, {{"status", "error"}, {"message", "no such page: " + what}});
}

}  // namespace

Status check_page_policy(const PagePolicy& policy) {
  for (const auto* list : {&policy.frame_ancestors, &policy.frame_src}) {
    for (const std::string& origin : *list) {
      if (!is_origin(origin)) {
        return invalid_argument("page policy: '" + origin + "' is not an origin (http(s)://host[:port])");
      }
    }
  }
  return ok_status();
}

std::string content_security_policy(const PagePolicy& policy) {
  std::string csp =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
      "frame-ancestors 'self'";
  for (const std::string& o : policy.frame_ancestors) csp += " " + o;
  if (!policy.frame_src.empty()) {
    csp += "; frame-src";
    for (const std::string& o : policy.frame_src) csp += " " + o;
  }
  return csp;
}

void register_page_routes(http::Server& server, Assets assets, std::string area, PagePolicy policy) {
  const std::string csp = content_security_policy(policy);
  server.route(http::Method::kGet, "/", [assets, area, csp](const http::Request&) {
    const std::string path = area + "/index.html";
    auto asset = assets.find(path);
    return asset ? page_response(*asset, csp) : not_found_response(path);
  });
  server.route(http::Method::kGet, "/static/([A-Za-z0-9._-]+)",
               [assets, area, csp](const http::Request& request) {
                 const std::string path = area + "/" + request.path_params.at(0);
                 auto asset = assets.find(path);
                 return asset ? page_response(*asset, csp) : not_found_response(path);
               });
}

}  // namespace mpcc::web
