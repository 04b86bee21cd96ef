#include "platform/sim/channel_protocol.h"

#include <fmt/format.h>

#include <initializer_list>
#include <limits>

#include "crypto/encoding.h"
#include "snp/report.h"

namespace mpcc::platform::sim {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxEndorsements = 8;

StatusOr<json> parse_object(ByteSpan frame, const char* what) {
  json j = json::parse(frame.begin(), frame.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument(fmt::format("{}: not valid JSON", what));
  if (!j.is_object()) return invalid_argument(fmt::format("{}: not a JSON object", what));
  return j;
}

// Refuses members outside `allowed`, naming the first one found.
Status only_members(const json& j, std::initializer_list<std::string_view> allowed,
                    const char* what, const char* why) {
  for (const auto& [key, value] : j.items()) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || key == a;
    if (!ok) return invalid_argument(fmt::format("{}: unexpected member '{}'{}", what, key, why));
  }
  return ok_status();
}

StatusOr<std::string> string_member(const json& j, const char* key, const char* what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return invalid_argument(fmt::format("{}: '{}' must be a string", what, key));
  }
  return it->get<std::string>();
}

StatusOr<uint64_t> unsigned_member(const json& j, const char* key, uint64_t fallback,
                                   uint64_t max, const char* what) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (!it->is_number_unsigned() || it->get<uint64_t>() > max) {
    return invalid_argument(fmt::format("{}: '{}' must be an unsigned integer <= {}", what, key, max));
  }
  return it->get<uint64_t>();
}

Bytes dump(const json& j) { return to_bytes(j.dump()); }

StatusCode code_from_name(std::string_view name) {
  for (int c = 1; c <= static_cast<int>(StatusCode::kUnauthenticated); ++c) {
    auto code = static_cast<StatusCode>(c);
    if (status_code_name(code) == name) return code;
  }
  return StatusCode::kUnknown;
}

template <std::size_t N>
std::string hex(const std::array<uint8_t, N>& a) {
  return hex_encode(ByteSpan(a.data(), a.size()));
}

}  // namespace

Status validate_guest_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxGuestNameLength) {
    return invalid_argument(fmt::format("guest name must be 1..{} characters", kMaxGuestNameLength));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return invalid_argument("guest name may contain only A-Z, a-z, 0-9, '-' and '_'");
  }
  return ok_status();
}

Bytes encode_error_response(const Status& status) {
  return dump({{"ok", false},
               {"error", {{"code", status_code_name(status.code())}, {"message", status.message()}}}});
}

Bytes encode_ok_response(json body) {
  body["ok"] = true;
  return dump(body);
}

StatusOr<json> decode_response(ByteSpan frame) {
  auto parsed = parse_object(frame, "PSP response");
  if (!parsed.ok()) return internal_error(parsed.status().message());
  json j = std::move(parsed).value();
  auto ok = j.find("ok");
  if (ok == j.end() || !ok->is_boolean()) return internal_error("PSP response: no boolean 'ok'");
  if (ok->get<bool>()) return j;
  auto err = j.find("error");
  if (err == j.end() || !err->is_object()) return internal_error("PSP response: error without details");
  auto code = string_member(*err, "code", "PSP response");
  auto message = string_member(*err, "message", "PSP response");
  if (!code.ok() || !message.ok()) return internal_error("PSP response: malformed error");
  StatusCode c = code_from_name(*code);
  if (c == StatusCode::kOk) c = StatusCode::kUnknown;
  return Status(c, "simulated PSP: " + *message);
}

Bytes encode_report_request(std::span<const uint8_t, 64> report_data) {
  return dump({{"op", "get_report"}, {"report_data", hex_encode(report_data)}});
}

StatusOr<std::array<uint8_t, 64>> decode_report_request(ByteSpan frame) {
  constexpr const char* what = "guest request";
  MPCC_ASSIGN_OR_RETURN(json j, parse_object(frame, what));
  MPCC_RETURN_IF_ERROR(only_members(
      j, {"op", "report_data"}, what,
      " (a guest sends only REPORT_DATA; its launch parameters are fixed by the launcher)"));
  MPCC_ASSIGN_OR_RETURN(std::string op, string_member(j, "op", what));
  if (op != "get_report") return invalid_argument(fmt::format("{}: unknown op '{}'", what, op));
  MPCC_ASSIGN_OR_RETURN(std::string data_hex, string_member(j, "report_data", what));
  auto data = hex_decode(data_hex);
  if (!data.ok() || data->size() != 64) {
    return invalid_argument(fmt::format("{}: report_data must be 128 hex digits", what));
  }
  std::array<uint8_t, 64> out;
  std::copy(data->begin(), data->end(), out.begin());
  return out;
}

Bytes encode_evidence_response(const Evidence& evidence) {
  json certs = json::array();
  for (const auto& c : evidence.endorsements) certs.push_back(c.pem());
  return encode_ok_response({{"format", evidence_format_name(evidence.format)},
                             {"report", crypto::base64_encode(evidence.report)},
                             {"endorsements", std::move(certs)}});
}

StatusOr<Evidence> decode_evidence_response(ByteSpan frame) {
  constexpr const char* what = "PSP response";
  MPCC_ASSIGN_OR_RETURN(json j, decode_response(frame));
  auto fail = [](const std::string& m) { return internal_error("PSP response: " + m); };
  auto format_name = string_member(j, "format", what);
  auto report_b64 = string_member(j, "report", what);
  if (!format_name.ok() || !report_b64.ok()) return fail("missing format or report");
  auto format = evidence_format_from_name(*format_name);
  if (!format.ok()) return fail(format.status().message());
  Evidence e;
  e.format = *format;
  auto report = crypto::base64_decode(*report_b64);
  if (!report.ok() || report->size() != snp::kReportSize) {
    return fail(fmt::format("the report is not {} bytes of base64", snp::kReportSize));
  }
  e.report = std::move(report).value();
  auto certs = j.find("endorsements");
  if (certs == j.end() || !certs->is_array() || certs->size() > kMaxEndorsements) {
    return fail("'endorsements' must be an array of at most 8 PEM certificates");
  }
  for (const auto& pem : *certs) {
    if (!pem.is_string()) return fail("an endorsement is not a string");
    auto cert = crypto::Certificate::from_pem(pem.get<std::string>());
    if (!cert.ok()) return fail("an endorsement is not a PEM certificate: " + cert.status().message());
    e.endorsements.push_back(std::move(cert).value());
  }
  return e;
}

Bytes encode_launch_request(const LaunchRequest& r) {
  return dump({{"op", "launch"},
               {"guest", r.guest},
               {"measurement", hex(r.params.measurement)},
               {"host_data", hex(r.params.host_data)},
               {"policy", r.params.policy},
               {"vmpl", r.params.vmpl},
               {"guest_svn", r.params.guest_svn},
               {"family_id", hex(r.params.family_id)},
               {"image_id", hex(r.params.image_id)},
               {"replace", r.replace}});
}

Bytes encode_status_request() { return dump({{"op", "status"}}); }

StatusOr<ControlRequest> decode_control_request(ByteSpan frame) {
  constexpr const char* what = "control request";
  MPCC_ASSIGN_OR_RETURN(json j, parse_object(frame, what));
  MPCC_ASSIGN_OR_RETURN(std::string op, string_member(j, "op", what));
  if (op == "status") {
    MPCC_RETURN_IF_ERROR(only_members(j, {"op"}, what, ""));
    return ControlRequest{StatusRequest{}};
  }
  if (op != "launch") return invalid_argument(fmt::format("{}: unknown op '{}'", what, op));
  MPCC_RETURN_IF_ERROR(only_members(j,
                                    {"op", "guest", "measurement", "host_data", "policy", "vmpl",
                                     "guest_svn", "family_id", "image_id", "replace"},
                                    what, ""));
  LaunchRequest r;
  MPCC_ASSIGN_OR_RETURN(r.guest, string_member(j, "guest", what));
  MPCC_RETURN_IF_ERROR(validate_guest_name(r.guest));
  MPCC_ASSIGN_OR_RETURN(std::string m, string_member(j, "measurement", what));
  MPCC_ASSIGN_OR_RETURN(r.params.measurement, parse_measurement(m));
  MPCC_ASSIGN_OR_RETURN(std::string h, string_member(j, "host_data", what));
  MPCC_ASSIGN_OR_RETURN(r.params.host_data, parse_host_data(h));
  MPCC_ASSIGN_OR_RETURN(r.params.policy,
                        unsigned_member(j, "policy", kDefaultGuestPolicy,
                                        std::numeric_limits<uint64_t>::max(), what));
  MPCC_ASSIGN_OR_RETURN(uint64_t vmpl, unsigned_member(j, "vmpl", 0, kMaxVmpl, what));
  r.params.vmpl = static_cast<uint32_t>(vmpl);
  MPCC_ASSIGN_OR_RETURN(uint64_t svn, unsigned_member(j, "guest_svn", 0, 0xFFFFFFFFu, what));
  r.params.guest_svn = static_cast<uint32_t>(svn);
  for (auto [key, field] : {std::pair{"family_id", &r.params.family_id},
                            std::pair{"image_id", &r.params.image_id}}) {
    if (!j.contains(key)) continue;
    MPCC_ASSIGN_OR_RETURN(std::string text, string_member(j, key, what));
    auto bytes = hex_decode(text);
    if (!bytes.ok() || bytes->size() != 16) {
      return invalid_argument(fmt::format("{}: '{}' must be 32 hex digits", what, key));
    }
    std::copy(bytes->begin(), bytes->end(), field->begin());
  }
  if (auto it = j.find("replace"); it != j.end()) {
    if (!it->is_boolean()) return invalid_argument(fmt::format("{}: 'replace' must be a boolean", what));
    r.replace = it->get<bool>();
  }
  MPCC_RETURN_IF_ERROR(validate(r.params));
  return ControlRequest{std::move(r)};
}

}  // namespace mpcc::platform::sim
