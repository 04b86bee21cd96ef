#include "deploy/vault_keys.h"

#include <fmt/format.h>

#include "common/file_io.h"
#include "crypto/encoding.h"
#include "identity/token_client.h"
#include "keyvault/key_client.h"
#include "keyvault/release_policy.h"

namespace mpcc::deploy {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxCredential = 4096;

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
    any_of.push_back(keyvault::hostdata_bound_entry(authority, it->second));
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
  const keyvault::KeyClient vault(client, vault_url, bearer);
  StatusOr<std::optional<json>> current = vault.release_policy(key_name);
  if (current.status().code() == StatusCode::kNotFound) {
    MPCC_RETURN_IF_ERROR(vault.create_release_key(key_name, kPartyKeySize, release_policy));
    return KeyAction::kCreated;
  }
  if (!current.ok()) return current.status();
  if (current->has_value()) {
    StatusOr<keyvault::ReleasePolicy> have = keyvault::ReleasePolicy::parse(**current);
    if (have.ok() && have->canonical_text() == wanted.canonical_text()) return KeyAction::kKept;
  }
  MPCC_RETURN_IF_ERROR(vault.set_release_policy(key_name, release_policy));
  return KeyAction::kPolicyUpdated;
}

}  // namespace mpcc::deploy
