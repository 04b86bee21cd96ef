#include "skr/upstream.h"

namespace mpcc::skr {

using nlohmann::json;

namespace {

Status status_for_http(int http_status, std::string message) {
  if (http_status == 401 || http_status == 403) return permission_denied(std::move(message));
  if (http_status == 404) return not_found(std::move(message));
  if (http_status >= 400 && http_status < 500) return invalid_argument(std::move(message));
  return unavailable(std::move(message));
}

Failure upstream_failure(Step step, Status status, const http::ClientResponse& response) {
  Failure f = fail(step, std::move(status));
  f.upstream_status = response.status;
  f.detail = upstream_detail(response);
  return f;
}

}  // namespace

json upstream_detail(const http::ClientResponse& response) {
  json j = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  return response.body.substr(0, kMaxDetailChars);
}

std::string upstream_reason(const http::ClientResponse& response) {
  const json j = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "";
  auto text = [](const json& v, const char* key) -> std::string {
    auto it = v.find(key);
    return it != v.end() && it->is_string() ? it->get<std::string>() : "";
  };
  if (auto e = j.find("error"); e != j.end() && e->is_object()) {
    std::string message = text(*e, "message");
    return message.empty() ? text(*e, "code") : message;
  }
  const std::string error = text(j, "error");
  const std::string description = text(j, "error_description");
  if (!error.empty() && !description.empty()) return error + ": " + description;
  return error.empty() ? description : error;
}

Outcome<std::string> expect_string_member(Step step, const std::string& service,
                                          const StatusOr<http::ClientResponse>& response,
                                          std::string_view member) {
  if (!response.ok()) {
    return fail(step, unavailable(service + ": " + response.status().message()));
  }
  const http::ClientResponse& r = *response;
  if (r.status != 200) {
    const std::string reason = upstream_reason(r);
    return upstream_failure(
        step,
        status_for_http(r.status, service + " answered HTTP " + std::to_string(r.status) +
                                      (reason.empty() ? "" : ": " + reason)),
        r);
  }
  const json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto it = j.find(member);
    if (it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      return it->get<std::string>();
    }
  }
  return upstream_failure(
      step,
      Status(StatusCode::kUnknown,
             service + " answered 200 without a string '" + std::string(member) + "'"),
      r);
}

}  // namespace mpcc::skr
