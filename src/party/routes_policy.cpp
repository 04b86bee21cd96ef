// File: party/routes_policy.cpp
//
// Beyond the seed: the release-policy panel and the revoke button.
//   GET  /policy/release              the own key's release policy (from the vault)
//   POST /policy/what-if              {token? | claims?, policy?} -> decision and
//                                     failing clauses (claims NOT verified: a what-if)
//   GET  /grants                      owners: which analysts the key admits
//   POST /grants/<analyst>/revoke     owners: withdraw the analyst's entry from the
//   POST /grants/<analyst>/restore    key's release policy, or put it back (live, at
//                                     the vault, with the owner's administrator identity)
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "keyvault/key_client.h"
#include "keyvault/release_policy.h"
#include "party/party_app.h"

namespace mpcc::party {

using nlohmann::json;

namespace {

constexpr const char* kVaultResource = "https://vault.azure.net";

StatusOr<json> optional_body(const http::Request& request) {
  if (request.body.empty()) return json::object();
  MPCC_ASSIGN_OR_RETURN(json j, request.json_body());
  if (!j.is_object()) return invalid_argument("request body must be a JSON object");
  return j;
}

// The claims to evaluate: a token's (decoded, unverified), explicit claims, or
// the last attestation token's.
StatusOr<json> what_if_claims(const json& body, const std::string& last_token) {
  if (auto t = body.find("token"); t != body.end() && !t->is_null()) {
    if (!t->is_string()) return invalid_argument("token: must be a JWT string");
    json claims = unverified_jwt_claims(t->get<std::string>());
    if (claims.is_null()) return invalid_argument("token: not a JWT with a JSON object payload");
    return claims;
  }
  if (auto c = body.find("claims"); c != body.end() && !c->is_null()) {
    if (!c->is_object()) return invalid_argument("claims: must be a JSON object");
    return *c;
  }
  if (last_token.empty()) {
    return failed_precondition(
        "no attestation token yet: request one (Remote Attestation) or give a token or claims");
  }
  return unverified_jwt_claims(last_token);
}

}  // namespace

StatusOr<json> PartyApp::read_own_policy(identity::TokenClient& tokens) {
  MPCC_ASSIGN_OR_RETURN(std::string bearer, tokens.token(kVaultResource));
  const http::Client client(client_options_);
  const keyvault::KeyClient vault(client, "https://" + config_.key.vault, bearer);
  MPCC_ASSIGN_OR_RETURN(std::optional<json> policy, vault.release_policy(config_.key.name));
  if (!policy) return not_found("key " + config_.key.name + " has no release policy");
  return *policy;
}

http::Response PartyApp::policy_release(const http::Request&) {
  if (tokens_ == nullptr) return error_response(412, "this party has no identity to read its key");
  auto policy = read_own_policy(*tokens_);
  if (!policy.ok()) {
    return error_response(http_status_for(policy.status()),
                          "cannot read the key's release policy: " + policy.status().message());
  }
  return http::Response::json(
      200, {{"key_name", config_.key.name}, {"vault", config_.key.vault}, {"policy", *policy}});
}

http::Response PartyApp::policy_what_if(const http::Request& request) {
  auto body = optional_body(request);
  if (!body.ok()) return error_response(400, body.status().message());
  auto claims = what_if_claims(*body, last_token());
  if (!claims.ok()) return error_response(http_status_for(claims.status()), claims.status().message());

  json policy_json;
  if (auto p = body->find("policy"); p != body->end() && !p->is_null()) {
    if (p->is_string()) {
      policy_json = json::parse(p->get<std::string>(), nullptr, /*allow_exceptions=*/false);
      if (policy_json.is_discarded()) return error_response(400, "policy: not JSON");
    } else {
      policy_json = *p;
    }
  } else {
    if (tokens_ == nullptr) return error_response(412, "no policy given and no identity to read one");
    auto own = read_own_policy(*tokens_);
    if (!own.ok()) {
      return error_response(http_status_for(own.status()),
                            "no policy given and the key's cannot be read: " + own.status().message());
    }
    policy_json = std::move(*own);
  }
  auto policy = keyvault::ReleasePolicy::parse(policy_json);
  if (!policy.ok()) return error_response(400, policy.status().message());

  json result = policy->evaluate(*claims).to_json();
  result["policy"] = policy->to_json();
  result["claims"] = *claims;
  result["signature_checked"] = false;
  result["note"] =
      "A what-if evaluates the claims as given. A vault also verifies the token's signature "
      "against the authority's keys before it evaluates the policy.";
  return http::Response::json(200, result);
}

json PartyApp::grants_json(const json& policy) const {
  json out = json::array();
  const json& any_of = policy.contains("anyOf") ? policy["anyOf"] : json::array();
  for (const PartnerReader& r : config_.partner_readers) {
    bool granted = false;
    for (const json& entry : any_of) {
      granted = granted || (!r.host_data.empty() && keyvault::entry_host_data(entry) == r.host_data);
    }
    out.push_back({{"analyst", r.name}, {"display_name", r.display_name}, {"granted", granted}});
  }
  return {{"grants", out}, {"key_name", config_.key.name}, {"can_revoke", admin_ != nullptr}};
}

http::Response PartyApp::grants(const http::Request&) {
  if (config_.role != Role::kOwner || config_.partner_readers.empty()) {
    return http::Response::json(200, {{"grants", json::array()}, {"can_revoke", false}});
  }
  identity::TokenClient* reader = admin_ != nullptr ? admin_.get() : tokens_.get();
  if (reader == nullptr) return error_response(412, "this party has no identity to read its key");
  auto policy = read_own_policy(*reader);
  if (!policy.ok()) {
    return error_response(http_status_for(policy.status()),
                          "cannot read the key's release policy: " + policy.status().message());
  }
  return http::Response::json(200, grants_json(*policy));
}

http::Response PartyApp::grant_revoke(const http::Request& request) {
  return change_grant(request, /*granted=*/false);
}
http::Response PartyApp::grant_restore(const http::Request& request) {
  return change_grant(request, /*granted=*/true);
}

http::Response PartyApp::change_grant(const http::Request& request, bool granted) {
  if (config_.role != Role::kOwner || admin_ == nullptr) {
    return error_response(403, fmt::format("{} has no administrator identity: only an owner's "
                                           "administrator changes who its key admits",
                                           config_.display_name));
  }
  const std::string name = request.path_params.at(0);
  const PartnerReader* reader = nullptr;
  for (const PartnerReader& r : config_.partner_readers) {
    if (r.name == name) reader = &r;
  }
  if (reader == nullptr || reader->host_data.empty()) {
    return error_response(404, "no analyst " + name + " with a host_data is configured here");
  }
  auto policy = read_own_policy(*admin_);
  if (!policy.ok()) {
    return error_response(http_status_for(policy.status()),
                          "cannot read the key's release policy: " + policy.status().message());
  }
  json any_of = json::array();
  std::string authority = "https://" + config_.maa_endpoint;
  bool present = false;
  for (const json& entry : policy->value("anyOf", json::array())) {
    if (entry.contains("authority") && entry["authority"].is_string()) {
      authority = entry["authority"].get<std::string>();
    }
    if (keyvault::entry_host_data(entry) == reader->host_data) {
      present = true;
      if (!granted) continue;  // withdrawn
    }
    any_of.push_back(entry);
  }
  if (granted && !present) any_of.push_back(keyvault::hostdata_bound_entry(authority, reader->host_data));
  if (any_of.empty()) {
    return error_response(409, "withdrawing this entry would leave the key's policy empty");
  }
  if (present != granted) {
    json updated = *policy;
    updated["anyOf"] = any_of;
    auto bearer = admin_->token(kVaultResource);
    if (!bearer.ok()) {
      return error_response(503, "the administrator's identity token: " + bearer.status().message());
    }
    const http::Client client(client_options_);
    const keyvault::KeyClient vault(client, "https://" + config_.key.vault, *bearer);
    if (Status s = vault.set_release_policy(config_.key.name, updated); !s.ok()) {
      return error_response(http_status_for(s), s.message());
    }
    spdlog::info("party {}: {} {}'s entry in the release policy of {}", config_.party,
                 granted ? "restored" : "withdrew", reader->name, config_.key.name);
    *policy = std::move(updated);
  }
  json out = grants_json(*policy);
  out["changed"] = present != granted;
  return http::Response::json(200, out);
}

}  // namespace mpcc::party
