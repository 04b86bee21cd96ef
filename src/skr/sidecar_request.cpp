#include "skr/sidecar_request.h"

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "skr/vault_release.h"

namespace mpcc::skr {

using nlohmann::json;

namespace {

StatusOr<json> parse_object(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument("request body is not JSON");
  if (!j.is_object()) return invalid_argument("request body is not a JSON object");
  return j;
}

// A required non-empty string member.
StatusOr<std::string> required_string(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return invalid_argument(std::string(field) + ": missing");
  if (!it->is_string()) return invalid_argument(std::string(field) + ": not a string");
  if (it->get_ref<const std::string&>().empty()) {
    return invalid_argument(std::string(field) + ": empty");
  }
  return it->get<std::string>();
}

StatusOr<Bytes> runtime_data(const json& j) {
  MPCC_ASSIGN_OR_RETURN(std::string text, required_string(j, "runtime_data"));
  StatusOr<Bytes> bytes = crypto::base64_decode(text);
  if (!bytes.ok()) {
    return invalid_argument("runtime_data: not standard base64: " + bytes.status().message());
  }
  return bytes;
}

StatusOr<Endpoint> endpoint(const json& j, const char* field) {
  MPCC_ASSIGN_OR_RETURN(std::string text, required_string(j, field));
  return parse_endpoint(text, field);
}

}  // namespace

StatusOr<RuntimeDataRequest> parse_runtime_data_request(std::string_view body) {
  MPCC_ASSIGN_OR_RETURN(json j, parse_object(body));
  RuntimeDataRequest r;
  MPCC_ASSIGN_OR_RETURN(r.runtime_data, runtime_data(j));
  return r;
}

StatusOr<MaaRequest> parse_maa_request(std::string_view body) {
  MPCC_ASSIGN_OR_RETURN(json j, parse_object(body));
  MaaRequest r;
  MPCC_ASSIGN_OR_RETURN(r.maa, endpoint(j, "maa_endpoint"));
  MPCC_ASSIGN_OR_RETURN(r.runtime_data, runtime_data(j));
  if (!json::parse(r.runtime_data.begin(), r.runtime_data.end(), nullptr, false).is_object()) {
    return invalid_argument(
        "runtime_data: must decode to a JSON object (MAA receives it as dataType JSON)");
  }
  return r;
}

StatusOr<ReleaseRequest> parse_release_request(std::string_view body) {
  MPCC_ASSIGN_OR_RETURN(json j, parse_object(body));
  ReleaseRequest r;
  MPCC_ASSIGN_OR_RETURN(r.maa, endpoint(j, "maa_endpoint"));
  MPCC_ASSIGN_OR_RETURN(r.akv, endpoint(j, "akv_endpoint"));
  MPCC_ASSIGN_OR_RETURN(r.kid, required_string(j, "kid"));
  MPCC_RETURN_IF_ERROR(check_key_id(r.kid));
  if (auto it = j.find("access_token"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return invalid_argument("access_token: not a string");
    if (!it->get_ref<const std::string&>().empty()) r.access_token = it->get<std::string>();
  }
  return r;
}

}  // namespace mpcc::skr
