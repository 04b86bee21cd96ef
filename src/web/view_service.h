// File: web/view_service.h
//
// The four-pane view (seed-app.md 10, served instead of a local file): one
// page that frames the parties' apps side by side. Its configuration, written
// by `mpcc up` and read by `mpcc serve view --config FILE`:
//
//   {"title": "...",
//    "listen": {"host": "127.0.0.1", "port": 9443, "tls_cert": "...", "tls_key": "..."},
//    "parties": [{"name", "display_name", "role", "sku", "app", "vault", "key",
//                 "host_data" (hex or null)}]}
//
// Routes: GET / and /static/<file> (web/view/), GET /view/config (the title
// and parties, never a credential: the operators' tokens reach the browser
// only in the view URL's fragment, which browsers do not send), GET /health.
// The page may frame exactly the parties' app origins (CSP frame-src).
//
//   MPCC_ASSIGN_OR_RETURN(ViewConfig c, load_view_config(file));
//   register_view_routes(server, c, Assets::embedded());
//
// Errors: kInvalidArgument "view config: <field>: <why>"; kNotFound for a
// missing file.
// Thread-safety: plain values; handlers are reentrant.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/server.h"
#include "web/assets.h"

namespace mpcc::web {

struct ViewParty {
  std::string name, display_name, role, sku, app, vault, key;
  std::optional<std::string> host_data;
};

struct ViewConfig {
  std::string title = "Multi-Party Confidential Computing";
  std::string listen_host = "127.0.0.1";
  int listen_port = 0;
  std::filesystem::path tls_cert, tls_key;
  std::vector<ViewParty> parties;

  nlohmann::json to_json() const;
  // What GET /view/config answers (no listen section).
  nlohmann::json public_json() const;
};

StatusOr<ViewConfig> parse_view_config(const nlohmann::json& j);
StatusOr<ViewConfig> load_view_config(const std::filesystem::path& file);

// The origin ("https://host:port") of an app URL; kInvalidArgument otherwise.
StatusOr<std::string> origin_of(const std::string& url);

Status register_view_routes(http::Server& server, const ViewConfig& config, Assets assets);

}  // namespace mpcc::web
