#include "skr/sidecar_client.h"

#include "http/client.h"
#include "skr/internal/wipe.h"
#include "skr/sidecar.h"

namespace mpcc::skr {

using nlohmann::json;

namespace {

constexpr std::chrono::milliseconds kAttestTimeout = std::chrono::seconds(30);
constexpr std::chrono::milliseconds kReleaseTimeout = std::chrono::seconds(60);

// The JWK object inside a release body (see parse_released_key).
StatusOr<json> released_jwk_json(json& body) {
  if (!body.is_object() || !body.contains("key")) {
    return invalid_argument("release answer: not a JSON object with a \"key\" member");
  }
  json key = body["key"];
  if (key.is_string()) {
    json inner = json::parse(key.get_ref<const std::string&>(), nullptr, false);
    internal::wipe_strings(key);
    if (!inner.is_object()) {
      return invalid_argument("release answer: \"key\" is not a JWK JSON text");
    }
    key = std::move(inner);
  }
  if (key.is_object() && !key.contains("kty") && key.contains("key") && key["key"].is_object()) {
    json nested = std::move(key["key"]);
    key = std::move(nested);
  }
  if (!key.is_object()) return invalid_argument("release answer: \"key\" is not a JWK");
  return key;
}

}  // namespace

StatusOr<nlohmann::json> SidecarReply::json() const {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return invalid_argument("sidecar answer is not JSON");
  return j;
}

SidecarClient::SidecarClient(std::string base_url, std::optional<std::string> group_token)
    : base_url_(std::move(base_url)), group_token_(std::move(group_token)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

StatusOr<SidecarReply> SidecarClient::call(std::string_view method, const std::string& path,
                                           const json& body,
                                           std::chrono::milliseconds timeout) const {
  http::ClientOptions options;
  options.connect_timeout_ms = static_cast<int>(timeout.count());
  options.read_timeout_ms = static_cast<int>(timeout.count());
  const http::Client client(options);
  http::Headers headers;
  if (group_token_) headers.emplace_back(kGroupTokenHeader, *group_token_);
  const auto started = std::chrono::steady_clock::now();
  StatusOr<http::ClientResponse> r =
      body.is_null()
          ? client.request(method, base_url_ + path, "", "", headers)
          : client.request(method, base_url_ + path, body.dump(), "application/json", headers);
  if (!r.ok()) {
    // The HTTP client reports a timeout like any other transport failure; the
    // elapsed time tells them apart (a refused connection fails at once).
    if (r.status().code() == StatusCode::kUnavailable &&
        std::chrono::steady_clock::now() - started >= timeout - timeout / 10) {
      return Status(StatusCode::kDeadlineExceeded,
                    "the SKR sidecar at " + base_url_ + " did not answer " + std::string(method) +
                        " " + path + " within " + std::to_string(timeout.count()) + " ms");
    }
    if (r.status().code() == StatusCode::kUnavailable) {
      return unavailable("cannot reach the SKR sidecar at " + base_url_ +
                         " (is it running?): " + r.status().message());
    }
    return Status(r.status().code(), "SKR sidecar at " + base_url_ + ": " + r.status().message());
  }
  SidecarReply reply;
  reply.status = r->status;
  reply.body = std::move(r->body);
  reply.server_timing = r->header("Server-Timing").value_or("");
  return reply;
}

StatusOr<SidecarReply> SidecarClient::status(std::chrono::milliseconds timeout) const {
  return call("GET", "/status", json(), timeout);
}

StatusOr<SidecarReply> SidecarClient::attest_raw(const std::string& runtime_data_b64) const {
  return call("POST", "/attest/raw", json{{"runtime_data", runtime_data_b64}}, kAttestTimeout);
}

StatusOr<SidecarReply> SidecarClient::attest_combined(const std::string& runtime_data_b64) const {
  return call("POST", "/attest/combined", json{{"runtime_data", runtime_data_b64}}, kAttestTimeout);
}

StatusOr<SidecarReply> SidecarClient::attest_maa(const std::string& maa_endpoint,
                                                 const std::string& runtime_data_b64) const {
  return call("POST", "/attest/maa",
              json{{"maa_endpoint", maa_endpoint}, {"runtime_data", runtime_data_b64}},
              kAttestTimeout);
}

StatusOr<SidecarReply> SidecarClient::release(const std::string& maa_endpoint,
                                              const std::string& akv_endpoint,
                                              const std::string& kid) const {
  return call("POST", "/key/release",
              json{{"maa_endpoint", maa_endpoint}, {"akv_endpoint", akv_endpoint}, {"kid", kid}},
              kReleaseTimeout);
}

StatusOr<jose::Jwk> parse_released_key(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return invalid_argument("release answer: not JSON");
  StatusOr<json> key = released_jwk_json(parsed);
  internal::wipe_strings(parsed);
  if (!key.ok()) return key.status();
  json jwk_json = std::move(key).value();
  StatusOr<jose::Jwk> jwk = jose::Jwk::from_json(jwk_json);
  internal::wipe_strings(jwk_json);
  if (!jwk.ok()) return invalid_argument("release answer: " + jwk.status().message());
  if (!jwk->is_private()) return invalid_argument("release answer: the key has no private part");
  return jwk;
}

}  // namespace mpcc::skr
