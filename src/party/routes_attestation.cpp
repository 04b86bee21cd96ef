// File: party/routes_attestation.cpp
//
// "/", /health, /attest/maa, /attest/raw, /sidecar/status, /info,
// /container/info (seed-app.md 6.1-6.4, 6.20-6.22).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "common/bytes.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "common/file_io.h"
#include "jose/jws.h"
#include "party/party_app.h"
#include "party/sidecar_failure.h"
#include "records/timestamp.h"
#include "snp/report.h"
#include "snp/report_json.h"

namespace mpcc::party {

using nlohmann::json;

namespace {

// The body as a JSON object; an absent body counts as {}.
StatusOr<json> body_object(const http::Request& request) {
  if (request.body.empty()) return json::object();
  MPCC_ASSIGN_OR_RETURN(json j, request.json_body());
  if (!j.is_object()) return invalid_argument("request body must be a JSON object");
  return j;
}

// runtime_data from the body (a string), or a fresh JSON object naming the
// party and the time, base64 (standard alphabet, as the sidecar expects).
StatusOr<std::string> runtime_data_of(const json& body, const std::string& party) {
  auto it = body.find("runtime_data");
  if (it != body.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      return invalid_argument("runtime_data must be a non-empty base64 string");
    }
    return it->get<std::string>();
  }
  const json runtime = {{"party", party},
                        {"timestamp", records::utc_timestamp_micros(std::chrono::system_clock::now())},
                        {"demo", "mpcc multi-party confidential computing"}};
  return crypto::base64_encode(to_bytes(runtime.dump()));
}

std::string sha256_of_file(const std::filesystem::path& p) {
  auto data = read_file(p, 512u << 20);
  return data.ok() ? hex_encode(crypto::sha256(*data)) : std::string();
}

}  // namespace

json unverified_jwt_claims(std::string_view token) {
  auto parsed = jose::jws_parse(token);
  if (!parsed.ok()) return nullptr;
  json claims = json::parse(parsed->payload.begin(), parsed->payload.end(), nullptr, false);
  return claims.is_discarded() || !claims.is_object() ? json(nullptr) : claims;
}

http::Response PartyApp::health(const http::Request&) {
  return http::Response::json(200, {{"status", "healthy"},
                                    {"service", "mpcc-party"},
                                    {"party", config_.party}});
}

http::Response PartyApp::attest_maa(const http::Request& request) {
  auto body = body_object(request);
  if (!body.ok()) return error_response(400, body.status().message());
  if (auto refused = refuse_overrides(*body, config_.key)) return *refused;
  auto runtime = runtime_data_of(*body, config_.party);
  if (!runtime.ok()) return error_response(400, runtime.status().message());
  auto reply = sidecar_->attest_maa(config_.maa_endpoint, *runtime);
  if (!reply.ok()) {
    const bool timeout = reply.status().code() == StatusCode::kDeadlineExceeded;
    return error_response(timeout ? 504 : 503,
                          timeout ? "Attestation request timed out"
                                  : "Attestation sidecar not available: " + reply.status().message(),
                          {{"maa_endpoint", config_.maa_endpoint}});
  }
  if (reply->status != 200) {
    SidecarFailure f = describe_sidecar_failure(*reply, "attestation");
    json extras = f.to_json();
    extras["maa_endpoint"] = config_.maa_endpoint;
    if (f.no_tee) extras["diagnosis"] = no_tee_diagnosis();
    return error_response(reply->status,
                          fmt::format("Attestation failed with status {}", reply->status), extras);
  }
  auto j = reply->json();
  if (!j.ok() || !j->is_object() || !j->contains("token") || !(*j)["token"].is_string()) {
    return error_response(502, "the sidecar's attestation answer holds no token");
  }
  const std::string token = (*j)["token"].get<std::string>();
  remember_token(token);
  return http::Response::json(200, {{"status", "success"},
                                    {"attestation_token", token},
                                    {"claims", unverified_jwt_claims(token)},
                                    {"maa_endpoint", config_.maa_endpoint}});
}

http::Response PartyApp::attest_raw(const http::Request& request) {
  auto body = body_object(request);
  if (!body.ok()) return error_response(400, body.status().message());
  auto runtime = runtime_data_of(*body, config_.party);
  if (!runtime.ok()) return error_response(400, runtime.status().message());
  auto reply = sidecar_->attest_raw(*runtime);
  if (!reply.ok()) {
    return error_response(503, "Attestation sidecar not available: " + reply.status().message());
  }
  if (reply->status != 200) {
    SidecarFailure f = describe_sidecar_failure(*reply, "raw attestation");
    json extras = f.to_json();
    if (f.no_tee) extras["diagnosis"] = no_tee_diagnosis();
    return error_response(reply->status,
                          fmt::format("Raw attestation failed with status {}", reply->status), extras);
  }
  auto j = reply->json();
  if (!j.ok() || !j->is_object() || !j->contains("report") || !(*j)["report"].is_string()) {
    return error_response(502, "the sidecar's answer holds no report");
  }
  const std::string hex = (*j)["report"].get<std::string>();
  json decoded = nullptr;
  if (auto bytes = hex_decode(hex); bytes.ok()) {
    if (auto report = snp::AttestationReport::parse(*bytes); report.ok()) {
      decoded = snp::report_to_json(*report);
    }
  }
  return http::Response::json(200, {{"status", "success"},
                                    {"attestation_report", hex},
                                    {"report", decoded}});
}

http::Response PartyApp::sidecar_status(const http::Request&) {
  auto reply = sidecar_->status();
  if (!reply.ok()) {
    return http::Response::json(503, {{"status", "unavailable"},
                                      {"message", "Sidecar not reachable: " + reply.status().message()}});
  }
  auto j = reply->json();
  return http::Response::json(200, {{"status", "available"},
                                    {"sidecar_response", j.ok() ? *j : json(reply->body)},
                                    {"sidecar_status_code", reply->status}});
}

http::Response PartyApp::info(const http::Request&) {
  auto status = sidecar_->status();
  const bool sidecar_available = status.ok() && status->status == 200;
  bool attestation_works = false;
  std::string attestation_error;
  if (sidecar_available) {
    auto runtime = runtime_data_of(json::object(), config_.party);
    auto reply = sidecar_->attest_maa(config_.maa_endpoint, *runtime);
    if (reply.ok() && reply->status == 200) {
      attestation_works = true;
    } else if (reply.ok()) {
      attestation_error = describe_sidecar_failure(*reply, "attestation").error;
    } else {
      attestation_error = reply.status().message();
    }
  }
  const std::string platform_status = !sidecar_available ? "sidecar_unavailable"
                                      : attestation_works ? "running_in_tee"
                                                          : "sidecar_present_attestation_failed";
  json features = attestation_works
                      ? json::array({"Hardware-based TEE (AMD SEV-SNP)", "Memory encryption",
                                     "Remote attestation verified by the attestation service",
                                     "Secure key release bound to the security policy",
                                     "Records encrypted with the party's released key"})
                      : json::array({"TEE NOT AVAILABLE - Running on standard hardware",
                                     "ATTESTATION FAILED - Cannot prove integrity",
                                     "Key release impossible without attestation",
                                     "Can read shared storage - sees ciphertext only",
                                     "No decryption possible"});
  return http::Response::json(
      200, {{"platform", "mpcc local deployment (ACI-style container groups)"},
            {"party", config_.party},
            {"company_name", config_.display_name},
            {"role", role_name(config_.role)},
            {"sku", config_.confidential ? "Confidential" : "Standard"},
            {"attestation_service", config_.maa_endpoint},
            {"hardware", attestation_works ? "AMD SEV-SNP" : "No hardware security"},
            {"status",
             {{"platform_status", platform_status},
              {"sidecar_available", sidecar_available},
              {"attestation_works", attestation_works},
              {"sidecar_error", sidecar_available ? json(nullptr)
                                                  : json(status.ok() ? status->body
                                                                     : status.status().message())},
              {"attestation_error", attestation_error.empty() ? json(nullptr) : json(attestation_error)}}},
            {"features", features}});
}

http::Response PartyApp::container_info(const http::Request&) {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
  const bool device = std::filesystem::exists("/dev/sev-guest");
  auto status = sidecar_->status();
  json os = json::object();
  if (auto text = read_text_file("/etc/os-release", 64 * 1024); text.ok()) {
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
      const auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string value = line.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
      const std::string name = line.substr(0, eq);
      if (name == "NAME") os["name"] = value;
      if (name == "VERSION_ID") os["version"] = value;
      if (name == "PRETTY_NAME") os["pretty_name"] = value;
    }
  }
  return http::Response::json(
      200, {{"image", "mpcc"},
            {"image_digest", "sha256:" + sha256_of_file(exe)},
            {"container_id", config_.party},
            {"hostname", host},
            {"app_checksums", {{exe.string(), {{"sha256", sha256_of_file(exe)}}}}},
            {"sev_device",
             {{"available", device || config_.confidential},
              {"device_path", device ? "/dev/sev-guest" : (config_.confidential ? "simulated PSP guest channel" : "")},
              {"explanation", config_.confidential
                                  ? "The sidecar holds this container group's SEV-SNP guest device"
                                  : "This container is NOT running on confidential computing hardware."}}},
            {"skr_status",
             {{"running", status.ok() && status->status == 200},
              {"url", config_.sidecar_url},
              {"detail", status.ok() ? json(status->body) : json(status.status().message())}}},
            {"os", os}});
}

}  // namespace mpcc::party
