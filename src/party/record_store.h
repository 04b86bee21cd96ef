// File: party/record_store.h
//
// RecordStore: the parties' protected records in the shared blob container.
//
//   datakeys/<owner>/<key version>.jwe   the owner's data key, a JWE to the
//                                        owner's released RSA key (records/)
//   records/<owner>/<record id>.jwe      one record, a JWE under that data key
//
// One blob per record: saving a record writes only that blob, with
// create-only semantics (If-None-Match: *), so importing the same CSV twice
// adds nothing (record ids are deterministic per data key) and two parties
// writing at once never overwrite each other. Everything in the container is
// ciphertext: whoever can read the storage (the Snooper) sees only JWEs.
//
// Thread-safety: all methods may be called concurrently (the BlobStore is
// thread-safe; nothing else is shared).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "blobstore/blob_store.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "records/data_key.h"
#include "records/record.h"

namespace mpcc::party {

struct StoredRecord {
  std::string record_id;
  std::string blob_name;
  std::string owner;      // from the (unauthenticated) protected header, for display
  std::string timestamp;  // idem (both empty unless list() peeked)
  std::string jwe;
};

struct RecordPage {
  std::vector<StoredRecord> records;
  std::string next_marker;  // empty: the last page
};

struct ImportResult {
  std::size_t added = 0;
  std::size_t already_present = 0;
};

class RecordStore {
 public:
  RecordStore(std::shared_ptr<blobstore::BlobStore> store, std::string container);

  blobstore::BlobStore& blobs() const { return *store_; }
  const std::string& container() const { return container_; }

  // Creates the container when missing.
  Status prepare() const;

  static std::string records_prefix(const std::string& owner);  // "records/<owner>/"
  static std::string record_blob(const std::string& owner, const std::string& record_id);
  static std::string data_key_blob(const std::string& owner, const std::string& key_version);

  // The owner's data key for `key_version`: unwrapped from storage with
  // `private_key`, or (when `create` and none is stored) a new one, stored
  // create-only (a concurrent creator wins and its key is used).
  // kNotFound when none is stored and !create; kPermissionDenied when the
  // stored one does not unwrap (wrong key, tampered, another owner's).
  StatusOr<records::DataKey> data_key(const std::string& owner, const std::string& key_version,
                                      const crypto::PrivateKey& private_key,
                                      const crypto::PublicKey& public_key, bool create) const;
  // The wrapped data key as stored (what a partner receives).
  StatusOr<std::string> wrapped_data_key(const std::string& owner, const std::string& key_version) const;
  // Every stored data key of `owner`: key version -> JWE.
  StatusOr<std::map<std::string, std::string>> wrapped_data_keys(const std::string& owner) const;

  // Seals and writes one record, create-only. kAlreadyExists when that id is
  // stored already.
  Status save(const records::DataKey& key, const std::string& record_id, const records::Record& record,
              const std::string& timestamp) const;
  // Seals and writes each record under its deterministic id, skipping those
  // already stored. Row i is stamped `start` + i microseconds, so the
  // timestamps (authenticated in each record) keep the file's order.
  StatusOr<ImportResult> import(const records::DataKey& key, const std::vector<records::Record>& records,
                                std::chrono::system_clock::time_point start) const;

  // One page of the owner's records (ciphertext), in record-id order.
  // With `peek_headers`, each record's owner and timestamp are read from its
  // (unauthenticated) header; a caller that opens the records anyway takes
  // the authenticated ones from RecordCodec::open instead.
  StatusOr<RecordPage> list(const std::string& owner, const std::string& marker,
                            int max_results, bool peek_headers = true) const;
  // The owner's stored records (every blob under records_prefix(owner)).
  StatusOr<std::size_t> count(const std::string& owner) const;

 private:
  std::shared_ptr<blobstore::BlobStore> store_;
  std::string container_;
};

}  // namespace mpcc::party
