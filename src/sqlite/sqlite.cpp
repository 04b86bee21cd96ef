// File: sqlite/sqlite.cpp
#include "sqlite/sqlite.h"

#include <stdexcept>
#include <utility>

namespace mpcc::sqlite {

Status sqlite_status(sqlite3* db, int rc, std::string_view prefix, std::string_view what) {
  std::string msg = std::string(prefix) + ": " + std::string(what) + ": " +
                    (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return unavailable(std::move(msg));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return data_loss(std::move(msg));
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return failed_precondition(std::move(msg));
    default:
      return internal_error(std::move(msg));
  }
}

StatusOr<DbHandle> open_database(const std::filesystem::path& path, bool read_only,
                                 std::string_view prefix) {
  const std::string where = path.string();
  int flags = SQLITE_OPEN_FULLMUTEX |
              (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(where.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);  // closed on every path, even when open failed
  if (rc != SQLITE_OK) return sqlite_status(raw, rc, prefix, "open " + where);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return db;
}

StatusOr<Statement> Statement::prepare(sqlite3* db, const char* sql, std::string_view prefix) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  if (rc != SQLITE_OK) return sqlite_status(db, rc, prefix, "prepare");
  return Statement(db, raw, prefix);
}

void Statement::check(int rc) {
  // Binding fails only on a programming error (bad index, out of memory).
  if (rc != SQLITE_OK) {
    throw std::logic_error("sqlite bind failed: " + std::string(sqlite3_errstr(rc)));
  }
}

void Statement::bind(int index, std::string_view text) {
  check(sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT));
}

void Statement::bind(int index, int64_t value) {
  check(sqlite3_bind_int64(stmt_.get(), index, static_cast<sqlite3_int64>(value)));
}

void Statement::bind_null(int index) { check(sqlite3_bind_null(stmt_.get(), index)); }

StatusOr<bool> Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_status(db_, rc, prefix_, "step");
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

Status Statement::run() {
  while (true) {
    MPCC_ASSIGN_OR_RETURN(bool row, step());
    if (!row) return ok_status();
  }
}

int64_t Statement::column_int(int col) const {
  return static_cast<int64_t>(sqlite3_column_int64(stmt_.get(), col));
}

std::string Statement::column_text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_.get(), col);
  int n = sqlite3_column_bytes(stmt_.get(), col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

bool Statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL;
}

Status exec(sqlite3* db, const char* sql, std::string_view prefix) {
  MPCC_ASSIGN_OR_RETURN(Statement s, Statement::prepare(db, sql, prefix));
  return s.run();
}

StatusOr<std::unique_ptr<Transaction>> Transaction::begin(sqlite3* db, bool write,
                                                          std::string_view prefix) {
  MPCC_RETURN_IF_ERROR(exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN", prefix));
  return std::unique_ptr<Transaction>(new Transaction(db, prefix));
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::commit() {
  MPCC_RETURN_IF_ERROR(exec(db_, "COMMIT", prefix_));
  done_ = true;
  return ok_status();
}

}  // namespace mpcc::sqlite
