// `mpcc audit` end to end: exit codes and output of verify, show and head on
// a log written by the keyvault library, then tampered with through raw SQL.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/testing/run_command.h"
#include "keyvault/audit_log.h"

namespace {

namespace fs = std::filesystem;
using mpcc::keyvault::AuditDecision;
using mpcc::keyvault::AuditEntry;
using mpcc::keyvault::AuditLog;

using CliResult = mpcc::testing::CommandResult;

CliResult mpcc_cli(const std::string& args) {
  return mpcc::testing::run_command(std::string(MPCC_EXE) + " " + args);
}

class AuditCli : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mpcc_audit_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "vault.db").string();
    auto log = AuditLog::open(db_, std::make_shared<mpcc::FixedClock>(1700000000));
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    for (int i = 1; i <= 5; ++i) {
      AuditEntry e;
      e.actor = "oid-" + std::to_string(i);
      e.action = "release";
      e.vault = "contoso";
      e.key_name = i % 2 == 0 ? "contoso-key" : "fabrikam-key";
      e.key_version = "4d3f000aba1334eb80b4be0911fad9fe";
      e.token_digest = mpcc::keyvault::token_digest("token " + std::to_string(i));
      e.decision = i == 3 ? AuditDecision::kDeny : AuditDecision::kAllow;
      ASSERT_TRUE((*log)->append(e).ok());
    }
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void sql(const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err);
    std::string msg = err != nullptr ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << statement << ": " << msg;
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(AuditCli, VerifyOk) {
  CliResult r = mpcc_cli("audit verify --db " + db_);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "audit chain OK: 5 records\n");
}

TEST_F(AuditCli, ShowAllAndByKey) {
  CliResult all = mpcc_cli("audit show --db " + db_);
  ASSERT_EQ(all.code, 0) << all.output;
  std::istringstream lines(all.output);
  std::vector<nlohmann::json> records;
  for (std::string line; std::getline(lines, line);) records.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[2]["id"], 3);
  EXPECT_EQ(records[2]["decision"], "deny");
  EXPECT_EQ(records[2]["time"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(records[2]["tokenDigest"], mpcc::keyvault::token_digest("token 3"));

  CliResult key = mpcc_cli("audit show --db " + db_ + " --key contoso-key");
  ASSERT_EQ(key.code, 0) << key.output;
  EXPECT_EQ(std::count(key.output.begin(), key.output.end(), '\n'), 2);
  EXPECT_NE(key.output.find("\"id\":2"), std::string::npos);
  EXPECT_NE(key.output.find("\"id\":4"), std::string::npos);
}

TEST_F(AuditCli, HeadGivesAnAnchorThatVerifies) {
  CliResult head = mpcc_cli("audit head --db " + db_);
  ASSERT_EQ(head.code, 0) << head.output;
  auto j = nlohmann::json::parse(head.output);
  EXPECT_EQ(j["count"], 5);
  std::string anchor = j["anchor"];
  CliResult ok = mpcc_cli("audit verify --db " + db_ + " --anchor " + anchor);
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_NE(ok.output.find("audit chain OK: 5 records (extends the anchor at record 5)"),
            std::string::npos);

  CliResult wrong = mpcc_cli("audit verify --db " + db_ + " --anchor 5:" + std::string(64, 'a'));
  EXPECT_EQ(wrong.code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("record 5: hash differs from the anchor"), std::string::npos);
  CliResult beyond = mpcc_cli("audit verify --db " + db_ + " --anchor 9:" + std::string(64, 'a'));
  EXPECT_EQ(beyond.code, 1) << beyond.output;
  EXPECT_NE(beyond.output.find("anchor: record 9 does not exist"), std::string::npos);
}

TEST_F(AuditCli, TamperedRecordIsNamed) {
  sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET decision = 'allow' WHERE id = 3");
  CliResult r = mpcc_cli("audit verify --db " + db_);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_EQ(r.output,
            "mpcc audit verify: audit chain BROKEN (2 good records before it): record 3: hash "
            "does not match its contents (record altered)\n");
}

TEST_F(AuditCli, DeletedRecordIsNamed) {
  sql("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 2");
  CliResult r = mpcc_cli("audit verify --db " + db_);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("record 3: gap in ids: record 2 is missing"), std::string::npos)
      << r.output;
}

TEST_F(AuditCli, UnreadableInputsExitTwo) {
  CliResult missing = mpcc_cli("audit verify --db " + (dir_ / "absent.db").string());
  EXPECT_EQ(missing.code, 2) << missing.output;
  EXPECT_NE(missing.output.find("no such file"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "absent.db"));

  { std::ofstream(dir_ / "junk.db") << std::string(4096, 'x'); }
  CliResult junk = mpcc_cli("audit verify --db " + (dir_ / "junk.db").string());
  EXPECT_EQ(junk.code, 2) << junk.output;

  CliResult anchor = mpcc_cli("audit verify --db " + db_ + " --anchor nonsense");
  EXPECT_EQ(anchor.code, 2) << anchor.output;
  EXPECT_NE(anchor.output.find("--anchor: expected COUNT:HASH"), std::string::npos);

  CliResult no_db = mpcc_cli("audit verify");
  EXPECT_EQ(no_db.code, 2) << no_db.output;
}

}  // namespace
