#include "records/record_id.h"

#include "crypto/hash.h"
#include "crypto/random.h"

namespace mpcc::records {

namespace {

constexpr std::size_t kRecordIdBytes = kRecordIdHexSize / 2;
constexpr std::string_view kIdKeyLabel = "mpcc record id v1";

}  // namespace

RecordIds::RecordIds(const DataKey& data_key) {
  Bytes derived = crypto::hmac(crypto::HashAlg::kSha256, data_key.key, as_span(kIdKeyLabel));
  id_key_.assign(derived.begin(), derived.end());
  secure_wipe(derived.data(), derived.size());
}

std::string RecordIds::id_for(const Record& record) const {
  const Bytes mac = crypto::hmac(crypto::HashAlg::kSha256, id_key_, as_span(record.canonical_json()));
  return hex_encode(ByteSpan(mac).first(kRecordIdBytes));
}

std::string record_id_for(const DataKey& data_key, const Record& record) {
  return RecordIds(data_key).id_for(record);
}

std::string random_record_id() { return hex_encode(crypto::random_bytes(kRecordIdBytes)); }

}  // namespace mpcc::records
