#include "records/record_codec.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "crypto/encoding.h"
#include "jose/jwe.h"

namespace mpcc::records {

using nlohmann::json;

namespace {

StatusOr<std::string> header_string(const json& header, const char* name, std::string_view where) {
  const auto it = header.find(name);
  if (it == header.end() || !it->is_string()) {
    return invalid_argument(std::string(where) + ": header has no string " + name);
  }
  return it->get<std::string>();
}

StatusOr<SealedRecordHeader> read_header(const json& header, std::string_view where) {
  SealedRecordHeader h;
  MPCC_ASSIGN_OR_RETURN(h.owner, header_string(header, "mpcc_owner", where));
  MPCC_ASSIGN_OR_RETURN(h.record_id, header_string(header, "mpcc_rid", where));
  MPCC_ASSIGN_OR_RETURN(h.timestamp, header_string(header, "mpcc_ts", where));
  MPCC_ASSIGN_OR_RETURN(h.kid, header_string(header, "kid", where));
  return h;
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

StatusOr<SealedRecordHeader> peek_header(std::string_view jwe) {
  constexpr std::string_view kWhere = "record header";
  if (std::count(jwe.begin(), jwe.end(), '.') != 4) {
    return invalid_argument("record header: not a compact JWE (5 segments)");
  }
  StatusOr<Bytes> header_bytes = crypto::base64url_decode(jwe.substr(0, jwe.find('.')));
  if (!header_bytes.ok()) return invalid_argument("record header: not base64url");
  const json header = json::parse(header_bytes->begin(), header_bytes->end(), nullptr,
                                  /*allow_exceptions=*/false);
  if (!header.is_object()) return invalid_argument("record header: not a JSON object");
  return read_header(header, kWhere);
}

RecordCodec::RecordCodec(DataKey data_key) : key_(std::move(data_key)) {
  if (key_.key.size() != kDataKeySize) {
    throw std::logic_error("RecordCodec: the data key must be 32 bytes");
  }
}

StatusOr<std::string> RecordCodec::seal(std::string_view record_id, const Record& record,
                                        std::string_view timestamp) const {
  if (record_id.empty()) return invalid_argument("record: empty record id");
  const std::string where = "record " + std::string(record_id);
  if (timestamp.empty()) return invalid_argument(where + ": empty timestamp");
  MPCC_RETURN_IF_ERROR(validate_record(record).with_context(where));
  const json extras = {
      {"cty", kRecordContentType},
      {"kid", key_.id},
      {"mpcc_owner", key_.owner},
      {"mpcc_rid", record_id},
      {"mpcc_ts", timestamp},
  };
  return jose::jwe_encrypt_dir(key_.key, as_span(record.to_json().dump()), extras);
}

StatusOr<OpenedRecord> RecordCodec::open(std::string_view jwe, std::string_view expected_owner,
                                         std::string_view expected_record_id) const {
  const std::string where = "record " + std::string(expected_record_id);
  StatusOr<jose::JweDecrypted> opened = jose::jwe_decrypt_dir(jwe, key_.key);
  if (!opened.ok()) {
    std::string message = where + ": decryption failed (tampered or wrong key)";
    if (opened.status().code() != StatusCode::kPermissionDenied) {
      message += ": " + opened.status().message();
    }
    return permission_denied(std::move(message));
  }
  const json& header = opened->header;
  MPCC_ASSIGN_OR_RETURN(SealedRecordHeader h, read_header(header, where));
  if (h.owner != expected_owner) {
    return permission_denied(where + ": owner is " + in_quotes(h.owner) + ", expected " +
                             in_quotes(expected_owner));
  }
  if (h.record_id != expected_record_id) {
    return permission_denied("record swapped: blob " + in_quotes(expected_record_id) +
                             " holds record " + in_quotes(h.record_id));
  }
  if (h.kid != key_.id) {
    return permission_denied(where + ": sealed under data key " + in_quotes(h.kid) + ", expected " +
                             in_quotes(key_.id));
  }
  const auto cty = header.find("cty");
  if (cty == header.end() || *cty != kRecordContentType) {
    return invalid_argument(where + ": content type is not " + std::string(kRecordContentType));
  }
  const SecureBytes& plaintext = opened->plaintext;
  StatusOr<Record> record = Record::parse_json(
      std::string_view(reinterpret_cast<const char*>(plaintext.data()), plaintext.size()));
  if (!record.ok()) return record.status().with_context(where);
  return OpenedRecord{std::move(record).value(), std::move(h.owner), std::move(h.record_id),
                      std::move(h.timestamp)};
}

}  // namespace mpcc::records
