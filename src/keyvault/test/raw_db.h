// Raw SQL on a vault database file, as a damaged disk, a careless tool or an
// attacker with write access would run it (tests only).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

namespace mpcc::keyvault::test_support {

class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& p) {
    EXPECT_EQ(sqlite3_open(p.string().c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Returns the SQLite result code; `error` gets the message.
  int exec(const std::string& sql, std::string* error = nullptr) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
    if (error != nullptr) *error = msg != nullptr ? msg : "";
    sqlite3_free(msg);
    return rc;
  }
  void must(const std::string& sql) {
    std::string err;
    ASSERT_EQ(exec(sql, &err), SQLITE_OK) << sql << ": " << err;
  }
  // Drops the audit log's append-only triggers (the chain must still catch edits).
  void drop_guards() {
    must("DROP TRIGGER audit_log_no_update");
    must("DROP TRIGGER audit_log_no_delete");
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace mpcc::keyvault::test_support
