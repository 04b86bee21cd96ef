#include "deploy/vault_keys.h"

#include <fmt/format.h>

#include "common/file_io.h"
#include "crypto/encoding.h"
#include "identity/token_client.h"
#include "keyvault/key_registry.h"
#include "keyvault/release_policy.h"

namespace mpcc::deploy {

using nlohmann::json;

namespace {

constexpr const char* kApiVersion = "api-version=7.4";
constexpr std::size_t kMaxCredential = 4096;
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

Status vault_refused(std::string_view what, const std::string& key_name,
                     const http::ClientResponse& r) {
  return failed_precondition(
      fmt::format("{} key {}: the vault answered {}: {}", what, key_name, r.status, error_text(r)));
}

json stored_policy(const json& policy) {
  return {{"contentType", keyvault::kDefaultPolicyContentType},
          {"data", crypto::base64url_encode(policy.dump())},
          {"immutable", false}};
}

}  // namespace

StatusOr<json> key_release_policy(const DeploymentFile& file, const PartySpec& holder,
                                  const std::string& authority,
                                  const std::map<std::string, std::string>& host_data) {
  std::vector<const PartySpec*> allowed = {&holder};
  for (const PartySpec* analyst : file.analysts_of(holder.name)) {
    if (analyst != &holder) allowed.push_back(analyst);
  }
  json any_of = json::array();
  for (const PartySpec* p : allowed) {
    auto it = host_data.find(p->name);
    if (it == host_data.end() || it->second.empty()) {
      return failed_precondition(fmt::format(
          "release policy of {}: party {} has no host_data (only a confidential party can be "
          "named)",
          holder.key, p->name));
    }
    any_of.push_back({{"authority", authority},
                      {"allOf",
                       {{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}},
                        {{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", it->second}},
                        {{"claim", "x-ms-sevsnpvm-is-debuggable"}, {"equals", false}}}}});
  }
  return json{{"version", "1.0.0"}, {"anyOf", any_of}};
}

StatusOr<std::string> fetch_access_token(const http::ClientOptions& options,
                                         const std::string& identity_url,
                                         const std::filesystem::path& credential_file,
                                         const std::string& resource) {
  StatusOr<std::string> credential = read_text_file(credential_file, kMaxCredential);
  if (!credential.ok()) return credential.status().with_context("identity credential");
  identity::TokenClientConfig config;
  config.endpoint = identity_url;
  config.credential = *credential;
  secure_wipe(credential->data(), credential->size());
  StatusOr<std::string> token = identity::TokenClient(config, options).token(resource);
  secure_wipe(config.credential.data(), config.credential.size());
  if (!token.ok()) return token.status().with_context("access token");
  return token;
}

std::string_view key_action_name(KeyAction a) {
  switch (a) {
    case KeyAction::kCreated:
      return "created";
    case KeyAction::kKept:
      return "kept";
    case KeyAction::kPolicyUpdated:
      return "release policy updated";
  }
  return "?";
}

StatusOr<KeyAction> ensure_release_key(const http::Client& client, const std::string& vault_url,
                                       const std::string& bearer, const std::string& key_name,
                                       const json& release_policy) {
  MPCC_ASSIGN_OR_RETURN(keyvault::ReleasePolicy wanted,
                        keyvault::ReleasePolicy::parse(release_policy));
  const http::Headers auth = {{"Authorization", "Bearer " + bearer}};
  const std::string key_url = vault_url + "/keys/" + key_name;
  MPCC_ASSIGN_OR_RETURN(http::ClientResponse got,
                        client.get(key_url + "?" + std::string(kApiVersion), auth));
  if (got.status == 404) {
    const json body = {
        {"kty", "RSA-HSM"},
        {"key_size", 2048},
        {"key_ops", {"wrapKey", "unwrapKey", "encrypt", "decrypt"}},
        {"attributes", {{"exportable", true}}},
        {"release_policy", stored_policy(release_policy)},
    };
    MPCC_ASSIGN_OR_RETURN(http::ClientResponse created,
                          client.request("POST", key_url + "/create?" + kApiVersion, body.dump(),
                                         "application/json", auth));
    if (created.status != 200) return vault_refused("create", key_name, created);
    return KeyAction::kCreated;
  }
  if (got.status != 200) return vault_refused("read", key_name, got);
  MPCC_ASSIGN_OR_RETURN(json bundle, got.json());
  const json* data = nullptr;
  if (bundle.contains("release_policy") && bundle["release_policy"].is_object() &&
      bundle["release_policy"].contains("data") && bundle["release_policy"]["data"].is_string()) {
    data = &bundle["release_policy"]["data"];
  }
  if (data != nullptr) {
    StatusOr<keyvault::ReleasePolicy> current =
        keyvault::ReleasePolicy::from_encoded(data->get<std::string>());
    if (current.ok() && current->canonical_text() == wanted.canonical_text()) {
      return KeyAction::kKept;
    }
  }
  const json patch = {{"release_policy", stored_policy(release_policy)}};
  MPCC_ASSIGN_OR_RETURN(
      http::ClientResponse updated,
      client.request("PATCH", key_url + "?" + kApiVersion, patch.dump(), "application/json", auth));
  if (updated.status != 200)
    return vault_refused("update the release policy of", key_name, updated);
  return KeyAction::kPolicyUpdated;
}

}  // namespace mpcc::deploy
