// File: party/routes_keys.cpp
//
// /skr/config, /skr/release, /skr/key-status, /skr/release-partner,
// /skr/release-other, /encrypt, /decrypt (seed-app.md 6.5-6.11).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "jose/jwe.h"
#include "party/party_app.h"
#include "records/record_codec.h"

namespace mpcc::party {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxPlaintext = 64 * 1024;

StatusOr<json> body_object_or_empty(const http::Request& request) {
  if (request.body.empty()) return json::object();
  MPCC_ASSIGN_OR_RETURN(json j, request.json_body());
  if (!j.is_object()) return invalid_argument("request body must be a JSON object");
  return j;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

http::Response PartyApp::skr_config(const http::Request&) {
  json other = nullptr;
  if (config_.other_company) {
    other = {{"name", config_.other_company->display_name},
             {"key_name", config_.other_company->key.name},
             {"akv_endpoint", config_.other_company->key.vault}};
  }
  json partners = nullptr;
  if (!config_.partners.empty()) {
    partners = json::object();
    for (const auto& p : config_.partners) {
      partners[p.name] = {{"name", p.display_name},
                          {"key_name", p.key.name},
                          {"akv_endpoint", p.key.vault},
                          {"container_url", p.app_url}};
    }
  }
  json analysts = json::array();
  for (const PartnerReader& r : config_.partner_readers) {
    analysts.push_back({{"name", r.name}, {"display_name", r.display_name}});
  }
  return http::Response::json(200, {{"maa_endpoint", config_.maa_endpoint},
                                    {"akv_endpoint", config_.key.vault},
                                    {"key_name", config_.key.name},
                                    {"party", config_.party},
                                    {"company_name", config_.display_name},
                                    {"role", role_name(config_.role)},
                                    {"sku", config_.sku()},
                                    {"is_confidential", config_.confidential},
                                    {"is_woodgrove", config_.role == Role::kAnalyst},
                                    {"is_snooper", config_.role == Role::kObserver},
                                    {"configured", true},
                                    {"other_company", other},
                                    {"partner_configs", partners},
                                    {"branding", config_.branding},
                                    {"analysts", analysts},
                                    {"can_revoke", admin_ != nullptr}});
}

http::Response PartyApp::skr_release(const http::Request& request) {
  auto body = body_object_or_empty(request);
  if (!body.ok()) return error_response(400, body.status().message());
  if (auto refused = refuse_overrides(*body, config_.key)) return *refused;
  const json where = {{"maa_endpoint", config_.maa_endpoint},
                      {"akv_endpoint", config_.key.vault},
                      {"key_name", config_.key.name}};
  ReleaseOutcome out = release_key(config_.party, config_.key);
  if (out.key == nullptr) {
    json extras = out.failure;
    extras.update(where);
    const std::string message = extras.value("message", std::string());
    extras.erase("message");
    return error_response(out.status,
                          message.empty()
                              ? fmt::format("Secure Key Release failed with status {}", out.status)
                              : message,
                          extras);
  }
  // The data key that protects this party's records under this key version
  // (created at the first release; owners only write records, but every
  // party gets one so /encrypt-/decrypt and listing work the same way).
  auto data_key = store_.data_key(config_.party, out.key->version, out.key->private_key,
                                  out.key->public_key, /*create=*/config_.role != Role::kObserver);
  if (!data_key.ok() && data_key.status().code() != StatusCode::kNotFound) {
    return error_response(http_status_for(data_key.status()),
                          "the released key does not open this party's data key: " +
                              data_key.status().message(),
                          where);
  }
  if (data_key.ok()) {
    out.key->data_key = std::make_shared<const records::DataKey>(std::move(*data_key));
  }
  keys_.set_own(out.key);
  json result = {{"status", "success"},
                 {"message", "Secure Key Release successful!"},
                 {"key", out.key->public_jwk.to_json()},
                 {"key_version", out.key->version},
                 {"note", "The private key was released into this container's TEE and stays "
                          "there: only its public part is shown."},
                 {"encryption_enabled", true},
                 {"timings_ms", out.timings}};
  result.update(where);
  return http::Response::json(200, result);
}

http::Response PartyApp::skr_key_status(const http::Request&) {
  auto key = keys_.own();
  if (key == nullptr) {
    return http::Response::json(200, {{"released", false}, {"message", "No key has been released yet"}});
  }
  return http::Response::json(200, {{"released", true},
                                    {"key_type", "RSA"},
                                    {"key_id", key->kid},
                                    {"key_name", key->key_name},
                                    {"key_version", key->version},
                                    {"data_key", key->data_key != nullptr}});
}

http::Response PartyApp::skr_release_partner(const http::Request& request) {
  if (config_.role != Role::kAnalyst) {
    return error_response(403, fmt::format("Only the analyst party can release partner keys "
                                           "({} is {})", config_.display_name, role_name(config_.role)));
  }
  auto body = body_object_or_empty(request);
  if (!body.ok()) return error_response(400, body.status().message());
  const std::string partner_name = lower(body->value("partner", std::string()));
  const PeerConfig* partner = config_.partner(partner_name);
  if (partner == nullptr) {
    std::string names;
    for (const auto& p : config_.partners) names += (names.empty() ? "\"" : ", \"") + p.name + "\"";
    return error_response(400, fmt::format("Unknown partner: {}. Use {}.", partner_name, names));
  }
  ReleaseOutcome out = release_key(partner->name, partner->key);
  if (out.key == nullptr) {
    // A refused release also forgets the key released before: a withdrawn
    // grant takes effect at the next release, not at the next restart.
    keys_.set_partner(partner->name, nullptr);
    json extras = out.failure;
    extras["partner"] = partner->display_name;
    extras["http_status"] = out.status;
    extras["error_detail"] = out.failure.value("sidecar_response", out.failure.value("message", std::string()));
    extras.erase("message");
    return error_response(out.status, fmt::format("Failed to release {}'s key", partner->display_name),
                          extras);
  }
  keys_.set_partner(partner->name, out.key);
  return http::Response::json(200, {{"status", "success"},
                                    {"message", fmt::format("Successfully released {}'s key!",
                                                            partner->display_name)},
                                    {"partner", partner->display_name},
                                    {"key_name", partner->key.name},
                                    {"key_vault", partner->key.vault},
                                    {"key_version", out.key->version},
                                    {"key_released", true},
                                    {"can_decrypt", true},
                                    {"timings_ms", out.timings},
                                    {"note", "Key stored inside this TEE for cross-company analytics; "
                                             "it is never returned."}});
}

http::Response PartyApp::skr_release_other(const http::Request&) {
  if (!config_.other_company) {
    return error_response(400, "Cannot determine company configuration. This demo requires Contoso "
                               "or Fabrikam containers.",
                          {{"our_key_name", config_.key.name}});
  }
  const PeerConfig& other = *config_.other_company;
  ReleaseOutcome out = release_key(other.name, other.key);
  if (out.key != nullptr) {
    spdlog::error("party {}: SECURITY ALERT: released {}'s key {}", config_.party, other.name, other.key.name);
    return http::Response::json(
        200, {{"status", "unexpected_success"},
              {"message", fmt::format("WARNING: {} was able to access {}'s key! Check key release "
                                      "policies.", config_.display_name, other.display_name)},
              {"our_company", config_.display_name},
              {"other_company", other.display_name},
              {"other_key_name", other.key.name},
              {"timings_ms", out.timings},
              {"security_warning", "The other company's access and release policies admitted this party."}});
  }
  json reply = {{"status", "access_denied"},
                {"message", fmt::format("{} cannot access {}'s key - as expected!", config_.display_name,
                                        other.display_name)},
                {"our_company", config_.display_name},
                {"other_company", other.display_name},
                {"attempted_key", other.key.name},
                {"attempted_keyvault", other.key.vault},
                {"attempted_akv", other.key.vault},
                {"http_status", out.status},
                {"error_detail", out.failure.value("sidecar_response", out.failure.value("message", std::string()))},
                {"failure_reason", out.failure.value("failure_reason", std::string())},
                {"vault_reason", out.failure.value("vault_reason", json(nullptr))},
                {"timings_ms", out.timings},
                {"explanation", "Each company's key is released only to its own identity (Key Vault "
                                "access policy) running its own attested code (release policy bound to "
                                "its security policy's host_data)."}};
  reply["error"] = reply["error_detail"];
  return http::Response::json(200, reply);
}

http::Response PartyApp::encrypt(const http::Request& request) {
  auto body = body_object_or_empty(request);
  if (!body.ok()) return error_response(400, body.status().message());
  auto it = body->find("plaintext");
  if (it == body->end() || !it->is_string() || it->get<std::string>().empty()) {
    return error_response(400, "No plaintext provided");
  }
  const std::string& plaintext = it->get_ref<const std::string&>();
  if (plaintext.size() > kMaxPlaintext) {
    return error_response(400, fmt::format("Plaintext too long. Maximum {} bytes.", kMaxPlaintext),
                          {{"plaintext_length", plaintext.size()}, {"max_length", kMaxPlaintext}});
  }
  auto key = keys_.own();
  if (key == nullptr) {
    return error_response(400, "No key has been released yet. Click \"Test Secure Key Release\" first.");
  }
  auto jwe = jose::jwe_encrypt_rsa_oaep_256(key->public_key, as_span(plaintext),
                                            {{"kid", key->kid}, {"mpcc_owner", config_.party}});
  if (!jwe.ok()) return error_response(500, "Encryption failed: " + jwe.status().message());
  return http::Response::json(200, {{"status", "success"},
                                    {"ciphertext", *jwe},
                                    {"algorithm", "RSA-OAEP-256 + A256GCM (JWE)"},
                                    {"key_id", key->kid},
                                    {"plaintext_length", plaintext.size()},
                                    {"ciphertext_length", jwe->size()}});
}

http::Response PartyApp::decrypt(const http::Request& request) {
  auto body = body_object_or_empty(request);
  if (!body.ok()) return error_response(400, body.status().message());
  auto it = body->find("ciphertext");
  if (it == body->end() || !it->is_string() || it->get<std::string>().empty()) {
    return error_response(400, "No ciphertext provided");
  }
  const std::string& ciphertext = it->get_ref<const std::string&>();
  auto key = keys_.own();
  if (key == nullptr) return error_response(400, "No key released. Perform Secure Key Release first.");

  // A stored record (dir + A256GCM under the data key) or /encrypt output
  // (RSA-OAEP-256 to the released key)?
  auto header = records::peek_header(ciphertext);
  if (header.ok() && !header->record_id.empty()) {
    if (key->data_key == nullptr) return error_response(400, "This party has no data key.");
    const std::string expected_id = body->value("record_id", header->record_id);
    records::RecordCodec codec(*key->data_key);
    auto opened = codec.open(ciphertext, config_.party, expected_id);
    if (!opened.ok()) {
      return error_response(http_status_for(opened.status()), "Decryption failed: " + opened.status().message());
    }
    const json record = opened->record.to_json();
    return http::Response::json(200, {{"status", "success"},
                                      {"record", record},
                                      {"plaintext", record.dump()},
                                      {"record_id", opened->record_id},
                                      {"timestamp", opened->timestamp},
                                      {"algorithm", "dir + A256GCM (JWE, data key)"},
                                      {"ciphertext_length", ciphertext.size()}});
  }
  auto opened = jose::jwe_decrypt_rsa(ciphertext, key->private_key);
  if (!opened.ok()) {
    return error_response(opened.status().code() == StatusCode::kInvalidArgument ? 400 : 403,
                          "Decryption failed: " + opened.status().message());
  }
  if (opened->header.value("mpcc_owner", std::string()) != config_.party) {
    return error_response(403, "Decryption refused: the ciphertext was not made by this party");
  }
  std::string plaintext(opened->plaintext.begin(), opened->plaintext.end());
  return http::Response::json(200, {{"status", "success"},
                                    {"plaintext", plaintext},
                                    {"algorithm", "RSA-OAEP-256 + A256GCM (JWE)"},
                                    {"ciphertext_length", ciphertext.size()},
                                    {"plaintext_length", plaintext.size()}});
}

}  // namespace mpcc::party
