// File: records/record_id.h
//
// Record ids: 32 lower-case hex digits (16 bytes), the blob name of a sealed
// record and the "mpcc_rid" of its header.
//  - record_id_for(): deterministic. HMAC-SHA256 under an id key derived from
//    the data key (id key = HMAC-SHA256(data key, "mpcc record id v1"), so the
//    AES key is never used as an HMAC key directly) over the record's
//    canonical JSON (Record::to_json().dump(), members sorted), first 16
//    bytes. Importing the same CSV twice gives the same ids, so a create-only
//    write skips records already stored (idempotent populate, seed bug 14).
//    Without the data key the id says nothing about the content; under
//    another key (another party or key version) the same record gets another id.
//  - RecordIds: the same with the id key derived once, for bulk imports.
//  - random_record_id(): 16 random bytes, for records added by hand (two
//    identical manual entries are two records).
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "records/data_key.h"
#include "records/record.h"

namespace mpcc::records {

inline constexpr std::size_t kRecordIdHexSize = 32;

std::string record_id_for(const DataKey& data_key, const Record& record);

// record_id_for() for many records under one data key.
class RecordIds {
 public:
  explicit RecordIds(const DataKey& data_key);
  std::string id_for(const Record& record) const;

 private:
  SecureBytes id_key_;
};

std::string random_record_id();

}  // namespace mpcc::records
