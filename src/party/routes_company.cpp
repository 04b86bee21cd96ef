// File: party/routes_company.cpp
//
// /company/info, /company/save, /company/populate, /company/list,
// /company/encrypted-status (seed-app.md 6.12-6.16), on RecordStore: one
// JWE blob per record, written create-only.
#include <fmt/format.h>
#include <optional>
#include <spdlog/spdlog.h>

#include "common/file_io.h"
#include "party/party_app.h"
#include "records/csv.h"
#include "records/record_codec.h"
#include "records/record_id.h"
#include "records/timestamp.h"

namespace mpcc::party {

using nlohmann::json;

namespace {

constexpr int kDefaultPageSize = 1000;

std::string now_timestamp() { return records::utc_timestamp_micros(std::chrono::system_clock::now()); }

}  // namespace

http::Response PartyApp::company_info(const http::Request&) {
  auto key = keys_.own();
  const bool owner = config_.role == Role::kOwner;
  return http::Response::json(200, {{"company", owner ? json(config_.party) : json(nullptr)},
                                    {"company_name", config_.display_name},
                                    {"key_name", config_.key.name},
                                    {"key_released", key != nullptr},
                                    {"data_file", owner ? json(RecordStore::records_prefix(config_.party))
                                                        : json(nullptr)}});
}

http::Response PartyApp::company_save(const http::Request& request) {
  if (config_.role != Role::kOwner) {
    return error_response(400, "Cannot determine company from key name: only Contoso and Fabrikam keep records");
  }
  auto body = request.json_body();
  if (!body.ok() || !body->is_object()) return error_response(400, "request body must be a JSON object {name, phone}");
  auto text_field = [&](const char* name) -> std::optional<std::string> {
    auto it = body->find(name);
    if (it == body->end() || it->is_null()) return std::string();
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto name = text_field("name");
  auto phone = text_field("phone");
  if (!name || !phone) return error_response(400, "name and phone must be strings");
  if (name->empty() && phone->empty()) {
    return error_response(400, "At least a name or phone number must be provided");
  }
  if (name->size() > 256 || phone->size() > 64) return error_response(400, "name or phone too long");
  auto key = own_key_with_data_key();
  if (!key.ok()) return error_response(400, key.status().message());
  records::Record record;
  record.name = *name;
  record.phone = *phone;
  const std::string id = records::random_record_id();
  if (Status s = store_.save(*(*key)->data_key, id, record, now_timestamp()); !s.ok()) {
    return error_response(http_status_for(s), "Failed to save the record: " + s.message());
  }
  auto total = store_.count(config_.party);
  const std::string blob = RecordStore::record_blob(config_.party, id);
  return http::Response::json(200, {{"status", "success"},
                                    {"message", "Data saved to " + blob},
                                    {"company", config_.party},
                                    {"blob_name", blob},
                                    {"record_id", id},
                                    {"record_count", total.ok() ? json(*total) : json(nullptr)},
                                    {"note", "Data is encrypted with company-specific key. Only this "
                                             "company (and partners it granted its key) can decrypt it."}});
}

http::Response PartyApp::company_populate(const http::Request&) {
  if (config_.role != Role::kOwner) {
    return error_response(404, fmt::format("No CSV data for {}: only Contoso and Fabrikam import records",
                                           config_.display_name));
  }
  if (!config_.csv_file) return error_response(404, "No CSV file is configured for " + config_.party);
  auto key = own_key_with_data_key();
  if (!key.ok()) return error_response(400, key.status().message());
  const std::string source = config_.csv_file->filename().string();
  auto text = read_text_file(*config_.csv_file);
  if (!text.ok()) {
    return error_response(404, fmt::format("CSV file not found: {} ({})", source, text.status().message()));
  }
  auto rows = records::parse_records_csv(*text);
  if (!rows.ok()) return error_response(400, fmt::format("{}: {}", source, rows.status().message()));
  if (rows->empty()) return error_response(400, "No records found in " + source);
  auto imported = store_.import(*(*key)->data_key, *rows, std::chrono::system_clock::now());
  if (!imported.ok()) {
    return error_response(http_status_for(imported.status()),
                          "Failed to write records: " + imported.status().message());
  }
  auto total = store_.count(config_.party);
  spdlog::info("party {}: imported {} records from {} ({} already present)", config_.party,
               imported->added, source, imported->already_present);
  return http::Response::json(
      200, {{"status", "success"},
            {"message", imported->already_present == 0
                            ? fmt::format("Populated {} records from {}", imported->added, source)
                            : fmt::format("Populated {} new records from {} ({} already present)",
                                          imported->added, source, imported->already_present)},
            {"company", config_.party},
            {"source_file", source},
            {"records_added", imported->added},
            {"records_already_present", imported->already_present},
            {"total_records", total.ok() ? json(*total) : json(nullptr)},
            {"destination", store_.blobs().blob_url(store_.container(), RecordStore::records_prefix(config_.party))},
            {"storage_type", store_.blobs().kind()},
            {"note", "All ten fields are encrypted (one JWE per record under the company's data key, "
                     "itself wrapped with the released key). Importing the same file again adds nothing."}});
}

http::Response PartyApp::company_list(const http::Request& request) {
  if (config_.role != Role::kOwner) {
    return error_response(400, "Cannot determine company. Only Contoso and Fabrikam keep records.");
  }
  int max_results = kDefaultPageSize;
  if (auto m = request.query_param("max_results")) {
    try {
      max_results = std::stoi(*m);
    } catch (const std::exception&) {
      return error_response(400, "max_results must be an integer");
    }
    if (max_results < 1 || max_results > 5000) return error_response(400, "max_results must be 1-5000");
  }
  const std::string marker = request.query_param("marker").value_or("");
  // ?decrypt=true: each record opened here, inside the TEE, and listed
  // instead of its ciphertext, for this company's own operator only (a
  // partner gets ciphertext, as always); no data_keys then.
  std::shared_ptr<const ReleasedKey> decrypt_key;
  std::optional<records::RecordCodec> codec;
  if (request.query_param("decrypt").value_or("false") == "true") {
    if (!auth_.require_operator(request).ok()) {
      return error_response(403, "Only this company's operator may list its records decrypted");
    }
    auto key = own_key_with_data_key();
    if (!key.ok()) return error_response(400, key.status().message());
    decrypt_key = *key;
    codec.emplace(*decrypt_key->data_key);
  }
  auto page = store_.list(config_.party, marker, max_results, /*peek_headers=*/!codec);
  if (!page.ok()) return error_response(http_status_for(page.status()), page.status().message());
  auto total = store_.count(config_.party);
  json records = json::array();
  std::size_t line = 0;
  for (const auto& r : page->records) {
    // Decrypted: the record instead of its ciphertext, with the owner and
    // timestamp it authenticates (or the ciphertext and why it did not open).
    auto opened = codec ? std::optional(codec->open(r.jwe, config_.party, r.record_id)) : std::nullopt;
    const bool open = opened && opened->ok();
    std::string timestamp = r.timestamp;
    std::string owner = r.owner;
    if (open) {
      timestamp = (*opened)->timestamp;
      owner = (*opened)->owner;
    } else if (codec) {  // not opened: what its (unauthenticated) header says, as without decrypt
      if (auto header = records::peek_header(r.jwe); header.ok()) {
        timestamp = header->timestamp;
        owner = header->owner;
      }
    }
    json entry = {{"line_number", ++line},
                  {"record_id", r.record_id},
                  {"blob_name", r.blob_name},
                  {"timestamp", timestamp},
                  {"company", owner}};
    if (open) {
      entry["record"] = (*opened)->record.to_json();
    } else {
      if (opened) entry["decrypt_error"] = opened->status().message();
      entry["ciphertext"] = r.jwe;
    }
    records.push_back(std::move(entry));
  }
  // The wrapped data keys a partner needs (they open only with this
  // company's released key): key version -> JWE.
  // (Not needed by the operator's decrypted view.)
  auto data_keys = codec ? StatusOr<std::map<std::string, std::string>>(
                               std::map<std::string, std::string>{})
                         : store_.wrapped_data_keys(config_.party);
  if (!data_keys.ok()) return error_response(http_status_for(data_keys.status()), data_keys.status().message());
  auto key = keys_.own();
  const std::string prefix = RecordStore::records_prefix(config_.party);
  return http::Response::json(
      200, {{"status", "success"},
            {"company", config_.party},
            {"blob_name", prefix},
            {"full_blob_url", store_.blobs().blob_url(store_.container(), prefix)},
            {"record_count", page->records.size()},
            {"total_records_in_file", total.ok() ? json(*total) : json(nullptr)},
            {"records", std::move(records)},
            {"next_marker", page->next_marker},
            {"data_keys", *data_keys},
            {"key_released", key != nullptr},
            {"storage_type", store_.blobs().kind()},
            {"note", "Records are JWEs: ciphertext to anyone without this company's released key."}});
}

http::Response PartyApp::company_encrypted_status(const http::Request&) {
  auto key = keys_.own();
  if (config_.role != Role::kOwner) {
    return http::Response::json(200, {{"company", config_.party},
                                      {"key_name", config_.key.name},
                                      {"key_released", key != nullptr},
                                      {"status", "pending"},
                                      {"message", config_.display_name + " keeps no records of its own"}});
  }
  auto total = store_.count(config_.party);
  if (!total.ok()) return error_response(http_status_for(total.status()), total.status().message());
  return http::Response::json(
      200, {{"company", config_.party},
            {"key_name", config_.key.name},
            {"key_released", key != nullptr},
            {"encrypted_prefix", RecordStore::records_prefix(config_.party)},
            {"file_exists", *total > 0},
            {"record_count", *total},
            {"status", *total > 0 ? "success" : "pending"},
            {"message", *total > 0 ? fmt::format("Encrypted records exist: {}", *total)
                                   : std::string("No encrypted records yet. Run /company/populate.")}});
}

}  // namespace mpcc::party
