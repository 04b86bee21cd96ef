// Hash-chained audit log on SQLite. Every statement is a constant string
// compiled with sqlite3_prepare_v2; values are bound, never spliced.
#include "keyvault/audit_log.h"

#include <sqlite3.h>

#include <array>
#include <cstring>
#include <utility>

#include "common/bytes.h"
#include "crypto/hash.h"
#include "sqlite/sqlite.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "mpcc-audit-v1";

using sqlite::DbHandle;
using sqlite::Transaction;

constexpr std::string_view kPrefix = "audit";

// The shared SQLite helpers with this log's message prefix.
StatusOr<sqlite::Statement> prepare(sqlite3* db, const char* sql) {
  return sqlite::Statement::prepare(db, sql, kPrefix);
}
Status exec(sqlite3* db, const char* sql) { return sqlite::exec(db, sql, kPrefix); }
StatusOr<std::unique_ptr<Transaction>> begin_tx(sqlite3* db, bool write) {
  return Transaction::begin(db, write, kPrefix);
}
using Statement = sqlite::Statement;

// ------------------------------------------------------------------ schema

constexpr const char* kSchema[] = {
    "CREATE TABLE audit_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE audit_log("
    " id INTEGER PRIMARY KEY,"
    " time INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " vault TEXT NOT NULL,"
    " key_name TEXT NOT NULL,"
    " key_version TEXT NOT NULL,"
    " token_digest TEXT NOT NULL,"
    " decision TEXT NOT NULL,"
    " reasons TEXT NOT NULL,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL)",
    "CREATE INDEX audit_log_by_key ON audit_log(key_name, id)",
    "CREATE TABLE audit_head("
    " singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
    " count INTEGER NOT NULL,"
    " hash TEXT NOT NULL)",
    // Append-only at the SQL level too. This stops mistakes, not an attacker
    // with write access to the file (who can drop the triggers): the chain
    // is what detects that.
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
};

constexpr const char* kSelectColumns =
    "SELECT id, time, actor, action, vault, key_name, key_version, token_digest, decision, "
    "reasons, prev_hash, hash FROM audit_log ";

// A row exactly as stored (decision and reasons as text), what the hash covers.
struct RawRow {
  int64_t id = 0;
  int64_t time = 0;
  std::string actor, action, vault, key_name, key_version, token_digest, decision, reasons,
      prev_hash, hash;
};

RawRow read_row(const Statement& s) {
  RawRow r;
  r.id = s.column_int(0);
  r.time = s.column_int(1);
  r.actor = s.column_text(2);
  r.action = s.column_text(3);
  r.vault = s.column_text(4);
  r.key_name = s.column_text(5);
  r.key_version = s.column_text(6);
  r.token_digest = s.column_text(7);
  r.decision = s.column_text(8);
  r.reasons = s.column_text(9);
  r.prev_hash = s.column_text(10);
  r.hash = s.column_text(11);
  return r;
}

void put_field(std::string& out, std::string_view field) {
  uint64_t n = field.size();
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((n >> shift) & 0xffu));
  }
  out.append(field);
}

std::string compute_hash(const RawRow& r) {
  std::string enc;
  put_field(enc, kFormat);
  put_field(enc, std::to_string(r.id));
  put_field(enc, std::to_string(r.time));
  for (const std::string* f : {&r.actor, &r.action, &r.vault, &r.key_name, &r.key_version,
                               &r.token_digest, &r.decision, &r.reasons, &r.prev_hash}) {
    put_field(enc, *f);
  }
  return hex_encode(crypto::sha256(enc));
}

// Serialises reasons; fails on strings that are not UTF-8.
StatusOr<std::string> reasons_text(const json& reasons) {
  try {
    return reasons.is_null() ? std::string("[]") : reasons.dump();
  } catch (const json::exception& e) {
    return invalid_argument(std::string("audit: reasons: ") + e.what());
  }
}

RawRow to_raw(const AuditRecord& rec, std::string reasons) {
  RawRow r;
  r.id = rec.id;
  r.time = rec.time;
  r.actor = rec.entry.actor;
  r.action = rec.entry.action;
  r.vault = rec.entry.vault;
  r.key_name = rec.entry.key_name;
  r.key_version = rec.entry.key_version;
  r.token_digest = rec.entry.token_digest;
  r.decision = std::string(decision_name(rec.entry.decision));
  r.reasons = std::move(reasons);
  r.prev_hash = rec.prev_hash;
  r.hash = rec.hash;
  return r;
}

StatusOr<AuditRecord> from_raw(RawRow r) {
  AuditRecord rec;
  rec.id = r.id;
  rec.time = r.time;
  rec.entry.actor = std::move(r.actor);
  rec.entry.action = std::move(r.action);
  rec.entry.vault = std::move(r.vault);
  rec.entry.key_name = std::move(r.key_name);
  rec.entry.key_version = std::move(r.key_version);
  rec.entry.token_digest = std::move(r.token_digest);
  auto d = parse_decision(r.decision);
  if (!d) {
    return data_loss("audit: record " + std::to_string(r.id) + ": unknown decision \"" +
                     r.decision + "\" (run `mpcc audit verify`)");
  }
  rec.entry.decision = *d;
  rec.entry.reasons = json::parse(r.reasons, nullptr, /*allow_exceptions=*/false);
  if (rec.entry.reasons.is_discarded()) {
    return data_loss("audit: record " + std::to_string(r.id) +
                     ": reasons are not JSON (run `mpcc audit verify`)");
  }
  rec.prev_hash = std::move(r.prev_hash);
  rec.hash = std::move(r.hash);
  return rec;
}

// ------------------------------------------------------------- validation

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// A compact JWS/JWE/JWT starts with the base64url of '{"' ("eyJ") and has a
// '.' after the header; PEM private keys have their banner.
bool looks_secret(std::string_view s) {
  if (s.find("PRIVATE KEY-----") != std::string_view::npos) return true;
  for (std::size_t at = s.find("eyJ"); at != std::string_view::npos; at = s.find("eyJ", at + 1)) {
    std::size_t i = at;
    while (i < s.size() && is_base64url_char(s[i])) ++i;
    if (i - at >= 10 && i + 1 < s.size() && s[i] == '.' && is_base64url_char(s[i + 1])) {
      return true;
    }
  }
  return false;
}

bool json_looks_secret(const json& j) {
  if (j.is_string()) return looks_secret(j.get_ref<const std::string&>());
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (looks_secret(it.key()) || json_looks_secret(it.value())) return true;
    }
  }
  if (j.is_array()) {
    for (const json& e : j) {
      if (json_looks_secret(e)) return true;
    }
  }
  return false;
}

bool is_utf8(std::string_view s) {
  try {
    (void)json(std::string(s)).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

Status validate(const AuditEntry& e) {
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"actor", &e.actor},       {"action", &e.action},           {"vault", &e.vault},
      {"key_name", &e.key_name}, {"key_version", &e.key_version}, {"token_digest", &e.token_digest},
  };
  for (const auto& [name, value] : fields) {
    if (value->size() > kMaxAuditFieldBytes) {
      return invalid_argument("audit: " + std::string(name) + ": longer than " +
                              std::to_string(kMaxAuditFieldBytes) + " bytes");
    }
    if (!is_utf8(*value)) return invalid_argument("audit: " + std::string(name) + ": not UTF-8");
    if (looks_secret(*value)) {
      return invalid_argument("audit: " + std::string(name) +
                              ": looks like a token or key; log token_digest() instead");
    }
  }
  if (e.action.empty()) return invalid_argument("audit: action: must not be empty");
  if (!e.token_digest.empty()) {
    bool hex = e.token_digest.size() == 64;
    for (char c : e.token_digest) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!hex) {
      return invalid_argument(
          "audit: token_digest: must be 64 lowercase hex digits "
          "(token_digest(token)) or empty");
    }
  }
  if (json_looks_secret(e.reasons)) {
    return invalid_argument("audit: reasons: contain something that looks like a token or key");
  }
  return ok_status();
}

}  // namespace

// ------------------------------------------------------------ public bits

std::string_view decision_name(AuditDecision d) {
  switch (d) {
    case AuditDecision::kAllow:
      return "allow";
    case AuditDecision::kDeny:
      return "deny";
    case AuditDecision::kError:
      return "error";
  }
  throw std::logic_error("audit: unknown AuditDecision");
}

std::optional<AuditDecision> parse_decision(std::string_view name) {
  for (AuditDecision d : {AuditDecision::kAllow, AuditDecision::kDeny, AuditDecision::kError}) {
    if (decision_name(d) == name) return d;
  }
  return std::nullopt;
}

nlohmann::json AuditRecord::to_json() const {
  return json{{"id", id},
              {"time", format_rfc3339(time)},
              {"actor", entry.actor},
              {"action", entry.action},
              {"vault", entry.vault},
              {"key", entry.key_name},
              {"keyVersion", entry.key_version},
              {"tokenDigest", entry.token_digest},
              {"decision", decision_name(entry.decision)},
              {"reasons", entry.reasons},
              {"prevHash", prev_hash},
              {"hash", hash}};
}

std::string token_digest(std::string_view token) { return hex_encode(crypto::sha256(token)); }

std::string audit_hash(const AuditRecord& record) {
  auto text = reasons_text(record.entry.reasons);
  if (!text.ok()) throw std::logic_error(text.status().message());
  return compute_hash(to_raw(record, *text));
}

// ---------------------------------------------------------------- AuditLog

struct AuditLog::Db {
  DbHandle handle;
  sqlite3* get() const { return handle.get(); }
};

AuditLog::AuditLog(std::filesystem::path path, std::shared_ptr<const Clock> clock,
                   std::unique_ptr<Db> db)
    : path_(std::move(path)), clock_(std::move(clock)), db_(std::move(db)) {}

AuditLog::~AuditLog() = default;

StatusOr<std::unique_ptr<AuditLog>> AuditLog::open(const std::filesystem::path& path,
                                                   std::shared_ptr<const Clock> clock, Mode mode) {
  const std::string where = path.string();
  std::error_code ec;
  if (mode == Mode::kReadOnly && !std::filesystem::exists(path, ec)) {
    return not_found("audit: " + where + ": no such file");
  }
  auto db = std::make_unique<Db>();
  MPCC_ASSIGN_OR_RETURN(db->handle,
                        sqlite::open_database(path, mode == Mode::kReadOnly, kPrefix));
  sqlite3* raw = db->get();

  // "audit: <file>: <what>: <sqlite message>".
  auto with_file = [&](Status s) {
    if (s.ok()) return s;
    std::string_view m = s.message();
    if (m.rfind("audit: ", 0) == 0) m.remove_prefix(7);
    return Status(s.code(), "audit: " + where + ": " + std::string(m));
  };
  if (mode == Mode::kReadWrite) {
    MPCC_RETURN_IF_ERROR(with_file(exec(raw, "PRAGMA journal_mode=WAL")));
    MPCC_RETURN_IF_ERROR(with_file(exec(raw, "PRAGMA synchronous=FULL")));
  }

  auto tx = begin_tx(raw, mode == Mode::kReadWrite);
  if (!tx.ok()) return with_file(tx.status());
  auto q = prepare(
      raw, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'");
  if (!q.ok()) return with_file(q.status());
  auto row = q->step();
  if (!row.ok()) return with_file(row.status());
  bool exists = *row && q->column_int(0) > 0;
  if (!exists) {
    if (mode == Mode::kReadOnly) {
      return failed_precondition("audit: " + where + ": holds no audit log");
    }
    for (const char* sql : kSchema) MPCC_RETURN_IF_ERROR(with_file(exec(raw, sql)));
    auto meta = prepare(raw, "INSERT INTO audit_meta(name, value) VALUES ('format', ?)");
    if (!meta.ok()) return with_file(meta.status());
    meta->bind(1, kFormat);
    MPCC_RETURN_IF_ERROR(with_file(meta->run()));
    auto head =
        prepare(raw, "INSERT INTO audit_head(singleton, count, hash) VALUES (1, 0, ?)");
    if (!head.ok()) return with_file(head.status());
    head->bind(1, kGenesisHash);
    MPCC_RETURN_IF_ERROR(with_file(head->run()));
  } else {
    auto fmt = prepare(raw, "SELECT value FROM audit_meta WHERE name = 'format'");
    if (!fmt.ok()) return with_file(fmt.status());
    auto has = fmt->step();
    if (!has.ok()) return with_file(has.status());
    if (!*has || fmt->column_text(0) != kFormat) {
      return failed_precondition("audit: " + where + ": unknown audit log format (expected " +
                                 std::string(kFormat) + ")");
    }
  }
  MPCC_RETURN_IF_ERROR(with_file((*tx)->commit()));

  if (!clock) clock = system_clock();
  return std::unique_ptr<AuditLog>(new AuditLog(path, std::move(clock), std::move(db)));
}

StatusOr<AuditRecord> AuditLog::append(const AuditEntry& entry) {
  MPCC_RETURN_IF_ERROR(validate(entry));
  MPCC_ASSIGN_OR_RETURN(std::string reasons, reasons_text(entry.reasons));
  if (reasons.size() > kMaxAuditReasonsBytes) {
    return invalid_argument("audit: reasons: longer than " + std::to_string(kMaxAuditReasonsBytes) +
                            " bytes");
  }

  std::lock_guard<std::mutex> lock(mu_);
  sqlite3* db = db_->get();
  MPCC_ASSIGN_OR_RETURN(auto tx, begin_tx(db, /*write=*/true));

  // Chain onto the head (kept in the same transaction as each row). If rows
  // were deleted at the end behind our back, the head is ahead of the table
  // and the gap stays visible to verify(); if the head is missing or behind,
  // chain onto the last row.
  int64_t last_id = 0;
  std::string last_hash(kGenesisHash);
  {
    MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db,
                                                          "SELECT id, hash FROM audit_log "
                                                          "ORDER BY id DESC LIMIT 1"));
    MPCC_ASSIGN_OR_RETURN(bool row, s.step());
    if (row) {
      last_id = s.column_int(0);
      last_hash = s.column_text(1);
    }
  }
  AuditRecord rec;
  rec.id = last_id + 1;
  rec.prev_hash = last_hash;
  {
    MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db,
                                                          "SELECT count, hash FROM audit_head "
                                                          "WHERE singleton = 1"));
    MPCC_ASSIGN_OR_RETURN(bool row, s.step());
    if (row && s.column_int(0) >= last_id) {
      rec.id = s.column_int(0) + 1;
      rec.prev_hash = s.column_text(1);
    }
  }
  rec.time = clock_->now();
  rec.entry = entry;
  if (rec.entry.reasons.is_null()) rec.entry.reasons = json::array();
  RawRow raw = to_raw(rec, reasons);
  rec.hash = compute_hash(raw);

  {
    MPCC_ASSIGN_OR_RETURN(
        Statement s,
        prepare(db,
                           "INSERT INTO audit_log(id, time, actor, action, vault, key_name, "
                           "key_version, token_digest, decision, reasons, prev_hash, hash) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    s.bind(1, raw.id);
    s.bind(2, raw.time);
    s.bind(3, raw.actor);
    s.bind(4, raw.action);
    s.bind(5, raw.vault);
    s.bind(6, raw.key_name);
    s.bind(7, raw.key_version);
    s.bind(8, raw.token_digest);
    s.bind(9, raw.decision);
    s.bind(10, raw.reasons);
    s.bind(11, raw.prev_hash);
    s.bind(12, rec.hash);
    MPCC_RETURN_IF_ERROR(s.run());
  }
  {
    MPCC_ASSIGN_OR_RETURN(
        Statement s,
        prepare(db,
                           "INSERT INTO audit_head(singleton, count, hash) VALUES (1, ?, ?) "
                           "ON CONFLICT(singleton) DO UPDATE SET count = excluded.count, "
                           "hash = excluded.hash"));
    s.bind(1, rec.id);
    s.bind(2, rec.hash);
    MPCC_RETURN_IF_ERROR(s.run());
  }
  MPCC_RETURN_IF_ERROR(tx->commit());
  return rec;
}

StatusOr<std::vector<AuditRecord>> AuditLog::list(std::optional<std::string> key_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3* db = db_->get();
  static const std::string kAll = std::string(kSelectColumns) + "ORDER BY id";
  static const std::string kByKey = std::string(kSelectColumns) + "WHERE key_name = ? ORDER BY id";
  MPCC_ASSIGN_OR_RETURN(Statement s,
                        prepare(db, key_name ? kByKey.c_str() : kAll.c_str()));
  if (key_name) s.bind(1, *key_name);
  std::vector<AuditRecord> out;
  while (true) {
    MPCC_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    MPCC_ASSIGN_OR_RETURN(AuditRecord rec, from_raw(read_row(s)));
    out.push_back(std::move(rec));
  }
  return out;
}

StatusOr<ChainHead> AuditLog::head() const {
  std::lock_guard<std::mutex> lock(mu_);
  MPCC_ASSIGN_OR_RETURN(
      Statement s,
      prepare(db_->get(), "SELECT count, hash FROM audit_head WHERE singleton = 1"));
  MPCC_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return data_loss("audit: " + path_.string() + ": chain head missing");
  return ChainHead{s.column_int(0), s.column_text(1)};
}

StatusOr<ChainReport> AuditLog::verify() const {
  return verify(ChainHead{0, std::string(kGenesisHash)});
}

StatusOr<ChainReport> AuditLog::verify(const ChainHead& anchor) const {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3* db = db_->get();
  MPCC_ASSIGN_OR_RETURN(auto tx, begin_tx(db, /*write=*/false));

  ChainReport report;
  auto fault = [&](int64_t id, std::string problem) {
    report.ok = false;
    report.bad_record = id;
    report.problem = std::move(problem);
    return report;
  };
  static const std::string kAll = std::string(kSelectColumns) + "ORDER BY id";
  MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db, kAll.c_str()));
  int64_t expected_id = 1;
  std::string expected_prev(kGenesisHash);
  bool anchor_seen = anchor.count <= 0;
  while (true) {
    MPCC_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    RawRow r = read_row(s);
    std::string rec = "record " + std::to_string(r.id);
    if (r.id != expected_id) {
      std::string missing = r.id - 1 == expected_id
                                ? "record " + std::to_string(expected_id) + " is missing"
                                : "records " + std::to_string(expected_id) + " to " +
                                      std::to_string(r.id - 1) + " are missing";
      return fault(r.id, rec + ": gap in ids: " + missing + " (deleted)");
    }
    if (r.prev_hash != expected_prev) {
      return fault(r.id, rec + ": prev_hash does not match the hash of " +
                             (r.id == 1 ? std::string("the genesis (64 zeros)")
                                        : "record " + std::to_string(r.id - 1)) +
                             " (records altered, reordered or inserted)");
    }
    if (compute_hash(r) != r.hash) {
      return fault(r.id, rec + ": hash does not match its contents (record altered)");
    }
    if (r.id == anchor.count) {
      if (r.hash != anchor.hash) {
        return fault(r.id, rec + ": hash differs from the anchor " + anchor.hash +
                               " (history rewritten since the anchor was taken)");
      }
      anchor_seen = true;
    }
    expected_prev = r.hash;
    ++expected_id;
    ++report.records;
  }

  MPCC_ASSIGN_OR_RETURN(Statement h, prepare(db,
                                                        "SELECT count, hash FROM audit_head "
                                                        "WHERE singleton = 1"));
  MPCC_ASSIGN_OR_RETURN(bool has_head, h.step());
  if (!has_head) return fault(0, "chain head: missing (audit_head row deleted)");
  int64_t head_count = h.column_int(0);
  std::string head_hash = h.column_text(1);
  if (head_count > report.records) {
    return fault(report.records + 1, "end of log: the head records " + std::to_string(head_count) +
                                         " records but the table ends at record " +
                                         std::to_string(report.records) +
                                         " (records deleted at the end)");
  }
  if (head_count < report.records) {
    return fault(head_count + 1,
                 "record " + std::to_string(head_count + 1) + ": not covered by the chain head (" +
                     std::to_string(head_count) + " records; rows added outside the audit log)");
  }
  if (head_hash != expected_prev) {
    return fault(report.records, "chain head: hash does not match record " +
                                     std::to_string(report.records) + " (head or record altered)");
  }
  if (!anchor_seen) {
    return fault(anchor.count, "anchor: record " + std::to_string(anchor.count) +
                                   " does not exist; the log has " +
                                   std::to_string(report.records) + " (truncated)");
  }
  MPCC_RETURN_IF_ERROR(tx->commit());
  return report;
}

}  // namespace mpcc::keyvault
