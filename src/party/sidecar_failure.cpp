// File: party/sidecar_failure.cpp
#include "party/sidecar_failure.h"

#include <fmt/format.h>

namespace mpcc::party {

using nlohmann::json;

namespace {

std::string reason_for(const SidecarFailure& f) {
  if (f.no_tee) return "AMD SEV-SNP hardware not available - this container is not running in a TEE";
  if (f.step == "request") return "The sidecar refused the request: " + f.error;
  if (f.sidecar_status == 503) {
    return fmt::format("A service the key release depends on is unavailable ({}); try again in {} s",
                       f.error, f.retry_after_s.value_or(1));
  }
  if (f.step == "identity") return "The managed identity could not get a token for the key vault";
  const std::string layer =
      f.vault_reason.is_object() ? f.vault_reason.value("layer", std::string()) : std::string();
  if (layer == "access_policy") return "Access denied by the Key Vault access policy for this identity";
  if (layer == "release_policy") {
    return "Key release policy validation failed - attestation claims don't match the required policy";
  }
  if (layer == "attestation_token") return "The vault did not accept the attestation token";
  if (layer == "key") return "The key cannot be released (not found, not exportable or disabled)";
  if (f.upstream_status == 404) return "Key not found";
  if (f.step == "attest") return "Attestation failed";
  return "Secure Key Release failed";
}

}  // namespace

json SidecarFailure::to_json() const {
  json j = {{"failure_reason", failure_reason},
            {"sidecar_response", error},
            {"sidecar_status_code", sidecar_status},
            {"step", step}};
  if (upstream_status) j["upstream_status"] = *upstream_status;
  if (!vault_reason.is_null()) j["vault_reason"] = vault_reason;
  if (retry_after_s) j["retry_after_s"] = *retry_after_s;
  return j;
}

SidecarFailure describe_sidecar_failure(const skr::SidecarReply& reply, std::string_view what) {
  SidecarFailure f;
  f.sidecar_status = reply.status;
  auto body = reply.json();
  if (body.ok() && body->is_object()) {
    f.error = body->value("error", std::string());
    f.step = body->value("step", std::string());
    if (auto u = body->find("upstream_status"); u != body->end() && u->is_number_integer()) {
      f.upstream_status = u->get<int>();
    }
    if (auto r = body->find("retry_after_s"); r != body->end() && r->is_number_integer()) {
      f.retry_after_s = r->get<int>();
    }
    // The vault's answer: {"error": {"code", "message", "innererror": {...}}}.
    if (auto d = body->find("detail"); d != body->end() && d->is_object()) {
      auto e = d->find("error");
      if (e != d->end() && e->is_object()) {
        if (auto inner = e->find("innererror"); inner != e->end() && inner->is_object()) {
          f.vault_reason = *inner;
        }
        if (auto m = e->find("message"); m != e->end() && m->is_string()) {
          f.vault_reason["message"] = m->get<std::string>();
        }
      }
    }
  } else {
    f.error = reply.body.substr(0, 1000);
  }
  if (f.error.empty()) f.error = fmt::format("{} failed with status {}", what, reply.status);
  f.no_tee = f.step == "device";
  f.failure_reason = reason_for(f);
  return f;
}

}  // namespace mpcc::party
