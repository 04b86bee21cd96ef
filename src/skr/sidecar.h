// File: skr/sidecar.h
//
// Sidecar: the secure key release sidecar (`mpcc serve skr`), the API of
// Microsoft's confidential-sidecar-containers (spec 2), served on plain HTTP
// on the loopback interface only:
//
//   GET  /status            -> 200 {"message": "Status OK"}
//   POST /attest/raw        {runtime_data}                 -> {"report": "<hex, 1184 bytes>"}
//   POST /attest/combined   {runtime_data}                 -> {endorsed_tcb, endorsements,
//                                                              evidence, uvm_endorsements}
//   POST /attest/maa        {maa_endpoint, runtime_data}   -> {"token": "<MAA JWT>"}
//   POST /key/release       {maa_endpoint, akv_endpoint, kid, access_token?}
//                                                          -> {"key": "<private JWK as a JSON
//                                                          string>"}
//
// REPORT_DATA is SHA-256(decoded runtime_data) || 32 zero bytes. A key
// release takes an ephemeral RSA-2048 transfer key (made ahead of time by a
// background thread: transfer_key_pool.h), attests with its JWK set
// as runtime data (MAA), gets a managed-identity token for the vault (unless
// the caller gave access_token), asks the vault to release the key, checks
// the answer's signature and unwraps the key (see the README for the flow).
//
// Errors: {"error": "<message>", "step": "request|device|attest|identity|release|unwrap"
// [, "upstream_status", "detail", "retry_after_s"]} (failure.h): 400 malformed
// request (the message names the field), 403 refused (by the group token, the
// endpoint allowlist, or an upstream service, whose answer is in `detail`),
// 500 no SEV-SNP device (not running in a TEE) or missing configuration, 503
// + Retry-After when an upstream is unreachable or answers 5xx; the sidecar
// then backs off from that upstream (upstream_backoff.h) and recovers by
// itself once it answers again.
//
// Isolation on one machine: with a group token configured, every route but
// GET /status needs header X-Mpcc-Group-Token (compared in constant time) and
// answers 403 before doing any work otherwise; requests may name only the
// allowed endpoints when an allowlist is configured (SSRF guard).
//
//   MPCC_ASSIGN_OR_RETURN(auto sidecar, Sidecar::create(std::move(config)));
//   MPCC_ASSIGN_OR_RETURN(http::ServerOptions opts, sidecar_server_options("127.0.0.1", 8080));
//   http::Server server(opts);
//   sidecar->register_routes(server);
//   MPCC_RETURN_IF_ERROR(server.start());
//
// Thread-safety: handlers run concurrently on the server's workers.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "http/client.h"
#include "http/server.h"
#include "platform/attester.h"
#include "skr/endpoint.h"
#include "skr/failure.h"
#include "skr/identity_token.h"
#include "skr/report_source.h"
#include "skr/security_context.h"
#include "skr/sidecar_request.h"
#include "skr/step_timings.h"
#include "skr/transfer_key_pool.h"
#include "skr/upstream_backoff.h"

namespace mpcc::skr {

inline constexpr const char* kGroupTokenHeader = "X-Mpcc-Group-Token";
inline constexpr int kDefaultSidecarPort = 8080;
inline constexpr const char* kStatusOk = "Status OK";

struct SidecarConfig {
  platform::AttesterConfig attester;           // the SEV-SNP guest device (or simulated channel)
  std::optional<SecurityContext> context;      // ACI-style security context; none: standard SKU
  http::ClientOptions client;                  // CA for MAA, the vault and the identity service
  std::string identity_endpoint;               // https://host:port of the identity service; "" none
  SecureBytes identity_credential;             // its X-IDENTITY-HEADER credential
  std::string identity_client_id;              // optional client_id for the token request
  std::optional<std::string> group_token;      // X-Mpcc-Group-Token required when set
  std::vector<std::string> allowed_endpoints;  // "host:port"; empty: any endpoint
  std::string user_agent = "mpcc-skr";
  BackoffPolicy backoff;                       // per upstream, when it is unreachable or 5xx
  std::size_t transfer_keys_ahead = 2;         // made in the background (no device: none)
};

// Plain-HTTP server options on a loopback address: 127.0.0.1, localhost
// (bound as 127.0.0.1) or ::1; kInvalidArgument "the sidecar listens on
// loopback only ..." for any other host.
StatusOr<http::ServerOptions> sidecar_server_options(const std::string& host, int port);

class Sidecar {
 public:
  // Checks the configuration (kInvalidArgument: an allowed endpoint or the
  // identity endpoint does not parse, an empty group token, an unusable
  // device configuration) and looks for the SEV-SNP device (its absence is
  // not an error: see report_source.h). Logs a warning when no group token or
  // no allowlist is configured.
  static StatusOr<std::unique_ptr<Sidecar>> create(SidecarConfig config);
  Sidecar(const Sidecar&) = delete;
  Sidecar& operator=(const Sidecar&) = delete;

  // Adds the routes to `server` (which must not outlive this sidecar).
  void register_routes(http::Server& server);

  // The route handlers (tests may call them directly).
  http::Response handle_status(const http::Request& request) const;
  http::Response handle_attest_raw(const http::Request& request) const;
  http::Response handle_attest_combined(const http::Request& request) const;
  http::Response handle_attest_maa(const http::Request& request) const;
  http::Response handle_key_release(const http::Request& request) const;

 private:
  Sidecar(SidecarConfig config, std::unique_ptr<ReportSource> reports, EndpointAllowlist allowlist,
          std::optional<Bytes> group_token_digest);

  // Runs `work` unless the caller check refuses, and answers with its JSON
  // or its Failure.
  http::Response serve(const http::Request& request,
                       const std::function<Outcome<nlohmann::json>()>& work,
                       bool secret = false) const;
  // The report for the request's runtime_data.
  Outcome<GuestEvidence> report_for(const http::Request& request, bool need_chain) const;
  // The group-token check; a Failure when the caller is not a member.
  std::optional<Failure> check_caller(const http::Request& request) const;
  std::optional<Failure> check_allowed(const Endpoint& endpoint) const;
  // MAA token for `runtime_data` (the device report, then the MAA request).
  // `timings`, when given, records the report and token steps.
  Outcome<std::string> attest_with_maa(const Endpoint& maa, ByteSpan runtime_data,
                                       StepTimings* timings = nullptr) const;
  // The released private JWK as JSON text.
  Outcome<std::string> release_key(const ReleaseRequest& request, StepTimings& timings) const;
  // `call` (one request to `service` at `authority`), unless that upstream is
  // in its backoff window (then a 503 at once); its outcome is recorded.
  Outcome<std::string> call_upstream(Step step, const char* service, const std::string& authority,
                                     const std::function<Outcome<std::string>()>& call) const;

  SidecarConfig config_;
  std::unique_ptr<ReportSource> reports_;
  EndpointAllowlist allowlist_;
  std::optional<Bytes> group_token_digest_;  // SHA-256 of the group token
  IdentityConfig identity_;
  http::Client client_;
  mutable UpstreamBackoff backoff_;
  mutable TransferKeyPool transfer_keys_;
};

}  // namespace mpcc::skr
