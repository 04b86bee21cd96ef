// File: sqlite/test/sqlite_test.cpp
//
// The SQLite layer: bound statements and kept ones, transactions that roll
// back unless committed, and the mapping of SQLite's failures to Status.
#include "sqlite/sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/testing/temp_dir.h"

namespace mpcc::sqlite {
namespace {

namespace fs = std::filesystem;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<DbHandle> db = open_database(dir_.path() / "t.db", false, "test");
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    db_ = std::move(db).value();
    ASSERT_TRUE(exec(db_.get(), "CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)", "test").ok());
  }

  std::int64_t rows() {
    StatusOr<Statement> s = Statement::prepare(db_.get(), "SELECT count(*) FROM t", "test");
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE(s->step().value());
    return s->column_int(0);
  }

  testing::TempDir dir_{"mpcc-sqlite"};
  DbHandle db_;
};

TEST_F(SqliteTest, BoundValuesAreNeverSQL) {
  StatusOr<Statement> put = Statement::prepare(db_.get(), "INSERT INTO t(k, v) VALUES(?1, ?2)", "test");
  ASSERT_TRUE(put.ok());
  const std::string hostile = "x'); DROP TABLE t; --";
  put->bind(1, hostile);
  put->bind(2, std::int64_t{-7});
  ASSERT_TRUE(put->run().ok());
  StatusOr<Statement> get = Statement::prepare(db_.get(), "SELECT k, v FROM t", "test");
  ASSERT_TRUE(get.ok());
  ASSERT_TRUE(get->step().value());
  EXPECT_EQ(get->column_text(0), hostile);
  EXPECT_EQ(get->column_int(1), -7);
  EXPECT_FALSE(get->step().value());
}

TEST_F(SqliteTest, AKeptStatementRunsAgainAfterReset) {
  StatusOr<Statement> put = Statement::prepare(db_.get(), "INSERT INTO t(k, v) VALUES(?1, ?2)", "test");
  ASSERT_TRUE(put.ok());
  for (int i = 0; i < 3; ++i) {
    put->bind(1, "k" + std::to_string(i));
    if (i != 2) put->bind(2, std::int64_t{i});  // reset clears bindings: the last v is NULL
    ASSERT_TRUE(put->run().ok());
    put->reset();
  }
  EXPECT_EQ(rows(), 3);
  StatusOr<Statement> last = Statement::prepare(db_.get(), "SELECT v FROM t WHERE k = 'k2'", "test");
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->step().value());
  EXPECT_TRUE(last->column_is_null(0));
  // A unique-key violation is an error, not a silent no-op.
  put->bind(1, "k0");
  const Status again = put->run();
  EXPECT_EQ(again.code(), StatusCode::kInternal);
  EXPECT_NE(again.message().find("test: step: UNIQUE constraint failed"), std::string::npos)
      << again.message();
}

TEST_F(SqliteTest, TransactionsRollBackUnlessCommitted) {
  {
    StatusOr<std::unique_ptr<Transaction>> tx = Transaction::begin(db_.get(), true, "test");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(exec(db_.get(), "INSERT INTO t(k, v) VALUES('gone', 1)", "test").ok());
  }
  EXPECT_EQ(rows(), 0);
  {
    StatusOr<std::unique_ptr<Transaction>> tx = Transaction::begin(db_.get(), true, "test");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(exec(db_.get(), "INSERT INTO t(k, v) VALUES('kept', 1)", "test").ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  EXPECT_EQ(rows(), 1);
}

TEST_F(SqliteTest, FailuresMapToStatusCodes) {
  EXPECT_EQ(exec(db_.get(), "SELEKT 1", "test").code(), StatusCode::kInternal);
  // Not a database: kDataLoss, named by the prefix.
  std::ofstream(dir_.path() / "junk.db") << std::string(4096, 'J');
  StatusOr<DbHandle> junk = open_database(dir_.path() / "junk.db", false, "junk store");
  ASSERT_TRUE(junk.ok());  // SQLite reads the file lazily
  const Status read = exec(junk->get(), "SELECT count(*) FROM sqlite_master", "junk store");
  EXPECT_EQ(read.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(read.message().starts_with("junk store: ")) << read.message();
  // Read-only open of a missing file, and a write through a read-only handle.
  EXPECT_EQ(open_database(dir_.path() / "missing.db", true, "test").status().code(),
            StatusCode::kFailedPrecondition);
  StatusOr<DbHandle> reader = open_database(dir_.path() / "t.db", true, "test");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(exec(reader->get(), "INSERT INTO t(k, v) VALUES('no', 1)", "test").code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mpcc::sqlite
