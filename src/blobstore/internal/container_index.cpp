// File: blobstore/internal/container_index.cpp
#include "blobstore/internal/container_index.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <utility>

#include "blobstore/internal/posix_file.h"
#include "sqlite/sqlite.h"

namespace mpcc::blobstore::internal {

namespace {

namespace fs = std::filesystem;

constexpr const char* kLockFile = ".lock";
constexpr const char* kPrefix = "directory store index";

// Statements, indexed [strict lower bound][upper bound given]. ?1 is the
// lower bound, ?2 the upper (exclusive), ?3 the row limit.
constexpr const char* kPageSql[2][2] = {
    {"SELECT name FROM names WHERE name >= ?1 ORDER BY name LIMIT ?3",
     "SELECT name FROM names WHERE name >= ?1 AND name < ?2 ORDER BY name LIMIT ?3"},
    {"SELECT name FROM names WHERE name > ?1 ORDER BY name LIMIT ?3",
     "SELECT name FROM names WHERE name > ?1 AND name < ?2 ORDER BY name LIMIT ?3"}};
constexpr const char* kCountSql[2] = {
    "SELECT count(*) FROM names WHERE name >= ?1",
    "SELECT count(*) FROM names WHERE name >= ?1 AND name < ?2"};
constexpr const char* kHasSql = "SELECT count(*) FROM names WHERE name = ?1";
constexpr const char* kCountedSql = "SELECT n FROM counts WHERE prefix = ?1";
constexpr const char* kBumpSql =
    "INSERT INTO counts(prefix, n) VALUES(?1, ?2) ON CONFLICT(prefix) DO UPDATE SET n = n + ?2";
constexpr const char* kPendingSql = "SELECT name FROM pending ORDER BY name";
constexpr const char* kAddSql = "INSERT OR IGNORE INTO names(name) VALUES(?1)";
constexpr const char* kRemoveSql = "DELETE FROM names WHERE name = ?1";
constexpr const char* kMarkPendingSql = "INSERT OR IGNORE INTO pending(name) VALUES(?1)";
constexpr const char* kClearPendingSql = "DELETE FROM pending WHERE name = ?1";
constexpr const char* kBuiltSql = "SELECT value FROM meta WHERE key = 'built_boot'";
// What 'built_boot' holds: the layout of the tables, and the boot.
constexpr const char* kFormat = "names+counts/1";
constexpr const char* kSetBuiltSql =
    "INSERT OR REPLACE INTO meta(key, value) VALUES('built_boot', ?1)";

// The smallest string greater than every string starting with `prefix`;
// nullopt when there is none (empty, or only 0xFF bytes).
std::optional<std::string> prefix_end(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// The prefixes of `name` that end a "directory" (and the empty one): those
// whose names the index counts as it goes.
std::vector<std::string> counted_prefixes(const std::string& name) {
  std::vector<std::string> out{""};
  for (std::size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1)) {
    out.push_back(name.substr(0, slash + 1));
  }
  return out;
}

bool counted(const std::string& prefix) { return prefix.empty() || prefix.back() == '/'; }

bool in_range(const std::string& name, const std::string& prefix, const std::string& marker) {
  return name.starts_with(prefix) && (marker.empty() || name > marker);
}

NamePage page_of(std::vector<std::string> sorted, const std::string& prefix,
                 const std::string& marker, std::size_t limit) {
  NamePage out;
  for (std::string& name : sorted) {
    if (!in_range(name, prefix, marker)) continue;
    if (out.names.size() == limit) {
      out.more = true;
      break;
    }
    out.names.push_back(std::move(name));
  }
  return out;
}

void remove_index_files(const fs::path& file) {
  for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((file.string() + suffix).c_str());
}

}  // namespace

std::string current_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// One connection to the index file, with its statements kept prepared.
class ContainerIndex::Database {
 public:
  static StatusOr<std::unique_ptr<Database>> open(const fs::path& file) {
    // Made 0600 first, like every file of the store; SQLite gives its WAL
    // and shared-memory files the same mode.
    MPCC_RETURN_IF_ERROR(open_fd(file, O_RDWR | O_CREAT, 0600).status());
    MPCC_ASSIGN_OR_RETURN(sqlite::DbHandle handle,
                          sqlite::open_database(file, /*read_only=*/false, kPrefix));
    std::unique_ptr<Database> db(new Database(std::move(handle)));
    for (const char* sql :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
          "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
          "CREATE TABLE IF NOT EXISTS names(name TEXT PRIMARY KEY) WITHOUT ROWID",
          "CREATE TABLE IF NOT EXISTS pending(name TEXT PRIMARY KEY) WITHOUT ROWID",
          "CREATE TABLE IF NOT EXISTS counts(prefix TEXT PRIMARY KEY, n INTEGER NOT NULL) "
          "WITHOUT ROWID"}) {
      MPCC_RETURN_IF_ERROR(sqlite::exec(db->handle(), sql, kPrefix));
    }
    const std::string cache = "PRAGMA cache_size=-" + std::to_string(kCacheKiB);
    MPCC_RETURN_IF_ERROR(sqlite::exec(db->handle(), cache.c_str(), kPrefix));
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return errno_status("stat", file, errno);
    db->device = st.st_dev;
    db->inode = st.st_ino;
    return db;
  }

  sqlite3* handle() const { return handle_.get(); }

  // A kept statement, reset when the returned object goes.
  class Use {
   public:
    explicit Use(sqlite::Statement& s) : s_(s) {}
    ~Use() { s_.reset(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    sqlite::Statement* operator->() { return &s_; }

   private:
    sqlite::Statement& s_;
  };
  StatusOr<sqlite::Statement*> statement(const char* sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      MPCC_ASSIGN_OR_RETURN(sqlite::Statement s, sqlite::Statement::prepare(handle(), sql, kPrefix));
      it = statements_.emplace(sql, std::move(s)).first;
    }
    return &it->second;
  }

  // Runs `sql` with `name` bound to ?1, discarding rows.
  Status run(const char* sql, const std::string& name) {
    MPCC_ASSIGN_OR_RETURN(sqlite::Statement * s, statement(sql));
    Use use(*s);
    s->bind(1, name);
    return s->run();
  }

  // Adds or removes `name`, keeping the counts of its prefixes; inside a
  // write transaction.
  Status set_present(const std::string& name, bool present) {
    MPCC_RETURN_IF_ERROR(run(present ? kAddSql : kRemoveSql, name));
    if (sqlite3_changes(handle()) == 0) return ok_status();  // it already was so
    for (const std::string& prefix : counted_prefixes(name)) {
      MPCC_RETURN_IF_ERROR(bump(prefix, present ? 1 : -1));
    }
    return ok_status();
  }

  Status bump(const std::string& prefix, std::int64_t by) {
    MPCC_ASSIGN_OR_RETURN(sqlite::Statement * s, statement(kBumpSql));
    Use use(*s);
    s->bind(1, prefix);
    s->bind(2, by);
    return s->run();
  }

  // The first column of every row of `sql` (bound by `bind`).
  template <typename Bind>
  StatusOr<std::vector<std::string>> texts(const char* sql, Bind bind) {
    MPCC_ASSIGN_OR_RETURN(sqlite::Statement * s, statement(sql));
    Use use(*s);
    bind(*s);
    std::vector<std::string> out;
    while (true) {
      MPCC_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) return out;
      out.push_back(s->column_text(0));
    }
  }

  template <typename Bind>
  StatusOr<std::int64_t> number(const char* sql, Bind bind) {
    MPCC_ASSIGN_OR_RETURN(sqlite::Statement * s, statement(sql));
    Use use(*s);
    bind(*s);
    MPCC_ASSIGN_OR_RETURN(bool row, s->step());
    return row ? s->column_int(0) : 0;
  }

  static std::string built_mark(const std::string& boot_id) {
    return std::string(kFormat) + " " + boot_id;
  }

  StatusOr<bool> built_in(const std::string& boot_id) {
    if (boot_id.empty()) return false;
    MPCC_ASSIGN_OR_RETURN(std::vector<std::string> v, texts(kBuiltSql, [](auto&) {}));
    return !v.empty() && v.front() == built_mark(boot_id);
  }

  // Fills the index from the directory, in one transaction; the caller
  // holds the container's exclusive lock.
  Status build(const DirectoryReader& directory, const std::string& boot_id) {
    MPCC_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::begin(handle(), true, kPrefix));
    MPCC_ASSIGN_OR_RETURN(bool done, built_in(boot_id));  // by another process meanwhile
    if (!done) {
      MPCC_ASSIGN_OR_RETURN(std::vector<std::string> names, directory.scan());
      for (const char* table : {"DELETE FROM names", "DELETE FROM pending", "DELETE FROM counts"}) {
        MPCC_RETURN_IF_ERROR(sqlite::exec(handle(), table, kPrefix));
      }
      std::map<std::string, std::int64_t> counts{{"", 0}};
      for (const std::string& name : names) {
        MPCC_RETURN_IF_ERROR(run(kAddSql, name));
        if (sqlite3_changes(handle()) == 0) continue;
        for (const std::string& prefix : counted_prefixes(name)) ++counts[prefix];
      }
      for (const auto& [prefix, n] : counts) MPCC_RETURN_IF_ERROR(bump(prefix, n));
      MPCC_RETURN_IF_ERROR(run(kSetBuiltSql, built_mark(boot_id)));
    }
    MPCC_RETURN_IF_ERROR(tx->commit());
    built = true;
    return ok_status();
  }

  dev_t device = 0;
  ino_t inode = 0;
  bool built = false;  // known to be built this boot

 private:
  explicit Database(sqlite::DbHandle handle) : handle_(std::move(handle)) {}
  sqlite::DbHandle handle_;
  // Declared after handle_, so finalized before the connection closes.
  std::map<const char*, sqlite::Statement> statements_;
};

ContainerIndex::ContainerIndex(fs::path dir, std::string boot_id)
    : dir_(std::move(dir)), boot_id_(std::move(boot_id)) {}

ContainerIndex::~ContainerIndex() = default;

StatusOr<ContainerIndex::Database*> ContainerIndex::database(const DirectoryReader& directory,
                                                            bool locked) {
  const fs::path file = dir_ / kFileName;
  struct stat st {};
  const bool same_file = db_ && ::stat(file.c_str(), &st) == 0 && st.st_ino == db_->inode &&
                         st.st_dev == db_->device;
  if (same_file && db_->built) return db_.get();
  if (!same_file) {
    db_.reset();
    StatusOr<std::unique_ptr<Database>> opened = open_built(file);
    if (!opened.ok() && opened.status().code() != StatusCode::kDataLoss) return opened.status();
    if (opened.ok()) db_ = std::move(opened).value();
    if (db_ && db_->built) return db_.get();
  }
  // Not built this boot, or damaged: build it, which takes the container's lock.
  if (!locked) return nullptr;
  Status built = db_ ? db_->build(directory, boot_id_)
                     : data_loss("directory store index: cannot be opened");
  if (built.code() == StatusCode::kDataLoss) {
    // A damaged index holds nothing the directory does not: start a new one
    // (other processes notice the new file).
    spdlog::warn("directory store: rebuilding the damaged index of {}: {}", dir_.string(),
                 built.message());
    db_.reset();
    remove_index_files(file);
    MPCC_ASSIGN_OR_RETURN(db_, Database::open(file));
    built = db_->build(directory, boot_id_);
  }
  if (!built.ok()) {
    db_.reset();
    return built;
  }
  return db_.get();
}

StatusOr<ContainerIndex::Database*> ContainerIndex::reader_database(
    std::unique_lock<std::mutex>& guard, const DirectoryReader& directory) {
  MPCC_ASSIGN_OR_RETURN(Database * db, database(directory, false));
  if (db != nullptr) return db;
  // Writers take the container's lock, then mutex_: so must a builder.
  guard.unlock();
  StatusOr<FileLock> lock = FileLock::acquire(dir_ / kLockFile);
  guard.lock();
  if (!lock.ok()) return lock.status();
  return database(directory, true);
}

StatusOr<std::vector<std::string>> ContainerIndex::scan_without_index(
    const Status& why, const DirectoryReader& directory) {
  if (!warned_) {
    warned_ = true;
    spdlog::warn("directory store: no listing index for {} (listings and counts scan): {}",
                 dir_.string(), why.message());
  }
  MPCC_ASSIGN_OR_RETURN(std::vector<std::string> names, directory.scan());
  std::sort(names.begin(), names.end());
  return names;
}

StatusOr<std::unique_ptr<ContainerIndex::Database>> ContainerIndex::open_built(
    const fs::path& file) const {
  MPCC_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(file));
  MPCC_ASSIGN_OR_RETURN(db->built, db->built_in(boot_id_));
  return db;
}

StatusOr<NamePage> ContainerIndex::page(const std::string& prefix, const std::string& marker,
                                        std::size_t limit, const DirectoryReader& directory) {
  std::unique_lock guard(mutex_);
  StatusOr<Database*> db = reader_database(guard, directory);
  if (!db.ok()) {
    MPCC_ASSIGN_OR_RETURN(std::vector<std::string> names, scan_without_index(db.status(), directory));
    return page_of(std::move(names), prefix, marker, limit);
  }
  const bool strict = !marker.empty() && marker >= prefix;
  const std::string& lower = strict ? marker : prefix;
  const std::optional<std::string> upper = prefix_end(prefix);

  std::vector<std::string> pending;
  std::vector<std::string> rows;
  {
    MPCC_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::begin((*db)->handle(), false, kPrefix));
    MPCC_ASSIGN_OR_RETURN(pending, (*db)->texts(kPendingSql, [](auto&) {}));
    std::erase_if(pending, [&](const std::string& n) { return !in_range(n, prefix, marker); });
    const auto want = static_cast<std::int64_t>(limit + 1 + pending.size());
    MPCC_ASSIGN_OR_RETURN(
        rows, (*db)->texts(kPageSql[strict][upper.has_value()], [&](sqlite::Statement& s) {
          s.bind(1, lower);
          if (upper) s.bind(2, *upper);
          s.bind(3, want);
        }));
    MPCC_RETURN_IF_ERROR(tx->commit());
    // A full answer may stop before names that exist; a pending name past
    // its last row is on a later page.
    const bool full = rows.size() == static_cast<std::size_t>(want);
    for (const std::string& name : pending) {
      MPCC_ASSIGN_OR_RETURN(bool exists, directory.exists(name));
      auto at = std::lower_bound(rows.begin(), rows.end(), name);
      const bool listed = at != rows.end() && *at == name;
      if (exists && !listed && (!full || at != rows.end())) rows.insert(at, name);
      if (!exists && listed) rows.erase(at);
    }
  }
  NamePage out;
  out.more = rows.size() > limit;
  if (out.more) rows.resize(limit);
  out.names = std::move(rows);
  return out;
}

StatusOr<std::size_t> ContainerIndex::count(const std::string& prefix,
                                            const DirectoryReader& directory) {
  std::unique_lock guard(mutex_);
  StatusOr<Database*> db = reader_database(guard, directory);
  if (!db.ok()) {
    MPCC_ASSIGN_OR_RETURN(std::vector<std::string> names, scan_without_index(db.status(), directory));
    return static_cast<std::size_t>(std::count_if(
        names.begin(), names.end(), [&](const std::string& n) { return n.starts_with(prefix); }));
  }
  const std::optional<std::string> upper = prefix_end(prefix);
  MPCC_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::begin((*db)->handle(), false, kPrefix));
  // A "directory" prefix has its count kept; another costs a range count.
  const char* sql = counted(prefix) ? kCountedSql : kCountSql[upper.has_value()];
  MPCC_ASSIGN_OR_RETURN(std::int64_t n, (*db)->number(sql, [&](sqlite::Statement& s) {
    s.bind(1, prefix);
    if (upper && !counted(prefix)) s.bind(2, *upper);
  }));
  MPCC_ASSIGN_OR_RETURN(std::vector<std::string> pending, (*db)->texts(kPendingSql, [](auto&) {}));
  for (const std::string& name : pending) {
    if (!name.starts_with(prefix)) continue;
    MPCC_ASSIGN_OR_RETURN(std::int64_t listed,
                          (*db)->number(kHasSql, [&](sqlite::Statement& s) { s.bind(1, name); }));
    MPCC_ASSIGN_OR_RETURN(bool exists, directory.exists(name));
    n += (exists ? 1 : 0) - listed;
  }
  MPCC_RETURN_IF_ERROR(tx->commit());
  return static_cast<std::size_t>(n);
}

Status ContainerIndex::begin_write(const std::string& name, const DirectoryReader& directory) {
  std::lock_guard guard(mutex_);
  MPCC_ASSIGN_OR_RETURN(Database * db, database(directory, true));
  MPCC_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::begin(db->handle(), true, kPrefix));
  // Pending names now are a dead writer's (writers hold the lock): settle them.
  MPCC_ASSIGN_OR_RETURN(std::vector<std::string> left, db->texts(kPendingSql, [](auto&) {}));
  for (const std::string& stale : left) {
    MPCC_ASSIGN_OR_RETURN(bool exists, directory.exists(stale));
    MPCC_RETURN_IF_ERROR(db->set_present(stale, exists));
    MPCC_RETURN_IF_ERROR(db->run(kClearPendingSql, stale));
  }
  MPCC_RETURN_IF_ERROR(db->run(kMarkPendingSql, name));
  return tx->commit();
}

void ContainerIndex::end_write(const std::string& name, bool present) {
  std::lock_guard guard(mutex_);
  if (!db_) return;  // begin_write failed, so the write did not happen
  Status done = [&]() -> Status {
    MPCC_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::begin(db_->handle(), true, kPrefix));
    MPCC_RETURN_IF_ERROR(db_->set_present(name, present));
    MPCC_RETURN_IF_ERROR(db_->run(kClearPendingSql, name));
    return tx->commit();
  }();
  if (!done.ok()) {
    spdlog::warn("directory store: index of {} left a write pending (readers look it up): {}",
                 dir_.string(), done.message());
  }
}

}  // namespace mpcc::blobstore::internal
