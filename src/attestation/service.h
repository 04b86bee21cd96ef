// File: attestation/service.h
//
// AttestationService: the MAA-compatible attestation service over HTTPS
// (`mpcc serve attestation`). Routes:
//   POST /attest/SevSnpVm?api-version=V   (any case of the type name, so the
//        sidecar's SevSnpVM works too; V in {2020-10-01, 2022-08-01})
//        -> 200 {"token": "<JWT>"}
//   GET  /.well-known/openid-configuration -> OpenID metadata (engine.h)
//   GET  /certs                            -> JWKS {"keys":[{kid,kty,use,alg,n,e,x5c}]}
//   GET  /health                           -> {"status":"ok"}
// Refusals are {"error":{"code","message"}} (http::error_response):
//   400 "InvalidParameter"   malformed request: bad JSON, a missing or
//                            malformed field, api-version, TEE type, or
//                            evidence the verifier cannot interpret;
//   403 "AttestationFailure" well-formed evidence that is refused (any
//                            SEV-SNP check, the runtime/init-time binding);
//   500 "InternalError"      anything else (e.g. signing failed).
// The message is the failing check's own ("SEV-SNP: ARK is not a trusted
// root: ...", "report.SnpReport: ...").
//
// Two ways to run it: register_routes() on a server someone else owns and
// starts (`mpcc serve attestation` uses apps/mpcc/service_runner), or start(),
// which builds, owns and starts a server from ServiceConfig::server (tests run
// it in-process on 127.0.0.1:0). The token-signing key is
// STATE_DIR/token-signing.{key,pem} (jose/issuer_key.h; kid = base64url of
// SHA-256 of the certificate, stable across restarts). The issuer is the
// configured URL or, by default, the serving server's own origin
// (https://host:port, fixed at the first request), which is also where
// jku/jwks_uri point.
//
// Thread-safety: create/register_routes/start/stop from one thread; handlers
// run concurrently on the server's workers.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "attestation/engine.h"
#include "common/clock.h"
#include "common/status.h"
#include "http/server.h"
#include "jose/issuer_key.h"
#include "verifier/trust_store.h"

namespace mpcc::attestation {

inline constexpr const char* kApiVersion2020 = "2020-10-01";
inline constexpr const char* kApiVersion2022 = "2022-08-01";

struct ServiceConfig {
  std::filesystem::path state_dir;  // required: holds the token-signing key
  http::ServerOptions server;       // for start(): host, port (0: ephemeral), tls
  bool allow_insecure_http = false; // plain HTTP only when set (and logged as insecure)
  std::string issuer;               // empty: the serving server's base URL
  std::shared_ptr<const verifier::TrustStore> trust;  // null: AMD's roots only
  std::shared_ptr<const Clock> clock;                 // null: the system clock
  int64_t token_lifetime_seconds = kDefaultTokenLifetimeSeconds;
  std::string compliance_status = kDefaultComplianceStatus;
  bool allow_debug = false;
};

class AttestationService {
 public:
  // Validates the configuration (kInvalidArgument: no state dir, no TLS without
  // allow_insecure_http, non-positive lifetime) and loads or creates the
  // signing key (kDataLoss if its files are damaged or not an RSA key). Does
  // not bind.
  static StatusOr<std::unique_ptr<AttestationService>> create(ServiceConfig config);
  ~AttestationService();
  AttestationService(const AttestationService&) = delete;
  AttestationService& operator=(const AttestationService&) = delete;

  // Adds the routes to `server`, which must not outlive this service. Call
  // once, before the server starts.
  void register_routes(http::Server& server);

  // Builds a server from ServiceConfig::server, registers the routes, binds
  // and serves on background threads (kUnavailable if it cannot bind).
  Status start();
  // Stops the server start() made; idempotent.
  void stop();
  // "https://127.0.0.1:PORT" of the serving server ("" before it starts).
  std::string base_url() const;
  // The token issuer ("" until known: configured, or the first request).
  std::string issuer() const;
  // The engine (null while the issuer is not yet known).
  std::shared_ptr<const AttestationEngine> engine() const;

  // The route handlers (tests may call them directly).
  http::Response handle_attest(const http::Request& request) const;
  http::Response handle_openid_configuration(const http::Request& request) const;
  http::Response handle_certs(const http::Request& request) const;
  http::Response handle_health(const http::Request& request) const;

 private:
  AttestationService(ServiceConfig config, std::shared_ptr<const jose::IssuerKey> key);
  std::shared_ptr<const AttestationEngine> build_engine(const std::string& issuer) const;
  // The engine; builds it from the serving server's URL on first use when no
  // issuer was configured.
  std::shared_ptr<const AttestationEngine> engine_for_request() const;

  ServiceConfig config_;
  std::shared_ptr<const jose::IssuerKey> key_;
  std::unique_ptr<http::Server> owned_server_;  // start()'s
  const http::Server* serving_ = nullptr;       // the server the routes are on
  mutable std::mutex mu_;
  mutable std::shared_ptr<const AttestationEngine> engine_;  // guarded by mu_
};

// The refusal body for `status`: 400 InvalidParameter, 403 AttestationFailure,
// otherwise the http::error_response default.
http::Response attest_error_response(const Status& status);

}  // namespace mpcc::attestation
