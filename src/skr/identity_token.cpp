#include "skr/identity_token.h"

#include "identity/identity_service.h"
#include "skr/upstream.h"

namespace mpcc::skr {

std::string token_resource_for(const Endpoint& akv) {
  return akv.host.find("managedhsm") != std::string::npos ? kManagedHsmResource : kVaultResource;
}

Outcome<std::string> fetch_access_token(const http::Client& client, const IdentityConfig& config,
                                        const std::string& resource) {
  if (config.endpoint.empty()) {
    return fail(Step::kIdentity,
                failed_precondition("no managed identity is configured for this sidecar "
                                    "(--identity-endpoint) and the request has no access_token"));
  }
  std::string url = config.endpoint +
                    "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" +
                    http::encode_query_value(resource);
  if (!config.client_id.empty()) url += "&client_id=" + http::encode_query_value(config.client_id);
  http::Headers headers = {{"Metadata", "true"}};
  if (!config.credential.empty()) {
    headers.emplace_back(identity::kCredentialHeader, to_string(config.credential));
  }
  Outcome<std::string> token =
      expect_string_member(Step::kIdentity, "identity service " + config.endpoint,
                           client.get(url, headers), "access_token");
  for (auto& [name, value] : headers) secure_wipe(value.data(), value.size());
  return token;
}

}  // namespace mpcc::skr
