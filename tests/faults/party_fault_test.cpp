// File: tests/faults/party_fault_test.cpp
//
// kill -9 of a party app (Contoso's `mpcc serve party`) while its operator
// saves records (POST /company/save: one create-only JWE blob each) and, in
// every fifth trial, imports its CSV again after the test removed the
// imported records (POST /company/populate: 50 create-only blobs). The app
// is killed 0-300 ms after the writes start, started again with its
// recorded command line, and releases its key again (POST /skr/release).
// After each restart: every acknowledged record is listed and decrypts to
// what was saved (this trial's, and a sample of earlier ones); every blob
// of the container is a complete record JWE (or the one data key) and no
// temp file is listed; there is still exactly one data key; populate is
// idempotent (a second call adds nothing) and leaves all 50 CSV records.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "blobstore/directory_store.h"
#include "records/record_codec.h"
#include "tests/faults/fault_support.h"

namespace {

namespace fs = std::filesystem;
using mpcc::faults::Deployment;
using mpcc::faults::FaultSettings;
using mpcc::faults::FaultTally;
using nlohmann::json;
using std::chrono::steady_clock;

constexpr const char* kApp = "party-contoso";
constexpr const char* kContainer = "privateappdata";
constexpr const char* kRecords = "records/contoso/";
constexpr const char* kDataKeys = "datakeys/contoso/";
constexpr std::size_t kCsvRows = 50;

struct Saved {
  std::string name, phone;
};

class PartyClient {
 public:
  PartyClient(const Deployment& d, int read_timeout_ms)
      : client_(d.client(read_timeout_ms)),
        url_(d.endpoints()["parties"]["contoso"]["app"].get<std::string>()) {
    std::ifstream in(d.endpoints()["parties"]["contoso"]["credential_file"].get<std::string>());
    std::getline(in, token_);
  }
  // The answer, or status 0 when the request failed (connection refused or
  // cut). A GET carries no body: the server does not read one, and closing
  // with it unread resets the connection, which can cut a long answer.
  std::pair<int, json> call(const std::string& method, const std::string& path,
                            const json& body = json::object()) const {
    const bool get = method == "GET";
    auto r = client_.request(method, url_ + path, get ? "" : body.dump(), get ? "" : "application/json",
                             {{"Authorization", "Bearer " + token_}});
    if (!r.ok()) return {0, json(r.status().to_string())};
    return {r->status, json::parse(r->body, nullptr, false)};
  }

 private:
  mpcc::http::Client client_;
  std::string url_, token_;
};

// The writer: an optional populate, then saves, until a request fails.
struct Writer {
  bool populate = false;
  std::map<std::string, Saved> acked;  // record id -> what was saved
  bool populate_acked = false;
  bool in_flight = false;
  steady_clock::time_point sent_at;
  std::string failure;

  void run(const PartyClient& app, int trial, std::atomic<bool>& started) {
    started = true;
    if (populate) {
      in_flight = true;
      sent_at = steady_clock::now();
      auto [status, body] = app.call("POST", "/company/populate");
      if (status == 0) return;
      if (status != 200) {
        failure = "populate: " + std::to_string(status) + " " + body.dump();
        return;
      }
      populate_acked = true;
      in_flight = false;
    }
    for (int i = 0;; ++i) {
      const Saved s{"t" + std::to_string(trial) + "-" + std::to_string(i), std::to_string(1000 + i)};
      in_flight = true;
      sent_at = steady_clock::now();
      auto [status, body] = app.call("POST", "/company/save", {{"name", s.name}, {"phone", s.phone}});
      if (status == 0) return;
      if (status != 200) {
        failure = "save: " + std::to_string(status) + " " + body.dump();
        return;
      }
      acked[body.value("record_id", "")] = s;
      in_flight = false;
    }
  }
};

int temp_files(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(".tmp-", 0) == 0) ++n;
  }
  return n;
}

// Every blob of the container: a record JWE under records/contoso/ named by
// its record id, or a data key. Returns the record ids.
std::set<std::string> check_blobs(mpcc::blobstore::BlobStore& store, std::size_t* data_keys) {
  std::set<std::string> ids;
  *data_keys = 0;
  mpcc::blobstore::ListOptions all;
  for (;;) {
    auto page = store.list(kContainer, all);
    EXPECT_TRUE(page.ok()) << page.status().to_string();
    if (!page.ok()) return ids;
    for (const auto& p : page->blobs) {
      EXPECT_EQ(p.name.find(".tmp"), std::string::npos) << "a temp file is listed: " << p.name;
      auto blob = store.get(kContainer, p.name);
      EXPECT_TRUE(blob.ok()) << p.name << ": " << blob.status().to_string();
      if (!blob.ok()) continue;
      EXPECT_EQ(blob->data.size(), p.size) << p.name;
      if (p.name.rfind(kDataKeys, 0) == 0) {
        ++*data_keys;
        continue;
      }
      if (p.name.rfind(kRecords, 0) != 0) continue;  // another party's
      auto header = mpcc::records::peek_header(blob->data);
      EXPECT_TRUE(header.ok()) << p.name << " is not a record JWE: " << header.status().to_string();
      if (!header.ok()) continue;
      const std::string id = p.name.substr(std::strlen(kRecords), p.name.size() - std::strlen(kRecords) - 4);
      EXPECT_EQ(header->record_id, id) << p.name;
      ids.insert(id);
    }
    if (page->next_marker.empty()) return ids;
    all.marker = page->next_marker;
  }
}

// The listed record ids and ciphertexts (GET /company/list).
std::map<std::string, std::string> listed(const PartyClient& app) {
  std::map<std::string, std::string> out;
  auto [status, body] = app.call("GET", "/company/list?max_results=5000");
  EXPECT_EQ(status, 200) << body.dump();
  if (status != 200) return out;
  for (const json& r : body["records"]) out[r["record_id"]] = r["ciphertext"];
  return out;
}

TEST(PartyFaults, AcknowledgedRecordsSurviveKill9) {
  const FaultSettings settings = FaultSettings::from_env("party");
  std::mt19937_64 rng(settings.seed);
  Deployment d("party");
  const mpcc::Status up = d.up();
  ASSERT_TRUE(up.ok()) << up.to_string();
  ASSERT_TRUE(d.remember(kApp).ok());
  FaultTally tally;
  tally.suite = "party";
  const PartyClient app(d, 30000);
  mpcc::blobstore::DirectoryStoreOptions options;
  options.root = d.dir() / "blobs";
  auto opened = mpcc::blobstore::open_directory_store(options);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  mpcc::blobstore::BlobStore& store = **opened;

  // The key, and the CSV's records (their ids are deterministic).
  ASSERT_EQ(app.call("POST", "/skr/release").first, 200);
  auto [populated, first] = app.call("POST", "/company/populate");
  ASSERT_EQ(populated, 200) << first.dump();
  std::set<std::string> csv_ids;
  for (const auto& [id, ct] : listed(app)) csv_ids.insert(id);
  ASSERT_EQ(csv_ids.size(), kCsvRows);

  std::map<std::string, Saved> acked;  // every acknowledged save so far
  std::size_t stray = 0;               // records of unacknowledged saves
  int left_behind = 0;                 // temp files a killed app left
  const fs::path container_dir = d.dir() / "blobs" / kContainer;
  for (int trial = 0; trial < settings.trials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial) + " seed " + std::to_string(settings.seed));
    Writer writer;
    writer.populate = trial % 5 == 0;
    if (writer.populate) {
      for (const std::string& id : csv_ids) {
        ASSERT_TRUE(store.remove(kContainer, kRecords + id + ".jwe").ok()) << id;
      }
    }
    const pid_t pid = d.pid_of(kApp);
    ASSERT_GT(pid, 0);
    const PartyClient writer_app(d, 10000);
    std::atomic<bool> started{false};
    std::thread t([&] { writer.run(writer_app, trial, started); });
    while (!started) std::this_thread::yield();
    std::this_thread::sleep_for(mpcc::faults::random_delay(rng, 300));
    const auto killed_at = steady_clock::now();
    mpcc::faults::kill_and_wait(pid);
    t.join();
    ASSERT_TRUE(writer.failure.empty()) << writer.failure;
    ++tally.trials;
    if (writer.in_flight && writer.sent_at < killed_at) ++tally.kills_mid_write;

    left_behind += temp_files(container_dir);
    auto line = d.restart(kApp);
    ASSERT_TRUE(line.ok()) << "restart failed: " << line.status().to_string();
    EXPECT_EQ(temp_files(container_dir), 0) << "the restarted app removes what the killed one left";
    auto [released, release_body] = app.call("POST", "/skr/release");
    ASSERT_EQ(released, 200) << release_body.dump();

    // Storage: complete JWEs only, one data key.
    std::size_t data_keys = 0;
    const std::set<std::string> stored = check_blobs(store, &data_keys);
    EXPECT_EQ(data_keys, 1u);
    const std::map<std::string, std::string> list = listed(app);
    EXPECT_EQ(list.size(), stored.size()) << "/company/list and the container disagree";

    // Every acknowledged save is listed; this trial's, and a sample of the
    // earlier ones, decrypt to what was saved.
    std::vector<std::string> to_open;
    for (const auto& [id, s] : acked) {
      EXPECT_TRUE(list.count(id)) << "acknowledged record " << id << " (" << s.name << ") is lost";
      if (rng() % 20 == 0) to_open.push_back(id);
    }
    for (const auto& [id, s] : writer.acked) {
      acked[id] = s;
      to_open.push_back(id);
      EXPECT_TRUE(list.count(id)) << "acknowledged record " << id << " (" << s.name << ") is lost";
    }
    for (const std::string& id : to_open) {
      auto it = list.find(id);
      if (it == list.end()) continue;
      auto [status, body] = app.call("POST", "/decrypt", {{"ciphertext", it->second}, {"record_id", id}});
      ASSERT_EQ(status, 200) << id << ": " << body.dump();
      EXPECT_EQ(body["record"].value("name", ""), acked[id].name) << id;
      EXPECT_EQ(body["record"].value("phone", ""), acked[id].phone) << id;
    }
    tally.acked_checked += static_cast<long>(writer.acked.size()) + (writer.populate_acked ? 1 : 0);
    // A save applied without its answer: a record no acknowledged write made
    // (harmless: a complete record of what the operator sent).
    std::size_t known = 0;
    for (const auto& entry : list) known += csv_ids.count(entry.first) + acked.count(entry.first);
    if (list.size() > known + stray) {
      ++tally.applied_unacked;
      stray = list.size() - known;
    }
    if (writer.populate_acked) {
      for (const std::string& id : csv_ids) EXPECT_TRUE(list.count(id)) << "acknowledged populate lost " << id;
    }

    // Populate completes what a kill cut short, and then adds nothing.
    if (writer.populate) {
      auto [status, body] = app.call("POST", "/company/populate");
      ASSERT_EQ(status, 200) << body.dump();
      EXPECT_EQ(body.value("records_added", 0u) + body.value("records_already_present", 0u), kCsvRows);
      auto [again_status, again] = app.call("POST", "/company/populate");
      ASSERT_EQ(again_status, 200) << again.dump();
      EXPECT_EQ(again.value("records_added", 1u), 0u) << "populate is not idempotent";
      std::size_t n = 0;
      for (const auto& [id, ct] : listed(app)) n += csv_ids.count(id);
      EXPECT_EQ(n, kCsvRows);
    }
    ASSERT_FALSE(::testing::Test::HasFailure()) << "app pid " << d.pid_of(kApp) << " (-1: gone)\n"
                                                << d.log_tail(kApp);
  }
  std::cout << "faults party: killed apps left " << left_behind
            << " temp files (never listed); each restarted app removed them\n";
  tally.print();
}

}  // namespace
