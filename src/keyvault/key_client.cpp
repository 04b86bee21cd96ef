#include "keyvault/key_client.h"

#include <fmt/format.h>

#include "crypto/encoding.h"
#include "keyvault/key_registry.h"
#include "keyvault/release_policy.h"

namespace mpcc::keyvault {

using nlohmann::json;

namespace {

constexpr const char* kApiVersion = "api-version=7.4";
constexpr std::size_t kMaxErrorText = 300;

// The service's error message ({"error": {"message"}}), else the start of the body.
std::string error_text(const http::ClientResponse& r) {
  StatusOr<json> j = r.json();
  if (j.ok() && j->is_object() && j->contains("error") && (*j)["error"].is_object()) {
    const json& e = (*j)["error"];
    if (e.contains("message") && e["message"].is_string()) return e["message"].get<std::string>();
  }
  return r.body.substr(0, kMaxErrorText);
}

Status refused(std::string_view what, const std::string& key_name, const http::ClientResponse& r) {
  const std::string msg =
      fmt::format("{} key {}: the vault answered {}: {}", what, key_name, r.status, error_text(r));
  if (r.status == 401 || r.status == 403) return permission_denied(msg);
  if (r.status == 404) return not_found(msg);
  return failed_precondition(msg);
}

json stored_policy(const json& policy) {
  return {{"contentType", kDefaultPolicyContentType},
          {"data", crypto::base64url_encode(policy.dump())},
          {"immutable", false}};
}

}  // namespace

json hostdata_bound_entry(const std::string& authority, const std::string& host_data) {
  return {{"authority", authority},
          {"allOf",
           {{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}},
            {{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", host_data}},
            {{"claim", "x-ms-sevsnpvm-is-debuggable"}, {"equals", false}}}}};
}

std::string entry_host_data(const json& entry) {
  if (!entry.is_object() || !entry.contains("allOf") || !entry["allOf"].is_array()) return "";
  for (const json& c : entry["allOf"]) {
    if (c.is_object() && c.value("claim", "") == "x-ms-sevsnpvm-hostdata" &&
        c.contains("equals") && c["equals"].is_string()) {
      return c["equals"].get<std::string>();
    }
  }
  return "";
}

KeyClient::KeyClient(const http::Client& client, std::string vault_url, std::string bearer)
    : client_(client), vault_url_(std::move(vault_url)), bearer_(std::move(bearer)) {
  while (!vault_url_.empty() && vault_url_.back() == '/') vault_url_.pop_back();
}

StatusOr<http::ClientResponse> KeyClient::call(std::string_view method, const std::string& path,
                                               const std::string& body) const {
  const http::Headers auth = {{"Authorization", "Bearer " + bearer_}};
  const std::string url = vault_url_ + path + "?" + kApiVersion;
  return client_.request(method, url, body, body.empty() ? "" : "application/json", auth);
}

StatusOr<std::optional<json>> KeyClient::release_policy(const std::string& key_name) const {
  MPCC_ASSIGN_OR_RETURN(http::ClientResponse got, call("GET", "/keys/" + key_name, ""));
  if (got.status != 200) return refused("read", key_name, got);
  MPCC_ASSIGN_OR_RETURN(json bundle, got.json());
  if (!bundle.contains("release_policy") || !bundle["release_policy"].is_object() ||
      !bundle["release_policy"].contains("data") || !bundle["release_policy"]["data"].is_string()) {
    return std::optional<json>();
  }
  MPCC_ASSIGN_OR_RETURN(
      ReleasePolicy policy,
      ReleasePolicy::from_encoded(bundle["release_policy"]["data"].get<std::string>()));
  return std::optional<json>(json::parse(policy.canonical_text()));
}

Status KeyClient::set_release_policy(const std::string& key_name, const json& policy) const {
  MPCC_RETURN_IF_ERROR(ReleasePolicy::parse(policy).status());
  const json patch = {{"release_policy", stored_policy(policy)}};
  MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, call("PATCH", "/keys/" + key_name, patch.dump()));
  if (r.status != 200) return refused("update the release policy of", key_name, r);
  return ok_status();
}

Status KeyClient::create_release_key(const std::string& key_name, int key_size,
                                     const json& policy) const {
  MPCC_RETURN_IF_ERROR(ReleasePolicy::parse(policy).status());
  const json body = {
      {"kty", "RSA-HSM"},
      {"key_size", key_size},
      {"key_ops", {"wrapKey", "unwrapKey", "encrypt", "decrypt"}},
      {"attributes", {{"exportable", true}}},
      {"release_policy", stored_policy(policy)},
  };
  MPCC_ASSIGN_OR_RETURN(http::ClientResponse r,
                        call("POST", "/keys/" + key_name + "/create", body.dump()));
  if (r.status != 200) return refused("create", key_name, r);
  return ok_status();
}

Status KeyClient::delete_key(const std::string& key_name) const {
  MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, call("DELETE", "/keys/" + key_name, ""));
  if (r.status != 200) return refused("delete", key_name, r);
  return ok_status();
}

}  // namespace mpcc::keyvault
