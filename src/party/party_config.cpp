// File: party/party_config.cpp
#include "party/party_config.h"

#include <fmt/format.h>

#include <regex>

#include "common/file_io.h"

namespace mpcc::party {

namespace {

using nlohmann::json;

Status bad(std::string_view field, std::string_view why) {
  return invalid_argument(fmt::format("party config: {}: {}", field, why));
}

// Reads j[name] as a string: required unless `optional`; "" when absent.
StatusOr<std::string> get_string(const json& j, std::string_view prefix, const char* name,
                                 bool required = true) {
  const std::string field = std::string(prefix) + name;
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required) return bad(field, "missing");
    return std::string();
  }
  if (!it->is_string()) return bad(field, "must be a string");
  if (required && it->get<std::string>().empty()) return bad(field, "must not be empty");
  return it->get<std::string>();
}

StatusOr<std::filesystem::path> get_path(const json& j, std::string_view prefix, const char* name,
                                         bool required = true) {
  MPCC_ASSIGN_OR_RETURN(std::string s, get_string(j, prefix, name, required));
  if (!s.empty() && !std::filesystem::path(s).is_absolute()) {
    return bad(std::string(prefix) + name, "must be an absolute path");
  }
  return std::filesystem::path(s);
}

StatusOr<const json*> get_object(const json& j, std::string_view prefix, const char* name,
                                 bool required = true) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required) return bad(std::string(prefix) + name, "missing");
    return static_cast<const json*>(nullptr);
  }
  if (!it->is_object()) return bad(std::string(prefix) + name, "must be an object");
  return &*it;
}

bool valid_host_data(const std::string& s) {
  static const std::regex re("[0-9a-f]{64}");
  return std::regex_match(s, re);
}

bool valid_party_name(const std::string& s) {
  static const std::regex re("[a-z][a-z0-9-]{0,31}");
  return std::regex_match(s, re);
}

// host[:port] without scheme, path or userinfo.
bool valid_endpoint(const std::string& s) {
  static const std::regex re(R"(([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?)");
  return std::regex_match(s, re);
}

bool valid_url(const std::string& s) {
  static const std::regex re(R"(https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?/?)");
  return std::regex_match(s, re);
}

StatusOr<KeyLocation> parse_key(const json& j, const std::string& prefix) {
  KeyLocation k;
  MPCC_ASSIGN_OR_RETURN(k.vault, get_string(j, prefix, "vault"));
  MPCC_ASSIGN_OR_RETURN(k.name, get_string(j, prefix, "name"));
  if (!valid_endpoint(k.vault)) return bad(prefix + "vault", "must be host[:port] without scheme");
  static const std::regex name_re("[0-9A-Za-z-]{1,127}");
  if (!std::regex_match(k.name, name_re)) return bad(prefix + "name", "not a Key Vault key name");
  return k;
}

StatusOr<PeerConfig> parse_peer(const json& j, const std::string& prefix, bool needs_url) {
  if (!j.is_object()) return bad(prefix, "must be an object");
  PeerConfig p;
  MPCC_ASSIGN_OR_RETURN(p.name, get_string(j, prefix, "name"));
  if (!valid_party_name(p.name)) return bad(prefix + "name", "not a party name");
  MPCC_ASSIGN_OR_RETURN(p.display_name, get_string(j, prefix, "display_name", false));
  if (p.display_name.empty()) p.display_name = p.name;
  MPCC_ASSIGN_OR_RETURN(const json* key, get_object(j, prefix, "key"));
  MPCC_ASSIGN_OR_RETURN(p.key, parse_key(*key, prefix + "key."));
  MPCC_ASSIGN_OR_RETURN(p.app_url, get_string(j, prefix, "app_url", needs_url));
  if (needs_url && (!valid_url(p.app_url) || p.app_url.rfind("https://", 0) != 0)) {
    return bad(prefix + "app_url", "must be an https:// origin (partner data travels over TLS)");
  }
  while (!p.app_url.empty() && p.app_url.back() == '/') p.app_url.pop_back();
  return p;
}

}  // namespace

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kOwner: return "owner";
    case Role::kAnalyst: return "analyst";
    case Role::kObserver: return "observer";
  }
  return "?";
}

const PeerConfig* PartyConfig::partner(std::string_view name) const {
  for (const auto& p : partners) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

StatusOr<PartyConfig> parse_party_config(const json& j) {
  if (!j.is_object()) return bad("(top)", "must be a JSON object");
  PartyConfig c;
  MPCC_ASSIGN_OR_RETURN(c.party, get_string(j, "", "party"));
  if (!valid_party_name(c.party)) return bad("party", "lowercase letters, digits, '-', at most 32");
  MPCC_ASSIGN_OR_RETURN(c.display_name, get_string(j, "", "display_name", false));
  if (c.display_name.empty()) c.display_name = c.party;

  MPCC_ASSIGN_OR_RETURN(std::string role, get_string(j, "", "role"));
  if (role == "owner") {
    c.role = Role::kOwner;
  } else if (role == "analyst") {
    c.role = Role::kAnalyst;
  } else if (role == "observer") {
    c.role = Role::kObserver;
  } else {
    return bad("role", "must be owner, analyst or observer");
  }
  MPCC_ASSIGN_OR_RETURN(std::string sku, get_string(j, "", "sku"));
  if (sku != "confidential" && sku != "standard") return bad("sku", "must be confidential or standard");
  c.confidential = sku == "confidential";

  MPCC_ASSIGN_OR_RETURN(const json* listen, get_object(j, "", "listen"));
  MPCC_ASSIGN_OR_RETURN(c.listen_host, get_string(*listen, "listen.", "host", false));
  if (c.listen_host.empty()) c.listen_host = "127.0.0.1";
  if (auto p = listen->find("port"); p != listen->end()) {
    if (!p->is_number_integer() || p->get<int64_t>() < 0 || p->get<int64_t>() > 65535) {
      return bad("listen.port", "must be an integer 0-65535");
    }
    c.listen_port = p->get<int>();
  }
  MPCC_ASSIGN_OR_RETURN(c.tls_cert, get_path(*listen, "listen.", "tls_cert"));
  MPCC_ASSIGN_OR_RETURN(c.tls_key, get_path(*listen, "listen.", "tls_key"));
  MPCC_ASSIGN_OR_RETURN(c.ca_cert, get_path(j, "", "ca_cert"));
  MPCC_ASSIGN_OR_RETURN(c.operator_token_file, get_path(j, "", "operator_token_file"));

  MPCC_ASSIGN_OR_RETURN(const json* sidecar, get_object(j, "", "sidecar"));
  MPCC_ASSIGN_OR_RETURN(c.sidecar_url, get_string(*sidecar, "sidecar.", "url"));
  if (!valid_url(c.sidecar_url)) return bad("sidecar.url", "must be an http(s) origin");
  if (c.sidecar_url.rfind("http://127.0.0.1", 0) != 0 && c.sidecar_url.rfind("http://localhost", 0) != 0 &&
      c.sidecar_url.rfind("http://[::1]", 0) != 0) {
    return bad("sidecar.url", "the sidecar must be on loopback");
  }
  while (c.sidecar_url.back() == '/') c.sidecar_url.pop_back();
  MPCC_ASSIGN_OR_RETURN(c.group_token_file, get_path(*sidecar, "sidecar.", "group_token_file", false));

  MPCC_ASSIGN_OR_RETURN(c.maa_endpoint, get_string(j, "", "maa_endpoint"));
  if (!valid_endpoint(c.maa_endpoint)) return bad("maa_endpoint", "must be host[:port] without scheme");
  MPCC_ASSIGN_OR_RETURN(const json* key, get_object(j, "", "key"));
  MPCC_ASSIGN_OR_RETURN(c.key, parse_key(*key, "key."));

  MPCC_ASSIGN_OR_RETURN(const json* storage, get_object(j, "", "storage"));
  MPCC_ASSIGN_OR_RETURN(c.storage.type, get_string(*storage, "storage.", "type"));
  if (c.storage.type == "directory") {
    MPCC_ASSIGN_OR_RETURN(c.storage.path, get_path(*storage, "storage.", "path"));
  } else if (c.storage.type == "azure") {
    MPCC_ASSIGN_OR_RETURN(c.storage.connection_string_file,
                          get_path(*storage, "storage.", "connection_string_file"));
  } else {
    return bad("storage.type", "must be directory or azure");
  }
  MPCC_ASSIGN_OR_RETURN(c.container, get_string(j, "", "container", false));
  if (c.container.empty()) c.container = "privateappdata";

  MPCC_ASSIGN_OR_RETURN(std::filesystem::path csv, get_path(j, "", "csv_file", false));
  if (!csv.empty()) c.csv_file = csv;

  MPCC_ASSIGN_OR_RETURN(const json* other, get_object(j, "", "other_company", false));
  if (other != nullptr) {
    MPCC_ASSIGN_OR_RETURN(PeerConfig p, parse_peer(*other, "other_company.", false));
    c.other_company = std::move(p);
  }
  if (auto it = j.find("partners"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return bad("partners", "must be an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      MPCC_ASSIGN_OR_RETURN(PeerConfig p,
                            parse_peer((*it)[i], fmt::format("partners[{}].", i), true));
      if (c.partner(p.name) != nullptr) return bad("partners", "duplicate partner " + p.name);
      c.partners.push_back(std::move(p));
    }
  }
  if (c.role == Role::kAnalyst && c.partners.empty()) return bad("partners", "an analyst needs partners");
  if (c.role != Role::kAnalyst && !c.partners.empty()) return bad("partners", "only an analyst has partners");

  MPCC_ASSIGN_OR_RETURN(const json* identity, get_object(j, "", "identity", false));
  if (identity != nullptr) {
    IdentityConfig id;
    MPCC_ASSIGN_OR_RETURN(id.endpoint, get_string(*identity, "identity.", "endpoint"));
    if (!valid_url(id.endpoint)) return bad("identity.endpoint", "must be an http(s) origin");
    MPCC_ASSIGN_OR_RETURN(id.credential_file, get_path(*identity, "identity.", "credential_file"));
    MPCC_ASSIGN_OR_RETURN(id.client_id, get_string(*identity, "identity.", "client_id", false));
    c.identity = std::move(id);
  }
  if (c.role == Role::kAnalyst && !c.identity) {
    return bad("identity", "an analyst needs an identity to authenticate to its partners");
  }
  MPCC_ASSIGN_OR_RETURN(c.identity_issuer, get_string(j, "", "identity_issuer", false));
  MPCC_ASSIGN_OR_RETURN(c.audience, get_string(j, "", "audience", false));
  if (auto it = j.find("partner_readers"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return bad("partner_readers", "must be an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string prefix = fmt::format("partner_readers[{}].", i);
      if (!(*it)[i].is_object()) return bad(prefix, "must be an object");
      PartnerReader r;
      MPCC_ASSIGN_OR_RETURN(r.name, get_string((*it)[i], prefix, "name"));
      MPCC_ASSIGN_OR_RETURN(r.object_id, get_string((*it)[i], prefix, "object_id"));
      MPCC_ASSIGN_OR_RETURN(r.display_name, get_string((*it)[i], prefix, "display_name", false));
      if (r.display_name.empty()) r.display_name = r.name;
      MPCC_ASSIGN_OR_RETURN(r.host_data, get_string((*it)[i], prefix, "host_data", false));
      if (!r.host_data.empty() && !valid_host_data(r.host_data)) {
        return bad(prefix + "host_data", "must be 64 lowercase hex digits");
      }
      c.partner_readers.push_back(std::move(r));
    }
  }
  if (!c.partner_readers.empty() && (c.identity_issuer.empty() || c.audience.empty())) {
    return bad("partner_readers", "need identity_issuer and audience to verify partner tokens");
  }
  MPCC_ASSIGN_OR_RETURN(const json* admin, get_object(j, "", "admin_identity", false));
  if (admin != nullptr) {
    if (c.role != Role::kOwner || !c.identity) {
      return bad("admin_identity", "only an owner with an identity has an administrator");
    }
    AdminIdentity a;
    MPCC_ASSIGN_OR_RETURN(a.credential_file, get_path(*admin, "admin_identity.", "credential_file"));
    MPCC_ASSIGN_OR_RETURN(a.client_id, get_string(*admin, "admin_identity.", "client_id", false));
    c.admin_identity = std::move(a);
  }
  MPCC_ASSIGN_OR_RETURN(const json* branding, get_object(j, "", "branding", false));
  if (branding != nullptr) {
    for (const auto& item : branding->items()) {
      if (!item.value().is_string()) return bad("branding." + item.key(), "must be a string");
    }
    c.branding = *branding;
  }
  if (auto f = j.find("frame_ancestors"); f != j.end() && !f->is_null()) {
    if (!f->is_array()) return bad("frame_ancestors", "must be an array of origins");
    for (std::size_t i = 0; i < f->size(); ++i) {
      const json& o = (*f)[i];
      if (!o.is_string() || !valid_url(o.get<std::string>())) {
        return bad(fmt::format("frame_ancestors[{}]", i), "must be an http(s) origin");
      }
      c.frame_ancestors.push_back(o.get<std::string>());
    }
  }
  if (auto a = j.find("analysis"); a != j.end() && !a->is_null()) {
    if (!a->is_object()) return bad("analysis", "must be an object");
    if (auto m = a->find("min_group_size"); m != a->end()) {
      if (!m->is_number_integer() || m->get<int64_t>() < 1 || m->get<int64_t>() > 1000000) {
        return bad("analysis.min_group_size", "must be an integer >= 1");
      }
      c.min_group_size = m->get<int>();
    }
  }
  return c;
}

StatusOr<PartyConfig> load_party_config(const std::filesystem::path& file) {
  MPCC_ASSIGN_OR_RETURN(std::string text, read_text_file(file));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return invalid_argument("party config: " + file.string() + " is not JSON");
  return parse_party_config(j);
}

namespace {

StatusOr<std::string> read_secret(const std::filesystem::path& file, std::string_view what) {
  MPCC_ASSIGN_OR_RETURN(std::string text, read_text_file(file, 4096));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.empty()) return invalid_argument(fmt::format("party config: {} file {} is empty", what, file.string()));
  return text;
}

}  // namespace

StatusOr<PartySecrets> load_party_secrets(const PartyConfig& config) {
  PartySecrets s;
  MPCC_ASSIGN_OR_RETURN(std::string op, read_secret(config.operator_token_file, "operator token"));
  if (op.size() < 16) return invalid_argument("party config: the operator token is shorter than 16 characters");
  s.operator_token = to_secure(to_bytes(op));
  if (!config.group_token_file.empty()) {
    MPCC_ASSIGN_OR_RETURN(std::string g, read_secret(config.group_token_file, "group token"));
    s.group_token = std::move(g);
  }
  if (config.identity) {
    MPCC_ASSIGN_OR_RETURN(std::string cred, read_secret(config.identity->credential_file, "identity credential"));
    s.identity_credential = std::move(cred);
  }
  if (config.admin_identity) {
    MPCC_ASSIGN_OR_RETURN(std::string cred, read_secret(config.admin_identity->credential_file,
                                                        "administrator credential"));
    s.admin_credential = std::move(cred);
  }
  return s;
}

}  // namespace mpcc::party
