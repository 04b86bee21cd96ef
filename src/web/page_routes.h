// File: web/page_routes.h
//
// Serves one area of the web assets ("party" or "view") on an http::Server:
//   GET /                  -> <area>/index.html
//   GET /static/<file>     -> <area>/<file>
// with the headers every page gets: a Content-Security-Policy that allows
// only this origin's scripts and styles (no inline code), framing only by
// the origins named (the four-pane view), frames only of the origins named
// (the view's panes); plus nosniff, no referrer, no caching.
//
//   PagePolicy policy;
//   policy.frame_ancestors = {"https://127.0.0.1:9443"};
//   register_page_routes(server, Assets::embedded(), "party", policy);
//
// Errors: kInvalidArgument from check_page_policy for an origin that is not
// "http(s)://host[:port]" (it would end up in a header).
// Thread-safety: call before server.start(); the handlers are reentrant.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "http/server.h"
#include "web/assets.h"

namespace mpcc::web {

struct PagePolicy {
  std::vector<std::string> frame_ancestors;  // origins that may frame the page ('self' always)
  std::vector<std::string> frame_src;        // origins the page may frame (none by default)
};

Status check_page_policy(const PagePolicy& policy);
std::string content_security_policy(const PagePolicy& policy);

void register_page_routes(http::Server& server, Assets assets, std::string area, PagePolicy policy);

}  // namespace mpcc::web
