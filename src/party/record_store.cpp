// File: party/record_store.cpp
#include "party/record_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "records/record_codec.h"
#include "records/record_id.h"
#include "records/timestamp.h"

namespace mpcc::party {

namespace {

constexpr const char* kJoseType = "application/jose";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

RecordStore::RecordStore(std::shared_ptr<blobstore::BlobStore> store, std::string container)
    : store_(std::move(store)), container_(std::move(container)) {}

Status RecordStore::prepare() const { return store_->create_container(container_); }

std::string RecordStore::records_prefix(const std::string& owner) { return "records/" + owner + "/"; }

std::string RecordStore::record_blob(const std::string& owner, const std::string& record_id) {
  return records_prefix(owner) + record_id + ".jwe";
}

std::string RecordStore::data_key_blob(const std::string& owner, const std::string& key_version) {
  return "datakeys/" + owner + "/" + key_version + ".jwe";
}

StatusOr<std::string> RecordStore::wrapped_data_key(const std::string& owner,
                                                    const std::string& key_version) const {
  MPCC_ASSIGN_OR_RETURN(blobstore::Blob blob,
                        store_->get(container_, data_key_blob(owner, key_version)));
  return std::move(blob.data);
}

StatusOr<std::map<std::string, std::string>> RecordStore::wrapped_data_keys(
    const std::string& owner) const {
  std::map<std::string, std::string> out;
  blobstore::ListOptions options;
  options.prefix = "datakeys/" + owner + "/";
  for (;;) {
    MPCC_ASSIGN_OR_RETURN(blobstore::ListPage page, store_->list(container_, options));
    for (const auto& props : page.blobs) {
      if (!ends_with(props.name, ".jwe")) continue;
      auto blob = store_->get(container_, props.name);
      if (!blob.ok()) return blob.status();
      out[props.name.substr(options.prefix.size(), props.name.size() - options.prefix.size() - 4)] =
          std::move(blob->data);
    }
    if (page.next_marker.empty()) return out;
    options.marker = page.next_marker;
  }
}

StatusOr<records::DataKey> RecordStore::data_key(const std::string& owner,
                                                 const std::string& key_version,
                                                 const crypto::PrivateKey& private_key,
                                                 const crypto::PublicKey& public_key,
                                                 bool create) const {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto stored = wrapped_data_key(owner, key_version);
    if (stored.ok()) return records::unwrap_data_key(*stored, private_key, owner);
    if (stored.status().code() != StatusCode::kNotFound || !create) return stored.status();
    MPCC_ASSIGN_OR_RETURN(records::DataKey fresh, records::DataKey::generate(owner, key_version));
    MPCC_ASSIGN_OR_RETURN(std::string wrapped, records::wrap_data_key(fresh, public_key));
    blobstore::PutOptions put;
    put.content_type = kJoseType;
    put.if_none_match_any = true;
    auto written = store_->put(container_, data_key_blob(owner, key_version), wrapped, put);
    if (written.ok()) return fresh;
    if (written.status().code() != StatusCode::kAlreadyExists) return written.status();
    // Another writer created it between our read and write: use theirs.
  }
  return internal_error("data key for " + owner + " could not be read or created");
}

Status RecordStore::save(const records::DataKey& key, const std::string& record_id,
                         const records::Record& record, const std::string& timestamp) const {
  records::RecordCodec codec(key);
  MPCC_ASSIGN_OR_RETURN(std::string jwe, codec.seal(record_id, record, timestamp));
  blobstore::PutOptions put;
  put.content_type = kJoseType;
  put.if_none_match_any = true;
  MPCC_ASSIGN_OR_RETURN(auto props, store_->put(container_, record_blob(key.owner, record_id), jwe, put));
  (void)props;
  return ok_status();
}

StatusOr<ImportResult> RecordStore::import(const records::DataKey& key,
                                           const std::vector<records::Record>& rows,
                                           std::chrono::system_clock::time_point start) const {
  ImportResult result;
  const records::RecordIds ids(key);  // derives the id key once, not per row
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const records::Record& record = rows[i];
    const std::string id = ids.id_for(record);
    const auto stamp = start + std::chrono::microseconds(static_cast<int64_t>(i));
    Status s = save(key, id, record, records::utc_timestamp_micros(stamp));
    if (s.ok()) {
      ++result.added;
    } else if (s.code() == StatusCode::kAlreadyExists) {
      ++result.already_present;
    } else {
      return s;
    }
  }
  return result;
}

StatusOr<RecordPage> RecordStore::list(const std::string& owner, const std::string& marker,
                                       int max_results, bool peek_headers) const {
  blobstore::ListOptions options;
  options.prefix = records_prefix(owner);
  options.marker = marker;
  options.max_results = std::clamp(max_results, 1, 5000);
  options.names_only = true;  // each record's get() below reads its properties anyway
  MPCC_ASSIGN_OR_RETURN(blobstore::ListPage page, store_->list(container_, options));
  RecordPage out;
  out.next_marker = page.next_marker;
  out.records.reserve(page.blobs.size());
  for (auto& listed : page.blobs) {
    if (!ends_with(listed.name, ".jwe")) continue;
    auto blob = store_->get(container_, listed.name);
    if (!blob.ok()) {
      if (blob.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
      return blob.status();
    }
    StoredRecord r;
    r.record_id = listed.name.substr(options.prefix.size(),
                                     listed.name.size() - options.prefix.size() - 4);
    r.blob_name = std::move(listed.name);
    r.jwe = std::move(blob->data);
    if (auto header = peek_headers ? records::peek_header(r.jwe)
                                   : StatusOr<records::SealedRecordHeader>(not_found("not peeked"));
        header.ok()) {
      r.owner = std::move(header->owner);
      r.timestamp = std::move(header->timestamp);
    }
    out.records.push_back(std::move(r));
  }
  return out;
}

StatusOr<std::size_t> RecordStore::count(const std::string& owner) const {
  return store_->count(container_, records_prefix(owner));
}

}  // namespace mpcc::party
