// File: identity/token_client.cpp
#include "identity/token_client.h"

#include <fmt/format.h>

#include "identity/identity_service.h"

namespace mpcc::identity {

namespace {



std::string describe_error(const http::ClientResponse& r) {
  auto j = r.json();
  if (j.ok() && j->is_object()) {
    const auto d = j->value("error_description", std::string());
    const auto e = j->value("error", std::string());
    if (!d.empty() || !e.empty()) return e + (d.empty() ? "" : ": " + d);
  }
  return r.body.substr(0, 300);
}

}  // namespace

TokenClient::TokenClient(TokenClientConfig config, http::ClientOptions options)
    : config_(std::move(config)), client_(std::move(options)) {}

StatusOr<std::string> TokenClient::token(const std::string& resource) const {
  const auto now = std::chrono::system_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(resource);
    if (it != cache_.end() && now < it->second.refresh_after) return it->second.token;
  }
  std::string url = config_.endpoint + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" +
                    http::encode_query_value(resource);
  if (!config_.client_id.empty()) url += "&client_id=" + http::encode_query_value(config_.client_id);
  http::Headers headers = {{"Metadata", "true"}};
  if (!config_.credential.empty()) headers.emplace_back(kCredentialHeader, config_.credential);
  MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, client_.get(url, headers));
  if (r.status == 401 || r.status == 403) {
    return permission_denied(fmt::format("identity service refused a token for {}: {}", resource,
                                         describe_error(r)));
  }
  if (r.status == 400) {
    return invalid_argument(fmt::format("identity service: bad token request for {}: {}", resource,
                                        describe_error(r)));
  }
  if (r.status != 200) {
    return unavailable(fmt::format("identity service answered {} for {}: {}", r.status, resource,
                                   describe_error(r)));
  }
  MPCC_ASSIGN_OR_RETURN(nlohmann::json j, r.json());
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string()) {
    return internal_error("identity service: a 200 answer without access_token");
  }
  std::string token = j["access_token"].get<std::string>();
  long long expires_in = 3600;
  if (auto e = j.find("expires_in"); e != j.end()) {
    try {
      expires_in = e->is_string() ? std::stoll(e->get<std::string>()) : e->get<long long>();
    } catch (const std::exception&) {
      expires_in = 0;  // unknown: do not cache
    }
  }
  const auto refresh_after = now + std::chrono::seconds(std::max(0LL, expires_in - 300));
  std::lock_guard lock(mu_);
  cache_[resource] = Cached{token, refresh_after};
  return token;
}

}  // namespace mpcc::identity
