// File: party/partner_analysis.cpp
#include "party/partner_analysis.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <algorithm>
#include <map>
#include <tuple>

#include "records/analytics.h"
#include "records/data_key.h"
#include "records/record_codec.h"

namespace mpcc::party {

using nlohmann::json;

namespace {

struct FetchedRecord {
  std::string record_id;
  std::string jwe;
  std::string timestamp;  // from the header, for ordering (authenticated when opened)
};

struct PartnerBatch {
  const PeerConfig* partner = nullptr;
  std::vector<FetchedRecord> records;
  std::map<std::string, std::string> wrapped_keys;  // key version -> JWE
};

double round1(double v) { return std::round(v * 10.0) / 10.0; }

// Every page of the partner's /company/list.
StatusOr<PartnerBatch> fetch_partner(const PartnerAnalysisContext& ctx, const PeerConfig& partner) {
  if (ctx.tokens == nullptr) return failed_precondition("no identity configured to call partners");
  MPCC_ASSIGN_OR_RETURN(std::string token, ctx.tokens->token(partner.app_url));
  http::Client client(ctx.client);
  PartnerBatch batch;
  batch.partner = &partner;
  std::string marker;
  for (int page = 0; page < 100000; ++page) {
    std::string url = partner.app_url + "/company/list?max_results=5000";
    if (!marker.empty()) url += "&marker=" + http::encode_query_value(marker);
    MPCC_ASSIGN_OR_RETURN(http::ClientResponse r,
                          client.get(url, {{"Authorization", "Bearer " + token}}));
    if (r.status != 200) {
      std::string why = r.body.substr(0, 300);
      if (auto j = r.json(); j.ok() && j->is_object() && j->contains("message")) {
        why = (*j)["message"].is_string() ? (*j)["message"].get<std::string>() : why;
      }
      return unavailable(fmt::format("HTTP {}: {}", r.status, why));
    }
    MPCC_ASSIGN_OR_RETURN(json j, r.json());
    if (!j.is_object() || !j.contains("records") || !j["records"].is_array()) {
      return internal_error("the partner's answer has no records array");
    }
    if (auto keys = j.find("data_keys"); keys != j.end() && keys->is_object()) {
      for (auto it = keys->begin(); it != keys->end(); ++it) {
        if (it.value().is_string()) batch.wrapped_keys[it.key()] = it.value().get<std::string>();
      }
    }
    for (const auto& rec : j["records"]) {
      if (!rec.is_object() || !rec.contains("record_id") || !rec.contains("ciphertext") ||
          !rec["record_id"].is_string() || !rec["ciphertext"].is_string()) {
        return internal_error("the partner sent a malformed record entry");
      }
      FetchedRecord fetched{rec["record_id"].get<std::string>(), rec["ciphertext"].get<std::string>(), ""};
      if (auto header = records::peek_header(fetched.jwe); header.ok()) fetched.timestamp = header->timestamp;
      batch.records.push_back(std::move(fetched));
    }
    marker = j.value("next_marker", std::string());
    if (marker.empty()) {
      // Creation order (an import stamps rows in file order), as the seed
      // analyses each file top to bottom; ties between equal counts in the
      // rankings keep this order.
      std::stable_sort(batch.records.begin(), batch.records.end(),
                       [](const FetchedRecord& a, const FetchedRecord& b) {
                         return std::tie(a.timestamp, a.record_id) < std::tie(b.timestamp, b.record_id);
                       });
      return batch;
    }
  }
  return internal_error("the partner's listing did not end");
}

// Opens records one by one with the partner's data keys.
class PartnerDecryptor {
 public:
  PartnerDecryptor(const PartnerBatch& batch, std::shared_ptr<const ReleasedKey> key)
      : batch_(batch), key_(std::move(key)) {}

  StatusOr<records::Record> open(const FetchedRecord& r) {
    MPCC_ASSIGN_OR_RETURN(records::SealedRecordHeader header, records::peek_header(r.jwe));
    // The data key id is "<owner>/<key version>".
    const auto slash = header.kid.rfind('/');
    const std::string version = slash == std::string::npos ? header.kid : header.kid.substr(slash + 1);
    auto codec = codecs_.find(version);
    if (codec == codecs_.end()) {
      auto wrapped = batch_.wrapped_keys.find(version);
      if (wrapped == batch_.wrapped_keys.end()) {
        return not_found(fmt::format("no data key for key version {}", version));
      }
      MPCC_ASSIGN_OR_RETURN(records::DataKey dk,
                            records::unwrap_data_key(wrapped->second, key_->private_key, batch_.partner->name));
      codec = codecs_.emplace(version, std::make_unique<records::RecordCodec>(std::move(dk))).first;
    }
    MPCC_ASSIGN_OR_RETURN(records::OpenedRecord opened,
                          codec->second->open(r.jwe, batch_.partner->name, r.record_id));
    return std::move(opened.record);
  }

 private:
  const PartnerBatch& batch_;
  std::shared_ptr<const ReleasedKey> key_;
  std::map<std::string, std::unique_ptr<records::RecordCodec>> codecs_;
};

struct Collected {
  std::vector<PartnerBatch> batches;
  json errors = json::array();
};

Collected fetch_all(const PartnerAnalysisContext& ctx, const AnalysisEventSink& sink, bool& stopped) {
  Collected c;
  for (const PeerConfig& partner : ctx.config->partners) {
    if (ctx.keys->partner(partner.name) == nullptr) {
      c.errors.push_back(partner.display_name + ": Key not released");
      continue;
    }
    auto batch = fetch_partner(ctx, partner);
    if (!batch.ok()) {
      c.errors.push_back(partner.display_name + ": " + batch.status().message());
      spdlog::warn("party {}: fetching {}'s records failed: {}", ctx.config->party, partner.name,
                   batch.status().message());
      continue;
    }
    if (!sink({{"type", "fetch"}, {"partner", partner.display_name}, {"count", batch->records.size()}})) {
      stopped = true;
      return c;
    }
    c.batches.push_back(std::move(*batch));
  }
  return c;
}

}  // namespace

json run_partner_analysis(const PartnerAnalysisContext& ctx, const AnalysisEventSink& sink) {
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  bool stopped = false;
  if (!sink({{"type", "status"}, {"phase", "fetch"}, {"message", "Fetching encrypted records from partners..."}})) {
    return json{{"type", "error"}, {"message", "client went away"}};
  }
  Collected c = fetch_all(ctx, sink, stopped);
  if (stopped) return json{{"type", "error"}, {"message", "client went away"}};
  std::size_t total = 0;
  for (const auto& b : c.batches) total += b.records.size();
  if (total == 0) {
    json e = {{"type", "error"}, {"message", "No encrypted records found"}, {"errors", c.errors}};
    sink(e);
    return e;
  }
  if (!sink({{"type", "status"}, {"phase", "decrypt"},
             {"message", fmt::format("Starting decryption of {} records...", total)}, {"total", total}})) {
    return json{{"type", "error"}, {"message", "client went away"}};
  }
  records::AnalysisOptions options;
  options.min_group_size = ctx.config->min_group_size;
  records::PartnerAnalysis analysis(options);
  const std::size_t every = std::max<std::size_t>(5, total / 200);
  std::size_t decrypted = 0, processed = 0;
  std::map<std::string, std::size_t> failures;
  for (const PartnerBatch& batch : c.batches) {
    PartnerDecryptor decryptor(batch, ctx.keys->partner(batch.partner->name));
    for (std::size_t i = 0; i < batch.records.size(); ++i) {
      auto record = decryptor.open(batch.records[i]);
      ++processed;
      if (record.ok()) {
        analysis.add(batch.partner->display_name, *record);
        ++decrypted;
      } else if (failures[batch.partner->display_name]++ == 0) {
        c.errors.push_back(batch.partner->display_name + ": " + record.status().message());
      }
      if (processed % every == 0 || i + 1 == batch.records.size()) {
        const double elapsed = seconds();
        const double rate = elapsed > 0 ? static_cast<double>(processed) / elapsed : 0;
        const double remaining = rate > 0 ? static_cast<double>(total - processed) / rate : 0;
        if (!sink({{"type", "progress"},
                   {"decrypted", decrypted},
                   {"total", total},
                   {"percent", round1(100.0 * static_cast<double>(processed) / static_cast<double>(total))},
                   {"elapsed", round1(elapsed)},
                   {"remaining", round1(remaining)},
                   {"current_partner", batch.partner->display_name}})) {
          return json{{"type", "error"}, {"message", "client went away"}};
        }
      }
    }
  }
  for (const auto& [partner, n] : failures) {
    if (n > 1) c.errors.push_back(fmt::format("{}: {} records could not be opened", partner, n));
  }
  sink({{"type", "status"}, {"phase", "analyze"}, {"message", "Computing analytics..."}});
  json complete = analysis.result();
  complete["type"] = "complete";
  complete["status"] = "success";
  complete["total_time"] = std::round(seconds() * 100.0) / 100.0;
  complete["errors"] = c.errors.empty() ? json(nullptr) : c.errors;
  complete["min_group_size"] = ctx.config->min_group_size;
  sink(complete);
  return complete;
}

json run_partner_demographics(const PartnerAnalysisContext& ctx) {
  bool stopped = false;
  Collected c = fetch_all(ctx, [](const json&) { return true; }, stopped);
  records::AnalysisOptions options;
  options.min_group_size = ctx.config->min_group_size;
  records::PartnerAnalysis analysis(options);
  json partners = json::object();
  for (const PartnerBatch& batch : c.batches) {
    PartnerDecryptor decryptor(batch, ctx.keys->partner(batch.partner->name));
    std::size_t ok = 0, failed = 0;
    for (const auto& r : batch.records) {
      auto record = decryptor.open(r);
      if (record.ok()) {
        analysis.add(batch.partner->display_name, *record);
        ++ok;
      } else {
        ++failed;
      }
    }
    partners[batch.partner->name] = {{"status", "success"},
                                     {"records", batch.records.size()},
                                     {"decrypted", ok},
                                     {"decrypt_errors", failed},
                                     {"has_private_key", true},
                                     {"key_released", true}};
  }
  return {{"status", "success"},
          {"partners", partners},
          {"combined_analytics", analysis.demographics()},
          {"errors", c.errors.empty() ? json(nullptr) : c.errors}};
}

}  // namespace mpcc::party
