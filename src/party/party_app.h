// File: party/party_app.h
//
// PartyApp: the party web app's API — the seed's Flask routes (spec
// seed-app.md sections 6 and 8: same paths, same response shapes), one
// implementation for all four parties, the role from PartyConfig — without
// the original's insecurities (seed-app.md 14):
//  - every data and key route needs the operator's bearer token (CallerAuth);
//    "/" and /health stay open; /company/list also admits partner readers;
//  - the released private key never leaves the app: /skr/release shows the
//    public part only, nothing logs key material;
//  - vault, key, attestation endpoint and partner URLs come from the config
//    only; a request naming others is refused (no SSRF);
//  - records are JWEs under a per-owner data key (src/records), one blob
//    each, written create-only (idempotent import, no lost updates);
//  - partner records are fetched over TLS (local CA) with Woodgrove's own
//    identity token, which the partner checks;
//  - /decrypt opens only this party's own records or its own /encrypt output.
// Errors are JSON {status:"error", message, ...} with a 4xx/5xx status that
// says which check failed; upstream (sidecar, vault) reasons are passed on.
//
//   auto app = PartyApp::create(std::move(deps));
//   app->register_routes(server);
//
// Thread-safety: handlers run concurrently; state is in KeyState (locked)
// and the blob store (thread-safe).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "blobstore/blob_store.h"
#include "http/client.h"
#include "http/server.h"
#include "identity/token_client.h"
#include "party/caller_auth.h"
#include "party/key_state.h"
#include "party/party_config.h"
#include "party/record_store.h"
#include "skr/sidecar_client.h"
#include "web/assets.h"

namespace mpcc::party {

struct PartyAppDeps {
  PartyConfig config;
  PartySecrets secrets;
  std::shared_ptr<blobstore::BlobStore> blobs;
  // Verifies partner readers' tokens (owners with partner_readers); may be null.
  std::shared_ptr<const jose::JwtVerifier> partner_verifier;
  http::ClientOptions client;  // TLS to partner apps (the deployment's CA)
  web::Assets assets = web::Assets::embedded();  // the page (web/party)
};

class PartyApp {
 public:
  static StatusOr<std::unique_ptr<PartyApp>> create(PartyAppDeps deps);

  void register_routes(http::Server& server);

  const PartyConfig& config() const { return config_; }
  KeyState& keys() { return keys_; }

 private:
  PartyApp(PartyAppDeps deps);

  using Handler = http::Response (PartyApp::*)(const http::Request&);
  // Wraps a handler: the operator (or, when `partners`, a partner reader)
  // must be authenticated first; refusals are 401/403 JSON.
  http::Handler guarded(Handler h, bool allow_partners = false);

  // routes_attestation.cpp
  http::Response health(const http::Request&);
  http::Response attest_maa(const http::Request&);
  http::Response attest_raw(const http::Request&);
  http::Response sidecar_status(const http::Request&);
  http::Response info(const http::Request&);
  http::Response container_info(const http::Request&);
  // routes_keys.cpp
  http::Response skr_config(const http::Request&);
  http::Response skr_release(const http::Request&);
  http::Response skr_key_status(const http::Request&);
  http::Response skr_release_partner(const http::Request&);
  http::Response skr_release_other(const http::Request&);
  http::Response encrypt(const http::Request&);
  http::Response decrypt(const http::Request&);
  // routes_company.cpp
  http::Response company_info(const http::Request&);
  http::Response company_save(const http::Request&);
  http::Response company_populate(const http::Request&);
  http::Response company_list(const http::Request&);
  http::Response company_encrypted_status(const http::Request&);
  // routes_storage.cpp
  http::Response storage_config(const http::Request&);
  http::Response storage_list(const http::Request&);
  http::Response storage_download(const http::Request&);
  // routes_partner.cpp
  http::Response partner_analyze_stream(const http::Request&);
  http::Response partner_analyze(const http::Request&);
  http::Response partner_demographics(const http::Request&);
  // routes_policy.cpp
  http::Response policy_release(const http::Request&);
  http::Response policy_what_if(const http::Request&);
  http::Response grants(const http::Request&);
  http::Response grant_revoke(const http::Request&);
  http::Response grant_restore(const http::Request&);
  http::Response change_grant(const http::Request& request, bool granted);
  // The own key's release policy through `tokens` (an identity's token
  // client); kNotFound when the key has none.
  StatusOr<nlohmann::json> read_own_policy(identity::TokenClient& tokens);
  nlohmann::json grants_json(const nlohmann::json& policy) const;

  // Releases `key` through the sidecar. On success the parsed key; on
  // failure the HTTP answer to give (status and JSON body).
  struct ReleaseOutcome {
    std::shared_ptr<ReleasedKey> key;
    int status = 0;
    nlohmann::json failure;  // {message, failure_reason, sidecar_response, vault_reason, ...}
    // {"report": ms, "token", "identity", "vault", "unwrap", "total"}: the
    // sidecar's steps that ran (also in `failure`).
    nlohmann::json timings = nlohmann::json::object();
  };
  ReleaseOutcome release_key(const std::string& owner, const KeyLocation& key);
  // Own key and its data key, or the 400 answer telling the operator to
  // release first.
  StatusOr<std::shared_ptr<const ReleasedKey>> own_key_with_data_key();
  // Refuses request bodies that try to choose an endpoint or key.
  std::optional<http::Response> refuse_overrides(const nlohmann::json& body,
                                                 const KeyLocation& key) const;
  nlohmann::json no_tee_diagnosis() const;
  // The last attestation token /attest/maa obtained (the what-if default).
  void remember_token(const std::string& token);
  std::string last_token() const;

  PartyConfig config_;
  CallerAuth auth_;
  std::shared_ptr<skr::SidecarClient> sidecar_;
  std::shared_ptr<identity::TokenClient> tokens_;  // its workload identity
  std::shared_ptr<identity::TokenClient> admin_;   // owners: the administrator (revoke)
  RecordStore store_;
  http::ClientOptions client_options_;
  KeyState keys_;
  web::Assets assets_;
  mutable std::mutex token_mu_;
  std::string last_token_;
};

// The claims of a JWT, decoded but NOT verified (for display and what-if);
// null when it is not a JWS with a JSON object payload.
nlohmann::json unverified_jwt_claims(std::string_view token);

// {status:"error", message, ...extras}
http::Response error_response(int status, const std::string& message,
                              const nlohmann::json& extras = nlohmann::json::object());
// Adds Retry-After to a 503 that has none: the body's retry_after_s
// (seconds, at least 1), else 1. Every guarded route's 503 gets one.
void with_retry_after(http::Response& r);
// The HTTP status for a Status (401 unauthenticated, 403 permission denied,
// 404, 409, 412, 400, 503, 504, 500).
int http_status_for(const Status& s);

}  // namespace mpcc::party
