#include "deploy/endpoints.h"

#include "common/file_io.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxEndpointsFile = 1u << 20;

Status field_error(const std::string& path, const std::string& what) {
  return invalid_argument("endpoints.json: \"" + path + "\" " + what);
}

StatusOr<std::string> string_at(const json& obj, const std::string& key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) return field_error(path, "is missing");
  if (!it->is_string()) return field_error(path, "must be a string");
  return it->get<std::string>();
}

StatusOr<const json*> object_at(const json& obj, const std::string& key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) return field_error(path, "is missing");
  if (!it->is_object()) return field_error(path, "must be an object");
  return &*it;
}

}  // namespace

json endpoints_to_json(const Endpoints& e) {
  json vaults = json::object();
  for (const auto& [party, url] : e.vaults) vaults[party] = url;
  json identities = json::object();
  for (const auto& [name, id] : e.identities) {
    identities[name] = {{"client_id", id.client_id},
                        {"object_id", id.object_id},
                        {"credential_file", id.credential_file.string()}};
  }
  return {{"ca_cert", e.ca_cert.string()},
          {"attestation", e.attestation},
          {"identity", e.identity},
          {"vaults", vaults},
          {"identities", identities},
          {"psp", {{"state_dir", e.psp_state_dir.string()}, {"chain", e.psp_chain.string()}}},
          {"parties", e.parties},
          {"view", e.view}};
}

StatusOr<Endpoints> endpoints_from_json(const json& j) {
  if (!j.is_object()) return invalid_argument("endpoints.json: not a JSON object");
  Endpoints e;
  MPCC_ASSIGN_OR_RETURN(std::string ca, string_at(j, "ca_cert", "ca_cert"));
  e.ca_cert = ca;
  MPCC_ASSIGN_OR_RETURN(e.attestation, string_at(j, "attestation", "attestation"));
  MPCC_ASSIGN_OR_RETURN(e.identity, string_at(j, "identity", "identity"));
  MPCC_ASSIGN_OR_RETURN(const json* vaults, object_at(j, "vaults", "vaults"));
  for (const auto& item : vaults->items()) {
    MPCC_ASSIGN_OR_RETURN(e.vaults[item.key()],
                          string_at(*vaults, item.key(), "vaults." + item.key()));
  }
  MPCC_ASSIGN_OR_RETURN(const json* identities, object_at(j, "identities", "identities"));
  for (const auto& item : identities->items()) {
    const std::string& name = item.key();
    const json& value = item.value();
    const std::string where = "identities." + name;
    if (!value.is_object()) return field_error(where, "must be an object");
    IdentityEndpoint id;
    MPCC_ASSIGN_OR_RETURN(id.client_id, string_at(value, "client_id", where + ".client_id"));
    MPCC_ASSIGN_OR_RETURN(id.object_id, string_at(value, "object_id", where + ".object_id"));
    MPCC_ASSIGN_OR_RETURN(std::string cred,
                          string_at(value, "credential_file", where + ".credential_file"));
    id.credential_file = cred;
    e.identities[name] = std::move(id);
  }
  MPCC_ASSIGN_OR_RETURN(const json* psp, object_at(j, "psp", "psp"));
  MPCC_ASSIGN_OR_RETURN(std::string psp_dir, string_at(*psp, "state_dir", "psp.state_dir"));
  MPCC_ASSIGN_OR_RETURN(std::string chain, string_at(*psp, "chain", "psp.chain"));
  e.psp_state_dir = psp_dir;
  e.psp_chain = chain;
  if (auto it = j.find("parties"); it != j.end()) {
    if (!it->is_object()) return field_error("parties", "must be an object");
    e.parties = *it;
  }
  if (auto it = j.find("view"); it != j.end()) e.view = *it;
  return e;
}

Status write_endpoints(const fs::path& path, const Endpoints& e) {
  const std::string text = endpoints_to_json(e).dump(2) + "\n";
  return write_file_atomic(path, as_span(text));
}

StatusOr<Endpoints> read_endpoints(const fs::path& path) {
  MPCC_ASSIGN_OR_RETURN(std::string text, read_text_file(path, kMaxEndpointsFile));
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument(path.string() + ": not JSON");
  StatusOr<Endpoints> e = endpoints_from_json(j);
  if (!e.ok()) return e.status().with_context(path.string());
  return e;
}

}  // namespace mpcc::deploy
