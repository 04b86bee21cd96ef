#include "web/view_service.h"

#include <fstream>

#include "http/client.h"
#include "web/page_routes.h"

namespace mpcc::web {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

StatusOr<std::string> required_string(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    return invalid_argument("view config: " + where + key + ": a non-empty string is required");
  }
  return it->get<std::string>();
}

}  // namespace

StatusOr<std::string> origin_of(const std::string& url) {
  StatusOr<http::Url> u = http::Url::parse(url);
  if (!u.ok() || (u->path_and_query != "/" && !u->path_and_query.empty())) {
    return invalid_argument("'" + url + "' is not an http(s)://host[:port] URL");
  }
  return u->origin();
}

json ViewConfig::public_json() const {
  json parties_json = json::array();
  for (const ViewParty& p : parties) {
    parties_json.push_back({{"name", p.name},
                            {"display_name", p.display_name},
                            {"role", p.role},
                            {"sku", p.sku},
                            {"app", p.app},
                            {"vault", p.vault},
                            {"key", p.key},
                            {"host_data", p.host_data ? json(*p.host_data) : json(nullptr)}});
  }
  return {{"title", title}, {"parties", std::move(parties_json)}};
}

json ViewConfig::to_json() const {
  json j = public_json();
  j["listen"] = {{"host", listen_host},
                 {"port", listen_port},
                 {"tls_cert", tls_cert.string()},
                 {"tls_key", tls_key.string()}};
  return j;
}

StatusOr<ViewConfig> parse_view_config(const json& j) {
  if (!j.is_object()) return invalid_argument("view config: must be a JSON object");
  ViewConfig c;
  if (auto it = j.find("title"); it != j.end()) {
    if (!it->is_string()) return invalid_argument("view config: title: must be a string");
    c.title = it->get<std::string>();
  }
  auto listen = j.find("listen");
  if (listen == j.end() || !listen->is_object()) {
    return invalid_argument("view config: listen: an object is required");
  }
  MPCC_ASSIGN_OR_RETURN(c.listen_host, required_string(*listen, "host", "listen."));
  auto port = listen->find("port");
  if (port == listen->end() || !port->is_number_integer() || port->get<int>() < 0 ||
      port->get<int>() > 65535) {
    return invalid_argument("view config: listen.port: an integer 0..65535 is required");
  }
  c.listen_port = port->get<int>();
  MPCC_ASSIGN_OR_RETURN(std::string cert, required_string(*listen, "tls_cert", "listen."));
  MPCC_ASSIGN_OR_RETURN(std::string key, required_string(*listen, "tls_key", "listen."));
  c.tls_cert = cert;
  c.tls_key = key;
  auto parties = j.find("parties");
  if (parties == j.end() || !parties->is_array() || parties->empty()) {
    return invalid_argument("view config: parties: a non-empty array is required");
  }
  for (std::size_t i = 0; i < parties->size(); ++i) {
    const json& p = (*parties)[i];
    const std::string where = "parties[" + std::to_string(i) + "].";
    if (!p.is_object()) return invalid_argument("view config: " + where + ": must be an object");
    ViewParty v;
    MPCC_ASSIGN_OR_RETURN(v.name, required_string(p, "name", where));
    MPCC_ASSIGN_OR_RETURN(v.display_name, required_string(p, "display_name", where));
    MPCC_ASSIGN_OR_RETURN(v.role, required_string(p, "role", where));
    MPCC_ASSIGN_OR_RETURN(v.sku, required_string(p, "sku", where));
    MPCC_ASSIGN_OR_RETURN(v.app, required_string(p, "app", where));
    MPCC_ASSIGN_OR_RETURN(v.vault, required_string(p, "vault", where));
    MPCC_ASSIGN_OR_RETURN(v.key, required_string(p, "key", where));
    if (!origin_of(v.app).ok()) {
      return invalid_argument("view config: " + where + "app: '" + v.app + "' is not an origin");
    }
    if (auto h = p.find("host_data"); h != p.end() && !h->is_null()) {
      if (!h->is_string()) return invalid_argument("view config: " + where + "host_data: not a string");
      v.host_data = h->get<std::string>();
    }
    c.parties.push_back(std::move(v));
  }
  return c;
}

StatusOr<ViewConfig> load_view_config(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return not_found("view config: cannot read " + file.string());
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument("view config: " + file.string() + " is not JSON");
  return parse_view_config(j);
}

Status register_view_routes(http::Server& server, const ViewConfig& config, Assets assets) {
  PagePolicy policy;
  for (const ViewParty& p : config.parties) {
    MPCC_ASSIGN_OR_RETURN(std::string origin, origin_of(p.app));
    policy.frame_src.push_back(std::move(origin));
  }
  MPCC_RETURN_IF_ERROR(check_page_policy(policy));
  register_page_routes(server, std::move(assets), "view", std::move(policy));
  const json public_config = config.public_json();
  server.route(http::Method::kGet, "/view/config", [public_config](const http::Request&) {
    return http::Response::json(200, public_config).with_header("Cache-Control", "no-store");
  });
  server.route(http::Method::kGet, "/health", [](const http::Request&) {
    return http::Response::json(200, {{"status", "healthy"}, {"service", "mpcc-view"}});
  });
  return ok_status();
}

}  // namespace mpcc::web
