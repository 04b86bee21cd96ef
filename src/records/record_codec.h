// File: records/record_codec.h
//
// Seals one record as a compact JWE under its owner's data key and opens it
// again, refusing anything moved, swapped, re-labelled or altered.
//
// Sealed form: alg "dir", enc "A256GCM" (RFC 7516/7518), protected header
//   {"alg":"dir","enc":"A256GCM","cty":"application/vnd.mpcc.record+json",
//    "kid":"contoso/<key_version>","mpcc_owner":"contoso",
//    "mpcc_rid":"<record id>","mpcc_ts":"2026-11-27T19:20:13.123456Z"}
// The header's base64url text is the GCM AAD, so owner, record id and
// timestamp are authenticated with the content; the plaintext is the
// record's JSON (Record::to_json()). A fresh random 96-bit IV per seal.
//
//   RecordCodec codec(std::move(data_key));
//   MPCC_ASSIGN_OR_RETURN(std::string jwe, codec.seal(rid, record, ts));
//   MPCC_ASSIGN_OR_RETURN(OpenedRecord r, codec.open(jwe, "contoso", rid));
//
// open() refuses, in this order:
//  - kPermissionDenied "record <rid>: decryption failed (tampered or wrong
//    key)": a wrong data key, any change to any of the five segments, or a
//    string that is not a dir/A256GCM compact JWE (then ": <JWE detail>" follows);
//  - kPermissionDenied "record <rid>: owner is 'x', expected 'y'";
//  - kPermissionDenied "record swapped: blob '<rid>' holds record '<other>'"
//    (a record's JWE stored under another record's id);
//  - kPermissionDenied "record <rid>: sealed under data key 'x', expected 'y'";
//  - kInvalidArgument "record <rid>: ..." for an authentic JWE that is not a
//    record (other cty, missing header members, plaintext not a record).
// <rid> is always the expected record id, never text from the JWE.
//
// Thread-safety: RecordCodec is immutable; seal/open may run concurrently.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "records/data_key.h"
#include "records/record.h"

namespace mpcc::records {

inline constexpr std::string_view kRecordContentType = "application/vnd.mpcc.record+json";

struct OpenedRecord {
  Record record;
  std::string owner;
  std::string record_id;
  std::string timestamp;
};

// The protected header's mpcc members and kid.
struct SealedRecordHeader {
  std::string owner;
  std::string record_id;
  std::string timestamp;
  std::string kid;
};

// Reads the header WITHOUT authenticating it (for listings: anyone, the
// Snooper included, can read headers). kInvalidArgument "record header: ..."
// when the text is not a five-segment JWE or lacks a member.
StatusOr<SealedRecordHeader> peek_header(std::string_view jwe);

class RecordCodec {
 public:
  // Throws std::logic_error if the key is not 32 bytes (build DataKeys with
  // DataKey::generate / from_bytes / unwrap_data_key).
  explicit RecordCodec(DataKey data_key);

  const DataKey& data_key() const { return key_; }

  // kInvalidArgument for an empty record id or timestamp, or a record that
  // validate_record() refuses ("record <rid>: age is not ...").
  StatusOr<std::string> seal(std::string_view record_id, const Record& record,
                             std::string_view timestamp) const;

  StatusOr<OpenedRecord> open(std::string_view jwe, std::string_view expected_owner,
                              std::string_view expected_record_id) const;

 private:
  DataKey key_;
};

}  // namespace mpcc::records
