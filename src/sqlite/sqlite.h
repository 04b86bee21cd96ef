// File: sqlite/sqlite.h
//
// The small SQLite layer mpcc's stores share (the key vault's audit log and
// key registry, the directory store's name index): an owning connection handle, prepared statements with bound
// values (never spliced SQL), BEGIN/COMMIT with rollback on scope exit, and
// one mapping from SQLite result codes to Status:
//   BUSY/LOCKED -> kUnavailable, NOTADB/CORRUPT -> kDataLoss,
//   CANTOPEN/PERM/READONLY -> kFailedPrecondition, else kInternal.
// Messages are "<prefix>: <what>: <sqlite message>".
//
// Not thread-safe by itself: each owner serialises use of its connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mpcc::sqlite {

inline constexpr int kBusyTimeoutMs = 5000;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

Status sqlite_status(sqlite3* db, int rc, std::string_view prefix, std::string_view what);

// Opens `path` (read-write, created when missing, unless `read_only`) with
// extended result codes and the busy timeout.
// On failure the connection is closed and the Status returned.
StatusOr<DbHandle> open_database(const std::filesystem::path& path, bool read_only,
                                 std::string_view prefix);

// A prepared statement. Bind indexes are 1-based (SQLite's), columns 0-based.
class Statement {
 public:
  static StatusOr<Statement> prepare(sqlite3* db, const char* sql, std::string_view prefix);

  void bind(int index, std::string_view text);
  void bind(int index, int64_t value);
  void bind_null(int index);

  // true: a row is available; false: done.
  StatusOr<bool> step();
  // Ready to run again (a kept statement): rewinds and clears the bindings.
  void reset();
  // Steps until done.
  Status run();

  int64_t column_int(int col) const;
  std::string column_text(int col) const;
  bool column_is_null(int col) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  Statement(sqlite3* db, sqlite3_stmt* s, std::string_view prefix)
      : db_(db), prefix_(prefix), stmt_(s) {}
  static void check(int rc);
  sqlite3* db_;
  std::string prefix_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// Runs one constant statement, discarding any rows.
Status exec(sqlite3* db, const char* sql, std::string_view prefix);

// BEGIN (IMMEDIATE when writing) ... COMMIT, rolled back unless commit() succeeded.
class Transaction {
 public:
  static StatusOr<std::unique_ptr<Transaction>> begin(sqlite3* db, bool write,
                                                      std::string_view prefix);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status commit();

 private:
  Transaction(sqlite3* db, std::string_view prefix) : db_(db), prefix_(prefix) {}
  sqlite3* db_;
  std::string prefix_;
  bool done_ = false;
};

}  // namespace mpcc::sqlite
