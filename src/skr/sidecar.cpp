#include "skr/sidecar.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "skr/internal/wipe.h"
#include "skr/maa_client.h"
#include "skr/released_key.h"
#include "skr/transfer_key.h"
#include "skr/vault_release.h"

namespace mpcc::skr {

using nlohmann::json;

using internal::wipe;
using internal::wipe_strings;

StatusOr<http::ServerOptions> sidecar_server_options(const std::string& host, int port) {
  http::ServerOptions o;
  if (host == "127.0.0.1" || host == "localhost") {
    o.host = "127.0.0.1";
  } else if (host == "::1" || host == "[::1]") {
    o.host = "::1";
  } else {
    return invalid_argument(
        "the sidecar listens on loopback only (127.0.0.1, localhost or ::1), "
        "not '" +
        host + "'");
  }
  if (port < 0 || port > 65535) {
    return invalid_argument("port " + std::to_string(port) + " is out of range");
  }
  o.port = port;
  return o;
}

StatusOr<std::unique_ptr<Sidecar>> Sidecar::create(SidecarConfig config) {
  MPCC_ASSIGN_OR_RETURN(EndpointAllowlist allowlist,
                        EndpointAllowlist::create(config.allowed_endpoints));
  if (!config.identity_endpoint.empty()) {
    while (!config.identity_endpoint.empty() && config.identity_endpoint.back() == '/') {
      config.identity_endpoint.pop_back();
    }
    StatusOr<http::Url> url = http::Url::parse(config.identity_endpoint);
    if (!url.ok()) return invalid_argument("identity endpoint: " + url.status().message());
  }
  std::optional<Bytes> digest;
  if (config.group_token) {
    if (config.group_token->empty()) return invalid_argument("the group token is empty");
    digest = crypto::sha256(*config.group_token);
  } else {
    spdlog::warn(
        "skr: no group token configured: ANY local process can use this sidecar (in ACI "
        "only the container group's own network namespace reaches it)");
  }
  if (allowlist.empty()) {
    spdlog::warn(
        "skr: no --allow-endpoint configured: requests may name any attestation "
        "service and key vault");
  }
  if (config.context && config.context->host_data()) {
    spdlog::info("skr: security context policy HOST_DATA {}",
                 hex_encode(*config.context->host_data()));
  }
  MPCC_ASSIGN_OR_RETURN(std::unique_ptr<ReportSource> reports,
                        ReportSource::create(config.attester, config.context));
  return std::unique_ptr<Sidecar>(
      new Sidecar(std::move(config), std::move(reports), std::move(allowlist), std::move(digest)));
}

Sidecar::Sidecar(SidecarConfig config, std::unique_ptr<ReportSource> reports,
                 EndpointAllowlist allowlist, std::optional<Bytes> group_token_digest)
    : config_(std::move(config)),
      reports_(std::move(reports)),
      allowlist_(std::move(allowlist)),
      group_token_digest_(std::move(group_token_digest)),
      client_(config_.client),
      backoff_(config_.backoff),
      transfer_keys_(reports_->has_device() ? config_.transfer_keys_ahead : 0) {
  identity_.endpoint = config_.identity_endpoint;
  identity_.credential = std::move(config_.identity_credential);
  identity_.client_id = config_.identity_client_id;
  // Only the group token's digest is kept.
  if (config_.group_token) {
    wipe(*config_.group_token);
    config_.group_token.reset();
  }
}

void Sidecar::register_routes(http::Server& server) {
  auto bind = [this](http::Response (Sidecar::*handler)(const http::Request&) const) {
    return [this, handler](const http::Request& r) { return (this->*handler)(r); };
  };
  server.route(http::Method::kGet, "/status", bind(&Sidecar::handle_status));
  server.route(http::Method::kPost, "/attest/raw", bind(&Sidecar::handle_attest_raw));
  server.route(http::Method::kPost, "/attest/combined", bind(&Sidecar::handle_attest_combined));
  server.route(http::Method::kPost, "/attest/maa", bind(&Sidecar::handle_attest_maa));
  server.route(http::Method::kPost, "/key/release", bind(&Sidecar::handle_key_release));
}

// Logs the outcome (never bodies). `secret`: the answer carries key
// material, wiped from this process's copies once serialized.
http::Response Sidecar::serve(const http::Request& request,
                              const std::function<Outcome<json>()>& work, bool secret) const {
  std::optional<Failure> refused = check_caller(request);
  Outcome<json> out = refused ? Outcome<json>(*refused) : work();
  if (!out.ok()) {
    const Failure& f = out.failure();
    spdlog::warn("skr: {} -> {} (step {}: {})", request.path, f.http_status(), step_name(f.step),
                 f.status.message());
    return f.to_response();
  }
  json body = std::move(out).value();
  http::Response response = http::Response::json(200, body);
  if (secret) wipe_strings(body);
  spdlog::info("skr: {} -> 200", request.path);
  return response;
}

std::optional<Failure> Sidecar::check_caller(const http::Request& request) const {
  if (!group_token_digest_) return std::nullopt;
  const std::optional<std::string> given = request.header(kGroupTokenHeader);
  if (given && constant_time_equal(crypto::sha256(*given), *group_token_digest_)) {
    return std::nullopt;
  }
  return fail(Step::kRequest, permission_denied("caller is not a member of this container group"));
}

std::optional<Failure> Sidecar::check_allowed(const Endpoint& endpoint) const {
  if (allowlist_.allows(endpoint)) return std::nullopt;
  return fail(Step::kRequest,
              permission_denied("endpoint '" + endpoint.authority() +
                                "' is not allowed by this sidecar's configuration"));
}

http::Response Sidecar::handle_status(const http::Request&) const {
  return http::Response::json(200, json{{"message", kStatusOk}});
}

Outcome<GuestEvidence> Sidecar::report_for(const http::Request& request, bool need_chain) const {
  StatusOr<RuntimeDataRequest> r = parse_runtime_data_request(request.body);
  if (!r.ok()) return fail(Step::kRequest, r.status());
  return reports_->collect(r->runtime_data, need_chain);
}

http::Response Sidecar::handle_attest_raw(const http::Request& request) const {
  return serve(request, [&]() -> Outcome<json> {
    Outcome<GuestEvidence> evidence = report_for(request, /*need_chain=*/false);
    if (!evidence.ok()) return evidence.failure();
    return json{{"report", hex_encode(evidence.value().report)}};
  });
}

http::Response Sidecar::handle_attest_combined(const http::Request& request) const {
  return serve(request, [&]() -> Outcome<json> {
    Outcome<GuestEvidence> evidence = report_for(request, /*need_chain=*/true);
    if (!evidence.ok()) return evidence.failure();
    const GuestEvidence& e = evidence.value();
    const std::string uvm =
        config_.context ? config_.context->reference_info_base64().value_or("") : "";
    return json{{"endorsed_tcb", e.endorsed_tcbm},
                {"endorsements", crypto::base64_encode(as_span(e.vcek_chain_pem))},
                {"evidence", crypto::base64_encode(e.report)},
                {"uvm_endorsements", uvm}};
  });
}

http::Response Sidecar::handle_attest_maa(const http::Request& request) const {
  return serve(request, [&]() -> Outcome<json> {
    StatusOr<MaaRequest> r = parse_maa_request(request.body);
    if (!r.ok()) return fail(Step::kRequest, r.status());
    if (auto refused = check_allowed(r->maa)) return *refused;
    Outcome<std::string> token = attest_with_maa(r->maa, r->runtime_data);
    if (!token.ok()) return token.failure();
    return json{{"token", token.value()}};
  });
}

http::Response Sidecar::handle_key_release(const http::Request& request) const {
  StepTimings timings;
  http::Response response = serve(
      request,
      [&]() -> Outcome<json> {
        StatusOr<ReleaseRequest> r = parse_release_request(request.body);
        if (!r.ok()) return fail(Step::kRequest, r.status());
        for (const Endpoint* e : {&r->maa, &r->akv}) {
          if (auto refused = check_allowed(*e)) return *refused;
        }
        Outcome<std::string> key = release_key(*r, timings);
        if (!key.ok()) return key.failure();
        std::string text = std::move(key).value();
        json body = {{"key", text}};
        wipe(text);
        return body;
      },
      /*secret=*/true);
  if (!timings.empty()) response.with_header("Server-Timing", timings.header());
  return response;
}

Outcome<std::string> Sidecar::attest_with_maa(const Endpoint& maa, ByteSpan runtime_data,
                                              StepTimings* timings) const {
  StepTimings ignored;
  StepTimings& t = timings != nullptr ? *timings : ignored;
  std::optional<Outcome<GuestEvidence>> evidence;
  {
    auto step = t.step("report");
    evidence.emplace(reports_->collect(runtime_data, /*need_chain=*/true));
  }
  if (!evidence->ok()) return evidence->failure();
  const Bytes no_endorsement;
  const Bytes& uvm = config_.context ? config_.context->reference_info() : no_endorsement;
  const json body = maa_attest_body(evidence->value(), runtime_data, uvm, crypto::random_u64());
  auto step = t.step("token");
  return call_upstream(Step::kAttest, "attestation service", maa.authority(), [&] {
    return request_maa_token(client_, maa, body, config_.user_agent);
  });
}

Outcome<std::string> Sidecar::call_upstream(
    Step step, const char* service, const std::string& authority,
    const std::function<Outcome<std::string>()>& call) const {
  if (std::optional<Failure> wait = backoff_.refusal(step, service, authority)) return *wait;
  return backoff_.record(authority, call());
}

Outcome<std::string> Sidecar::release_key(const ReleaseRequest& request,
                                          StepTimings& timings) const {
  // No TEE, no release; an upstream in its backoff window: refuse before
  // generating the transfer key.
  if (std::optional<Failure> no_tee = reports_->missing_device()) return *no_tee;
  if (auto wait = backoff_.refusal(Step::kAttest, "attestation service", request.maa.authority())) {
    return *wait;
  }
  if (!request.access_token) {
    if (auto wait = backoff_.refusal(Step::kIdentity, "identity service", identity_.endpoint)) {
      return *wait;
    }
  }
  if (auto wait = backoff_.refusal(Step::kRelease, "key vault", request.akv.authority())) {
    return *wait;
  }
  std::optional<StatusOr<TransferKey>> transfer;
  {
    auto step = timings.step("transfer_key");
    transfer.emplace(transfer_keys_.take());
  }
  if (!transfer->ok()) return fail(Step::kRelease, transfer->status());
  Outcome<std::string> maa_token =
      attest_with_maa(request.maa, as_span((*transfer)->runtime_data()), &timings);
  if (!maa_token.ok()) return maa_token.failure();

  std::string bearer;
  if (request.access_token) {
    bearer = *request.access_token;
  } else {
    auto step = timings.step("identity");
    Outcome<std::string> token =
        call_upstream(Step::kIdentity, "identity service", identity_.endpoint, [&] {
          return fetch_access_token(client_, identity_, token_resource_for(request.akv));
        });
    if (!token.ok()) return token.failure();
    bearer = std::move(token).value();
  }
  std::optional<Outcome<std::string>> jws;
  {
    auto step = timings.step("vault");
    jws.emplace(call_upstream(Step::kRelease, "key vault", request.akv.authority(), [&] {
      return request_key_release(client_, request.akv, request.kid, bearer, maa_token.value(),
                                 config_.user_agent);
    }));
  }
  if (!jws->ok()) return jws->failure();

  auto unwrap = timings.step("unwrap");
  StatusOr<jose::Jwk> key = open_released_key(jws->value(), (*transfer)->private_key());
  if (!key.ok()) return fail(Step::kUnwrap, key.status());
  json jwk = key->to_json();
  std::string text = jwk.dump();
  wipe_strings(jwk);
  return text;
}

}  // namespace mpcc::skr
