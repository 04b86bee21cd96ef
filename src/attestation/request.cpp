#include "attestation/request.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "crypto/encoding.h"
#include "snp/report.h"

namespace mpcc::attestation {

using nlohmann::json;

namespace {

Status field_error(std::string_view field, std::string_view what) {
  return invalid_argument(std::string(field) + ": " + std::string(what));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The member `name` of `obj` as a string; kInvalidArgument if absent (when
// required) or of another type. nullopt when optional and absent (or null).
StatusOr<std::optional<std::string>> string_member(const json& obj, std::string_view parent,
                                                   const std::string& name, bool required) {
  const std::string field = parent.empty() ? name : std::string(parent) + "." + name;
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) {
    if (required) return field_error(field, "is required");
    return std::optional<std::string>();
  }
  if (!it->is_string()) return field_error(field, "must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

StatusOr<Bytes> decode_b64(std::string_view field, std::string_view text) {
  if (text.empty()) return field_error(field, "is empty");
  StatusOr<Bytes> bytes = crypto::base64_decode_any(text);
  if (!bytes.ok()) return field_error(field, "is not base64url or base64: " + bytes.status().message());
  return bytes;
}

StatusOr<json> parse_json_text(std::string_view field, ByteSpan bytes) {
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return field_error(field, "does not decode to JSON");
  return j;
}

StatusOr<TypedData> parse_typed_data(const json& body, const std::string& name) {
  auto it = body.find(name);
  if (!it->is_object()) return field_error(name, "must be an object {data, dataType}");
  MPCC_ASSIGN_OR_RETURN(std::optional<std::string> data_b64, string_member(*it, name, "data", true));
  MPCC_ASSIGN_OR_RETURN(std::optional<std::string> type_text,
                        string_member(*it, name, "dataType", true));
  TypedData out;
  const std::string type = lower(*type_text);
  if (type == "json") {
    out.type = DataType::kJson;
  } else if (type == "binary") {
    out.type = DataType::kBinary;
  } else {
    return field_error(name + ".dataType", "must be JSON or Binary, got '" + *type_text + "'");
  }
  MPCC_ASSIGN_OR_RETURN(out.data, decode_b64(name + ".data", *data_b64));
  if (out.type == DataType::kJson) {
    MPCC_ASSIGN_OR_RETURN(out.parsed, parse_json_text(name + ".data", out.data));
    if (!out.parsed.is_object()) {
      return field_error(name + ".data", "dataType is JSON but the data is not a JSON object");
    }
  }
  return out;
}

StatusOr<std::optional<std::string>> parse_nonce(const json& body) {
  auto it = body.find("nonce");
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (it->is_string()) {
    std::string s = it->get<std::string>();
    if (s.size() > kMaxNonceLength) {
      return field_error("nonce", "is longer than " + std::to_string(kMaxNonceLength) + " characters");
    }
    return std::optional<std::string>(std::move(s));
  }
  if (it->is_number_unsigned()) return std::optional<std::string>(std::to_string(it->get<uint64_t>()));
  if (it->is_number_integer()) return std::optional<std::string>(std::to_string(it->get<int64_t>()));
  return field_error("nonce", "must be a string or an integer");
}

Status parse_inner_report(const json& body, AttestRequest& out) {
  MPCC_ASSIGN_OR_RETURN(std::optional<std::string> report_b64, string_member(body, "", "report", true));
  MPCC_ASSIGN_OR_RETURN(Bytes report_json_bytes, decode_b64("report", *report_b64));
  MPCC_ASSIGN_OR_RETURN(json inner, parse_json_text("report", report_json_bytes));
  if (!inner.is_object()) return field_error("report", "does not decode to a JSON object");

  MPCC_ASSIGN_OR_RETURN(std::optional<std::string> snp_b64,
                        string_member(inner, "report", "SnpReport", true));
  MPCC_ASSIGN_OR_RETURN(Bytes snp, decode_b64("report.SnpReport", *snp_b64));
  if (snp.size() < snp::kReportSize || snp.size() > kMaxSnpReportBytes) {
    return field_error("report.SnpReport",
                       "decodes to " + std::to_string(snp.size()) + " bytes; an SEV-SNP report is " +
                           std::to_string(snp::kReportSize) + " bytes");
  }
  out.snp_report_trailing_bytes = snp.size() - snp::kReportSize;
  snp.resize(snp::kReportSize);
  out.snp_report = std::move(snp);

  MPCC_ASSIGN_OR_RETURN(std::optional<std::string> chain_b64,
                        string_member(inner, "report", "VcekCertChain", true));
  MPCC_ASSIGN_OR_RETURN(Bytes chain, decode_b64("report.VcekCertChain", *chain_b64));
  StatusOr<std::vector<crypto::Certificate>> certs = crypto::Certificate::from_pem_or_der(chain);
  if (!certs.ok()) {
    return field_error("report.VcekCertChain",
                       "is not a PEM certificate chain: " + certs.status().message());
  }
  out.vcek_chain = std::move(certs).value();

  MPCC_ASSIGN_OR_RETURN(std::optional<std::string> endorsements_b64,
                        string_member(inner, "report", "Endorsements", false));
  if (endorsements_b64) {
    MPCC_ASSIGN_OR_RETURN(Bytes e, decode_b64("report.Endorsements", *endorsements_b64));
    MPCC_ASSIGN_OR_RETURN(json ej, parse_json_text("report.Endorsements", e));
    if (!ej.is_object()) return field_error("report.Endorsements", "does not decode to a JSON object");
    out.endorsements = std::move(ej);
  }
  return ok_status();
}

}  // namespace

std::string_view data_type_name(DataType type) {
  return type == DataType::kJson ? "JSON" : "Binary";
}

StatusOr<AttestRequest> parse_attest_request(const json& body) {
  if (!body.is_object()) return invalid_argument("request body must be a JSON object");
  AttestRequest out;
  MPCC_RETURN_IF_ERROR(parse_inner_report(body, out));

  if (!body.contains("runtimeData") || body.at("runtimeData").is_null()) {
    return field_error("runtimeData", "is required (its SHA-256 must be REPORT_DATA[0..32))");
  }
  MPCC_ASSIGN_OR_RETURN(out.runtime_data, parse_typed_data(body, "runtimeData"));
  if (body.contains("initTimeData") && !body.at("initTimeData").is_null()) {
    MPCC_ASSIGN_OR_RETURN(TypedData init, parse_typed_data(body, "initTimeData"));
    out.init_time_data = std::move(init);
  }
  MPCC_ASSIGN_OR_RETURN(out.nonce, parse_nonce(body));
  return out;
}

StatusOr<AttestRequest> parse_attest_body(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument("request body is not JSON");
  return parse_attest_request(j);
}

}  // namespace mpcc::attestation
