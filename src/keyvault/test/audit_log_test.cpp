#include "keyvault/audit_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "keyvault/test/raw_db.h"

namespace mpcc::keyvault {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("mpcc_audit_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path file(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

using mpcc::keyvault::test_support::RawDb;

AuditEntry entry(int i, AuditDecision d = AuditDecision::kAllow) {
  AuditEntry e;
  e.actor = "oid-" + std::to_string(i % 3);
  e.action = "release";
  e.vault = "contoso";
  e.key_name = i % 2 == 0 ? "contoso-key" : "fabrikam-key";
  e.key_version = "4d3f000aba1334eb80b4be0911fad9fe";
  e.token_digest = token_digest("eyJhbGciOiJSUzI1NiJ9.payload" + std::to_string(i) + ".sig");
  e.decision = d;
  e.reasons = d == AuditDecision::kAllow
                  ? json::array()
                  : json::array({"anyOf[0].allOf[1]: x-ms-sevsnpvm-hostdata equals \"aa\": "
                                 "actual \"bb\" (value differs)"});
  return e;
}

std::unique_ptr<AuditLog> open_log(const fs::path& p, UnixSeconds t = 1700000000) {
  auto log = AuditLog::open(p, std::make_shared<FixedClock>(t));
  EXPECT_TRUE(log.ok()) << log.status().to_string();
  return std::move(log).value();
}

void fill(AuditLog& log, int n) {
  for (int i = 1; i <= n; ++i) {
    auto r = log.append(entry(i, i % 4 == 0 ? AuditDecision::kDeny : AuditDecision::kAllow));
    ASSERT_TRUE(r.ok()) << r.status().to_string();
  }
}

ChainReport verify_ok(const AuditLog& log) {
  auto r = log.verify();
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : ChainReport{};
}

TEST(AuditLog, TokenDigestIsSha256Hex) {
  EXPECT_EQ(token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuditLog, AppendChainsRecordsAndVerifies) {
  TempDir dir;
  auto log = open_log(dir.file("vault.db"));
  ChainReport empty = verify_ok(*log);
  EXPECT_TRUE(empty.ok);
  EXPECT_EQ(empty.records, 0);

  fill(*log, 10);
  auto records = log->list();
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 10u);
  std::string prev(kGenesisHash);
  for (std::size_t i = 0; i < records->size(); ++i) {
    const AuditRecord& r = (*records)[i];
    EXPECT_EQ(r.id, static_cast<int64_t>(i + 1));
    EXPECT_EQ(r.time, 1700000000);
    EXPECT_EQ(r.prev_hash, prev);
    EXPECT_EQ(r.hash.size(), 64u);
    EXPECT_EQ(audit_hash(r), r.hash);
    prev = r.hash;
  }
  EXPECT_EQ((*records)[3].entry.decision, AuditDecision::kDeny);
  EXPECT_EQ((*records)[3].entry.reasons.size(), 1u);
  EXPECT_EQ((*records)[0].entry.token_digest, entry(1).token_digest);

  ChainReport rep = verify_ok(*log);
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.records, 10);
  auto head = log->head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->count, 10);
  EXPECT_EQ(head->hash, prev);
}

TEST(AuditLog, ListByKey) {
  TempDir dir;
  auto log = open_log(dir.file("vault.db"));
  fill(*log, 7);
  auto contoso = log->list("contoso-key");
  ASSERT_TRUE(contoso.ok());
  ASSERT_EQ(contoso->size(), 3u);  // 2, 4, 6
  EXPECT_EQ((*contoso)[0].id, 2);
  EXPECT_EQ((*contoso)[2].id, 6);
  auto none = log->list("no-such-key");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(AuditLog, RecordJson) {
  TempDir dir;
  auto log = open_log(dir.file("vault.db"));
  auto r = log->append(entry(4, AuditDecision::kDeny));
  ASSERT_TRUE(r.ok());
  json j = r->to_json();
  EXPECT_EQ(j["id"], 1);
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["decision"], "deny");
  EXPECT_EQ(j["key"], "contoso-key");
  EXPECT_EQ(j["tokenDigest"], entry(4).token_digest);
  EXPECT_EQ(j["prevHash"], std::string(kGenesisHash));
  EXPECT_EQ(j["hash"], r->hash);
  EXPECT_EQ(j["reasons"].size(), 1u);
}

TEST(AuditLog, ReopenPersistsAndContinuesTheChain) {
  TempDir dir;
  fs::path p = dir.file("vault.db");
  std::string last;
  {
    auto log = open_log(p);
    fill(*log, 5);
    last = log->head()->hash;
  }
  auto log = open_log(p, 1700000100);
  auto r = log->append(entry(6));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, 6);
  EXPECT_EQ(r->prev_hash, last);
  EXPECT_EQ(r->time, 1700000100);
  ChainReport rep = verify_ok(*log);
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.records, 6);
}

TEST(AuditLog, ReadOnlyOpen) {
  TempDir dir;
  auto missing = AuditLog::open(dir.file("absent.db"), nullptr, AuditLog::Mode::kReadOnly);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir.file("absent.db")));

  {
    RawDb other(dir.file("other.db"));
    other.must("CREATE TABLE t(x)");
  }
  auto not_audit = AuditLog::open(dir.file("other.db"), nullptr, AuditLog::Mode::kReadOnly);
  ASSERT_FALSE(not_audit.ok());
  EXPECT_EQ(not_audit.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(not_audit.status().message().find("holds no audit log"), std::string::npos);

  { std::ofstream(dir.file("junk.db")) << std::string(4096, 'x'); }
  auto junk = AuditLog::open(dir.file("junk.db"), nullptr, AuditLog::Mode::kReadOnly);
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), StatusCode::kDataLoss) << junk.status().to_string();

  {
    auto log = open_log(dir.file("vault.db"));
    fill(*log, 3);
  }
  auto ro = AuditLog::open(dir.file("vault.db"), nullptr, AuditLog::Mode::kReadOnly);
  ASSERT_TRUE(ro.ok()) << ro.status().to_string();
  EXPECT_EQ(verify_ok(**ro).records, 3);
  auto w = (*ro)->append(entry(4));
  EXPECT_FALSE(w.ok());
}

TEST(AuditLog, SqlTriggersRefuseUpdateAndDelete) {
  TempDir dir;
  fs::path p = dir.file("vault.db");
  auto log = open_log(p);
  fill(*log, 3);
  RawDb raw(p);
  std::string err;
  EXPECT_NE(raw.exec("UPDATE audit_log SET decision = 'allow' WHERE id = 2", &err), SQLITE_OK);
  EXPECT_NE(err.find("append-only"), std::string::npos) << err;
  EXPECT_NE(raw.exec("DELETE FROM audit_log WHERE id = 3", &err), SQLITE_OK);
  EXPECT_TRUE(verify_ok(*log).ok);
}

// Tampering: the attacker can write the file and drops the triggers first.
class AuditTamper : public testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("vault.db");
    log_ = open_log(path_);
    fill(*log_, 8);
    anchor_ = *log_->head();
    raw_ = std::make_unique<RawDb>(path_);
    raw_->drop_guards();
  }
  ChainReport broken() {
    ChainReport r = verify_ok(*log_);
    EXPECT_FALSE(r.ok);
    return r;
  }

  TempDir dir_;
  fs::path path_;
  std::unique_ptr<AuditLog> log_;
  std::unique_ptr<RawDb> raw_;
  ChainHead anchor_;
};

TEST_F(AuditTamper, ChangedDecision) {
  raw_->must("UPDATE audit_log SET decision = 'allow' WHERE id = 4");
  ChainReport r = broken();
  EXPECT_EQ(r.bad_record, 4);
  EXPECT_EQ(r.records, 3);
  EXPECT_EQ(r.problem, "record 4: hash does not match its contents (record altered)");
}

TEST_F(AuditTamper, ChangedReasons) {
  raw_->must("UPDATE audit_log SET reasons = '[]' WHERE id = 8");
  ChainReport r = broken();
  EXPECT_EQ(r.bad_record, 8);
  EXPECT_NE(r.problem.find("hash does not match its contents"), std::string::npos);
}

TEST_F(AuditTamper, ChangedTokenDigestActorOrTime) {
  raw_->must("UPDATE audit_log SET time = time + 1 WHERE id = 2");
  EXPECT_EQ(broken().bad_record, 2);
}

TEST_F(AuditTamper, ChangedRowWithRecomputedHashBreaksTheNextLink) {
  // Rewrite record 4 (a denial) consistently as an allow, so only the link
  // from record 5 shows it.
  auto records = log_->list();
  ASSERT_TRUE(records.ok());
  AuditRecord forged = (*records)[3];
  ASSERT_EQ(forged.entry.decision, AuditDecision::kDeny);
  forged.entry.decision = AuditDecision::kAllow;
  forged.entry.reasons = json::array();
  std::string h = audit_hash(forged);
  raw_->must("UPDATE audit_log SET decision = 'allow', reasons = '[]', hash = '" + h +
             "' WHERE id = 4");
  ChainReport r = broken();
  EXPECT_EQ(r.bad_record, 5);
  EXPECT_EQ(r.problem,
            "record 5: prev_hash does not match the hash of record 4 (records altered, reordered "
            "or inserted)");
}

TEST_F(AuditTamper, DeletedMiddleRow) {
  raw_->must("DELETE FROM audit_log WHERE id = 5");
  ChainReport r = broken();
  EXPECT_EQ(r.bad_record, 6);
  EXPECT_EQ(r.problem, "record 6: gap in ids: record 5 is missing (deleted)");
}

TEST_F(AuditTamper, DeletedSeveralRowsAndTheFirst) {
  raw_->must("DELETE FROM audit_log WHERE id IN (1)");
  EXPECT_EQ(broken().problem, "record 2: gap in ids: record 1 is missing (deleted)");
  raw_->must("DELETE FROM audit_log WHERE id IN (2, 3, 4)");
  EXPECT_EQ(broken().problem, "record 5: gap in ids: records 1 to 4 are missing (deleted)");
}

TEST_F(AuditTamper, ReorderedRows) {
  raw_->must("UPDATE audit_log SET id = 100 WHERE id = 3");
  raw_->must("UPDATE audit_log SET id = 3 WHERE id = 4");
  raw_->must("UPDATE audit_log SET id = 4 WHERE id = 100");
  ChainReport r = broken();
  EXPECT_EQ(r.bad_record, 3);
  EXPECT_NE(r.problem.find("record 3: prev_hash does not match the hash of record 2"),
            std::string::npos)
      << r.problem;
}

TEST_F(AuditTamper, DeletedTail) {
  raw_->must("DELETE FROM audit_log WHERE id >= 7");
  ChainReport r = broken();
  EXPECT_EQ(r.records, 6);
  EXPECT_EQ(r.bad_record, 7);
  EXPECT_EQ(r.problem,
            "end of log: the head records 8 records but the table ends at record 6 (records "
            "deleted at the end)");
  // The next append chains onto the head, so the gap stays visible.
  auto next = log_->append(entry(9));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->id, 9);
  EXPECT_EQ(broken().problem, "record 9: gap in ids: records 7 to 8 are missing (deleted)");
}

TEST_F(AuditTamper, DeletedTailWithForgedHeadNeedsAnAnchor) {
  auto records = log_->list();
  ASSERT_TRUE(records.ok());
  raw_->must("DELETE FROM audit_log WHERE id >= 7");
  raw_->must("UPDATE audit_head SET count = 6, hash = '" + (*records)[5].hash + "'");
  // Consistent truncation is invisible to the file alone...
  EXPECT_TRUE(verify_ok(*log_).ok);
  // ...but not to an anchor taken earlier.
  auto r = log_->verify(anchor_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->bad_record, 8);
  EXPECT_EQ(r->problem, "anchor: record 8 does not exist; the log has 6 (truncated)");
}

TEST_F(AuditTamper, RewrittenHistoryFailsTheAnchor) {
  // Rebuild the whole chain after changing record 2: consistent, but not the
  // history the anchor saw.
  auto records = log_->list();
  ASSERT_TRUE(records.ok());
  std::string prev(kGenesisHash);
  for (AuditRecord& rec : *records) {
    if (rec.id == 2) rec.entry.decision = AuditDecision::kDeny;
    rec.prev_hash = prev;
    rec.hash = audit_hash(rec);
    prev = rec.hash;
    raw_->must("UPDATE audit_log SET decision = '" +
               std::string(decision_name(rec.entry.decision)) + "', prev_hash = '" + rec.prev_hash +
               "', hash = '" + rec.hash + "' WHERE id = " + std::to_string(rec.id));
  }
  raw_->must("UPDATE audit_head SET hash = '" + prev + "'");
  EXPECT_TRUE(verify_ok(*log_).ok);
  auto r = log_->verify(anchor_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->bad_record, 8);
  EXPECT_NE(r->problem.find("history rewritten since the anchor was taken"), std::string::npos);
  // An anchor for the current state passes.
  auto now = log_->verify(*log_->head());
  ASSERT_TRUE(now.ok());
  EXPECT_TRUE(now->ok) << now->problem;
}

TEST_F(AuditTamper, RowAppendedBehindTheLogsBack) {
  auto records = log_->list();
  ASSERT_TRUE(records.ok());
  AuditRecord extra = records->back();
  extra.id = 9;
  extra.prev_hash = records->back().hash;
  extra.hash = audit_hash(extra);
  raw_->must(
      "INSERT INTO audit_log SELECT 9, time, actor, action, vault, key_name, key_version, "
      "token_digest, decision, reasons, '" +
      extra.prev_hash + "', '" + extra.hash + "' FROM audit_log WHERE id = 8");
  ChainReport r = broken();
  EXPECT_EQ(r.bad_record, 9);
  EXPECT_NE(r.problem.find("not covered by the chain head"), std::string::npos) << r.problem;
}

TEST_F(AuditTamper, HeadAlteredOrDeleted) {
  raw_->must("UPDATE audit_head SET hash = '" + std::string(64, 'a') + "'");
  EXPECT_EQ(broken().problem, "chain head: hash does not match record 8 (head or record altered)");
  raw_->must("DELETE FROM audit_head");
  EXPECT_EQ(broken().problem, "chain head: missing (audit_head row deleted)");
}

TEST_F(AuditTamper, ListRefusesUndecodableRows) {
  raw_->must("UPDATE audit_log SET decision = 'maybe' WHERE id = 2");
  auto l = log_->list();
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(l.status().message().find("record 2: unknown decision"), std::string::npos);
}

TEST(AuditLog, ConcurrentAppendsKeepAValidChain) {
  TempDir dir;
  fs::path p = dir.file("vault.db");
  auto shared = open_log(p);
  auto second = open_log(p);  // another connection to the same file
  constexpr int kThreads = 6;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      AuditLog& log = t % 2 == 0 ? *shared : *second;
      for (int i = 0; i < kEach; ++i) {
        if (!log.append(entry(t * 1000 + i)).ok()) ++failures;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ChainReport rep = verify_ok(*shared);
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.records, kThreads * kEach);
  auto records = shared->list();
  ASSERT_TRUE(records.ok());
  std::set<int64_t> ids;
  for (const AuditRecord& r : *records) ids.insert(r.id);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(*ids.rbegin(), kThreads * kEach);
}

TEST(AuditLog, RefusesSecretsAndMalformedEntries) {
  TempDir dir;
  auto log = open_log(dir.file("vault.db"));
  const std::string jwt =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJodHRwczovL3gifQ.c2lnbmF0dXJl";
  struct Case {
    const char* name;
    AuditEntry e;
    const char* message;
  };
  std::vector<Case> cases;
  AuditEntry e = entry(1);
  e.actor = "Bearer " + jwt;
  cases.push_back({"token as actor", e, "audit: actor: looks like a token or key"});
  e = entry(1);
  e.key_version = jwt;
  cases.push_back({"token as version", e, "audit: key_version: looks like a token or key"});
  e = entry(1);
  e.token_digest = jwt;
  cases.push_back({"token as digest", e, "audit: token_digest: looks like a token or key"});
  e = entry(1);
  e.token_digest = std::string(64, 'A');
  cases.push_back({"uppercase digest", e, "audit: token_digest: must be 64 lowercase hex"});
  e = entry(1);
  e.reasons = json::array({"target was " + jwt});
  cases.push_back({"token in reasons", e, "audit: reasons: contain something that looks like"});
  e = entry(1);
  e.reasons = json{{"detail", {{"key", "-----BEGIN PRIVATE KEY-----\nMIIE..."}}}};
  cases.push_back({"key in reasons", e, "audit: reasons: contain something that looks like"});
  e = entry(1);
  e.action = "";
  cases.push_back({"no action", e, "audit: action: must not be empty"});
  e = entry(1);
  e.vault = std::string(kMaxAuditFieldBytes + 1, 'v');
  cases.push_back({"long vault", e, "audit: vault: longer than 1024 bytes"});
  e = entry(1);
  e.actor = "\xff\xfe";
  cases.push_back({"not utf8", e, "audit: actor: not UTF-8"});
  e = entry(1);
  e.reasons = json::array({std::string(kMaxAuditReasonsBytes, 'r')});
  cases.push_back({"long reasons", e, "audit: reasons: longer than"});
  for (const Case& c : cases) {
    auto r = log->append(c.e);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.name << ": " << r.status().message();
  }
  EXPECT_EQ(verify_ok(*log).records, 0);
  // Hex digests, JSON reasons and an empty key name are fine.
  AuditEntry fine = entry(2);
  fine.key_name.clear();
  fine.reasons = nullptr;
  auto r = log->append(fine);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->entry.reasons, json::array());
}

TEST(AuditLog, DecisionNames) {
  for (AuditDecision d : {AuditDecision::kAllow, AuditDecision::kDeny, AuditDecision::kError}) {
    EXPECT_EQ(parse_decision(decision_name(d)), d);
  }
  EXPECT_FALSE(parse_decision("Allow").has_value());
}

}  // namespace
}  // namespace mpcc::keyvault
