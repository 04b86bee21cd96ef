// Key metadata and access policies on SQLite. Every statement is a constant
// string compiled with sqlite3_prepare_v2; values are bound, never spliced.
#include "keyvault/key_registry.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <utility>

#include "sqlite/sqlite.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;
using sqlite::DbHandle;
using sqlite::Statement;
using sqlite::Transaction;

constexpr std::string_view kPrefix = "vault";
constexpr std::string_view kFormat = "mpcc-vault-v1";
constexpr std::size_t kMaxKeyNameLength = 127;
constexpr std::size_t kMaxShownBytes = 140;

// The shared SQLite helpers with this registry's message prefix.
StatusOr<Statement> prepare(sqlite3* db, const char* sql) {
  return Statement::prepare(db, sql, kPrefix);
}
Status exec(sqlite3* db, const char* sql) { return sqlite::exec(db, sql, kPrefix); }
StatusOr<std::unique_ptr<Transaction>> begin_tx(sqlite3* db, bool write) {
  return Transaction::begin(db, write, kPrefix);
}

// ------------------------------------------------------------------ schema

// IF NOT EXISTS throughout: the file is shared with the audit log (audit_*),
// and either may create it first.
constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS vault_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS vault_keys("
    " name TEXT NOT NULL,"
    " version TEXT NOT NULL,"
    " seq INTEGER NOT NULL UNIQUE,"  // insertion order; the latest version has the max
    " kty TEXT NOT NULL,"
    " key_size INTEGER NOT NULL,"
    " key_ops TEXT NOT NULL,"  // JSON array of strings
    " enabled INTEGER NOT NULL,"
    " exportable INTEGER NOT NULL,"
    " nbf INTEGER,"
    " exp INTEGER,"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL,"
    " tags TEXT NOT NULL,"  // JSON object of strings
    " policy_content_type TEXT,"  // the three policy_* are NULL when there is no policy
    " policy_data TEXT,"
    " policy_immutable INTEGER,"
    " hsm_id TEXT NOT NULL UNIQUE,"
    " PRIMARY KEY (name, version))",
    "CREATE INDEX IF NOT EXISTS vault_keys_by_name ON vault_keys(name, seq)",
    "CREATE TABLE IF NOT EXISTS vault_access_policies("
    " object_id TEXT PRIMARY KEY,"
    " display_name TEXT NOT NULL,"
    " key_permissions TEXT NOT NULL)",  // JSON array of lowercase names
};

#define MPCC_VAULT_KEY_COLUMNS                                                                 \
  "SELECT name, version, kty, key_size, key_ops, enabled, exportable, nbf, exp, created, "     \
  "updated, tags, policy_content_type, policy_data, policy_immutable, hsm_id FROM vault_keys "

constexpr const char* kSelectVersion =
    MPCC_VAULT_KEY_COLUMNS "WHERE name = ? AND version = ?";
constexpr const char* kSelectLatest =
    MPCC_VAULT_KEY_COLUMNS "WHERE name = ? ORDER BY seq DESC LIMIT 1";
constexpr const char* kSelectVersions = MPCC_VAULT_KEY_COLUMNS "WHERE name = ? ORDER BY seq";
constexpr const char* kSelectAllLatest =
    MPCC_VAULT_KEY_COLUMNS
    "AS k WHERE seq = (SELECT max(seq) FROM vault_keys WHERE name = k.name) ORDER BY name";

#undef MPCC_VAULT_KEY_COLUMNS

// ------------------------------------------------------------------ helpers

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Untrusted text for a message: printable ASCII kept, other bytes as \xNN
// (so the message stays valid UTF-8 whatever came in), at most ~140 chars.
std::string shown(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= kMaxShownBytes) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out.push_back(c);
    } else {
      std::array<char, 8> buf{};
      std::snprintf(buf.data(), buf.size(), "\\x%02x", static_cast<unsigned>(u));
      out += buf.data();
    }
  }
  return out;
}

Status key_not_found(std::string_view id) {
  return not_found("A key with (name/id) " + shown(id) + " was not found in this key vault.");
}

Status key_not_found(std::string_view name, std::string_view version) {
  return not_found("A key with (name/id) " + shown(name) + "/" + shown(version) +
                   " was not found in this key vault.");
}

// json::dump() throws on strings that are not UTF-8.
StatusOr<std::string> dump(const json& j, std::string_view what) {
  try {
    return j.dump();
  } catch (const json::exception& e) {
    return invalid_argument("vault: " + std::string(what) + ": " + e.what());
  }
}

Status check_tags(const json& tags) {
  if (!tags.is_object()) return invalid_argument("vault: tags: must be a JSON object of strings");
  for (auto it = tags.begin(); it != tags.end(); ++it) {
    if (!it.value().is_string()) {
      return invalid_argument("vault: tags: the value of \"" + shown(it.key()) +
                              "\" must be a string");
    }
  }
  return ok_status();
}

bool is_string_array(const json& j) {
  return j.is_array() && std::all_of(j.begin(), j.end(), [](const json& e) { return e.is_string(); });
}

// The mutable fields as bound values, checked and serialised once.
struct MutableText {
  std::string key_ops;
  std::string tags;
};

StatusOr<MutableText> mutable_text(const KeyRecord& r) {
  MPCC_RETURN_IF_ERROR(check_tags(r.tags));
  MutableText t;
  MPCC_ASSIGN_OR_RETURN(t.key_ops, dump(json(r.key_ops), "key_ops"));
  MPCC_ASSIGN_OR_RETURN(t.tags, dump(r.tags, "tags"));
  return t;
}

void bind_optional(Statement& s, int index, const std::optional<UnixSeconds>& v) {
  if (v) {
    s.bind(index, int64_t{*v});
  } else {
    s.bind_null(index);
  }
}

void bind_policy(Statement& s, int first, const std::optional<StoredReleasePolicy>& p) {
  if (p) {
    s.bind(first, p->content_type);
    s.bind(first + 1, p->data);
    s.bind(first + 2, int64_t{p->immutable ? 1 : 0});
  } else {
    s.bind_null(first);
    s.bind_null(first + 1);
    s.bind_null(first + 2);
  }
}

// One row of the kSelect* statements; kDataLoss naming the row when a column
// does not hold what insert() writes.
StatusOr<KeyRecord> read_key(const Statement& s) {
  KeyRecord r;
  r.name = s.column_text(0);
  r.version = s.column_text(1);
  auto damaged = [&](std::string_view what) {
    return data_loss("vault: key " + shown(r.name) + "/" + shown(r.version) + ": " +
                     std::string(what) + " (damaged row in vault_keys)");
  };
  r.kty = s.column_text(2);
  int64_t size = s.column_int(3);
  if (size < 0) return damaged("key_size is negative");
  r.key_size = static_cast<std::size_t>(size);

  json ops = json::parse(s.column_text(4), nullptr, /*allow_exceptions=*/false);
  if (!is_string_array(ops)) return damaged("key_ops is not a JSON array of strings");
  for (const json& op : ops) r.key_ops.push_back(op.get<std::string>());

  r.attributes.enabled = s.column_int(5) != 0;
  r.attributes.exportable = s.column_int(6) != 0;
  if (!s.column_is_null(7)) r.attributes.not_before = s.column_int(7);
  if (!s.column_is_null(8)) r.attributes.expires = s.column_int(8);
  r.attributes.created = s.column_int(9);
  r.attributes.updated = s.column_int(10);

  r.tags = json::parse(s.column_text(11), nullptr, /*allow_exceptions=*/false);
  if (!check_tags(r.tags).ok()) return damaged("tags is not a JSON object of strings");

  int nulls = (s.column_is_null(12) ? 1 : 0) + (s.column_is_null(13) ? 1 : 0) +
              (s.column_is_null(14) ? 1 : 0);
  if (nulls == 0) {
    StoredReleasePolicy p;
    p.content_type = s.column_text(12);
    p.data = s.column_text(13);
    p.immutable = s.column_int(14) != 0;
    r.release_policy = std::move(p);
  } else if (nulls != 3) {
    return damaged("release policy columns are partly NULL");
  }
  r.hsm_id = s.column_text(15);
  return r;
}

StatusOr<std::vector<KeyRecord>> read_keys(Statement& s) {
  std::vector<KeyRecord> out;
  while (true) {
    MPCC_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) return out;
    MPCC_ASSIGN_OR_RETURN(KeyRecord r, read_key(s));
    out.push_back(std::move(r));
  }
}

StatusOr<AccessPolicy> read_policy(const Statement& s) {
  AccessPolicy p;
  p.object_id = s.column_text(0);
  p.display_name = s.column_text(1);
  auto damaged = [&](std::string_view what) {
    return data_loss("vault: access policy " + shown(p.object_id) + ": " + std::string(what) +
                     " (damaged row in vault_access_policies)");
  };
  json perms = json::parse(s.column_text(2), nullptr, /*allow_exceptions=*/false);
  if (!is_string_array(perms)) return damaged("key_permissions is not a JSON array of strings");
  auto parsed = parse_key_permissions(perms.get<std::vector<std::string>>());
  if (!parsed.ok()) return damaged("key_permissions: " + parsed.status().message());
  p.key_permissions = std::move(*parsed);
  return p;
}

}  // namespace

// ------------------------------------------------------------ public bits

const std::vector<std::string>& all_key_permissions() {
  static const std::vector<std::string> kAll = {
      "get",     "list",    "update",    "create",  "import",  "delete",
      "recover", "backup",  "restore",   "decrypt", "encrypt", "unwrapkey",
      "wrapkey", "verify",  "sign",      "purge",   "release", "rotate",
      "getrotationpolicy", "setrotationpolicy"};
  return kAll;
}

StatusOr<std::set<std::string>> parse_key_permissions(const std::vector<std::string>& names) {
  const auto& all = all_key_permissions();
  std::set<std::string> out;
  for (const std::string& name : names) {
    std::string lower;
    lower.reserve(name.size());
    for (char c : name) lower.push_back(ascii_lower(c));
    if (lower == "all") {
      out.insert(all.begin(), all.end());
    } else if (std::find(all.begin(), all.end(), lower) != all.end()) {
      out.insert(std::move(lower));
    } else {
      return invalid_argument("vault: unknown key permission \"" + shown(name) +
                              "\" (expected all, get, list, update, create, import, delete, "
                              "recover, backup, restore, decrypt, encrypt, unwrapKey, wrapKey, "
                              "verify, sign, purge, release, rotate, getRotationPolicy or "
                              "setRotationPolicy)");
    }
  }
  return out;
}

bool AccessPolicy::allows(std::string_view permission) const {
  std::string lower;
  lower.reserve(permission.size());
  for (char c : permission) lower.push_back(ascii_lower(c));
  return key_permissions.count(lower) > 0;
}

nlohmann::json AccessPolicy::to_json() const {
  json keys = json::array();
  for (const std::string& p : key_permissions) keys.push_back(p);
  return json{{"objectId", object_id},
              {"displayName", display_name},
              {"permissions", json{{"keys", std::move(keys)}}}};
}

Status check_key_name(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return invalid_argument("key name \"" + shown(name) + "\" is invalid: " +
                            std::string(why));
  };
  if (name.empty()) return bad("it is empty");
  if (name.size() > kMaxKeyNameLength) {
    return bad("longer than 127 characters (" + std::to_string(name.size()) + ")");
  }
  for (char c : name) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-';
    if (!ok) return bad("only 0-9, a-z, A-Z and - are allowed");
  }
  return ok_status();
}

bool is_key_version(std::string_view version) {
  return version.size() == 32 && std::all_of(version.begin(), version.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// ------------------------------------------------------------- KeyRegistry

struct KeyRegistry::Db {
  DbHandle handle;
  sqlite3* get() const { return handle.get(); }
};

KeyRegistry::KeyRegistry(std::unique_ptr<Db> db) : db_(std::move(db)) {}
KeyRegistry::~KeyRegistry() = default;

StatusOr<std::unique_ptr<KeyRegistry>> KeyRegistry::open(const std::filesystem::path& path) {
  const std::string where = path.string();
  // "vault: <file>: <what>: <sqlite message>".
  auto with_file = [&](Status s) {
    if (s.ok()) return s;
    std::string_view m = s.message();
    if (m.rfind("vault: ", 0) == 0) m.remove_prefix(7);
    return Status(s.code(), "vault: " + where + ": " + std::string(m));
  };
  auto db = std::make_unique<Db>();
  {
    auto h = sqlite::open_database(path, /*read_only=*/false, kPrefix);
    if (!h.ok()) return with_file(h.status());
    db->handle = std::move(*h);
  }
  sqlite3* raw = db->get();
  MPCC_RETURN_IF_ERROR(with_file(exec(raw, "PRAGMA journal_mode=WAL")));
  MPCC_RETURN_IF_ERROR(with_file(exec(raw, "PRAGMA synchronous=FULL")));

  auto tx = begin_tx(raw, /*write=*/true);
  if (!tx.ok()) return with_file(tx.status());
  for (const char* sql : kSchema) MPCC_RETURN_IF_ERROR(with_file(exec(raw, sql)));
  {
    auto ins = prepare(raw,
                       "INSERT INTO vault_meta(name, value) VALUES ('format', ?) "
                       "ON CONFLICT(name) DO NOTHING");
    if (!ins.ok()) return with_file(ins.status());
    ins->bind(1, kFormat);
    MPCC_RETURN_IF_ERROR(with_file(ins->run()));
  }
  {
    auto fmt = prepare(raw, "SELECT value FROM vault_meta WHERE name = 'format'");
    if (!fmt.ok()) return with_file(fmt.status());
    auto has = fmt->step();
    if (!has.ok()) return with_file(has.status());
    std::string found = *has ? fmt->column_text(0) : std::string();
    if (found != kFormat) {
      return failed_precondition("vault: " + where + ": unknown vault format \"" + shown(found) +
                                 "\" (expected " + std::string(kFormat) + ")");
    }
  }
  MPCC_RETURN_IF_ERROR(with_file((*tx)->commit()));
  return std::unique_ptr<KeyRegistry>(new KeyRegistry(std::move(db)));
}

Status KeyRegistry::insert(const KeyRecord& record) {
  MPCC_RETURN_IF_ERROR(check_key_name(record.name));
  if (!is_key_version(record.version)) {
    return invalid_argument("key version \"" + shown(record.version) +
                            "\" is invalid: must be 32 lowercase hex digits");
  }
  if (record.kty.empty()) return invalid_argument("vault: kty: must not be empty");
  if (record.hsm_id.empty()) return invalid_argument("vault: hsm_id: must not be empty");
  if (record.key_size > static_cast<std::size_t>(std::numeric_limits<int64_t>::max())) {
    return invalid_argument("vault: key_size: too large");
  }
  MPCC_ASSIGN_OR_RETURN(MutableText text, mutable_text(record));

  std::lock_guard<std::mutex> lock(mu_);
  sqlite3* db = db_->get();
  MPCC_ASSIGN_OR_RETURN(auto tx, begin_tx(db, /*write=*/true));
  {
    MPCC_ASSIGN_OR_RETURN(Statement s,
                          prepare(db, "SELECT 1 FROM vault_keys WHERE name = ? AND version = ?"));
    s.bind(1, record.name);
    s.bind(2, record.version);
    MPCC_ASSIGN_OR_RETURN(bool taken, s.step());
    if (taken) {
      return already_exists("vault: key " + record.name + "/" + record.version +
                            " already exists");
    }
  }
  {
    MPCC_ASSIGN_OR_RETURN(Statement s,
                          prepare(db, "SELECT name, version FROM vault_keys WHERE hsm_id = ?"));
    s.bind(1, record.hsm_id);
    MPCC_ASSIGN_OR_RETURN(bool taken, s.step());
    if (taken) {
      return already_exists("vault: hsm_id \"" + shown(record.hsm_id) + "\" is already used by " +
                            shown(s.column_text(0)) + "/" + shown(s.column_text(1)));
    }
  }
  int64_t seq = 1;
  {
    MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db, "SELECT coalesce(max(seq), 0) FROM vault_keys"));
    MPCC_ASSIGN_OR_RETURN(bool row, s.step());
    if (row) seq = s.column_int(0) + 1;
  }
  {
    MPCC_ASSIGN_OR_RETURN(
        Statement s,
        prepare(db,
                "INSERT INTO vault_keys(name, version, seq, kty, key_size, key_ops, enabled, "
                "exportable, nbf, exp, created, updated, tags, policy_content_type, policy_data, "
                "policy_immutable, hsm_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    const KeyAttributes& a = record.attributes;
    s.bind(1, record.name);
    s.bind(2, record.version);
    s.bind(3, seq);
    s.bind(4, record.kty);
    s.bind(5, static_cast<int64_t>(record.key_size));
    s.bind(6, text.key_ops);
    s.bind(7, int64_t{a.enabled ? 1 : 0});
    s.bind(8, int64_t{a.exportable ? 1 : 0});
    bind_optional(s, 9, a.not_before);
    bind_optional(s, 10, a.expires);
    s.bind(11, int64_t{a.created});
    s.bind(12, int64_t{a.updated});
    s.bind(13, text.tags);
    bind_policy(s, 14, record.release_policy);
    s.bind(17, record.hsm_id);
    MPCC_RETURN_IF_ERROR(s.run());
  }
  return tx->commit();
}

StatusOr<KeyRecord> KeyRegistry::latest(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db_->get(), kSelectLatest));
  s.bind(1, name);
  MPCC_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return key_not_found(name);
  return read_key(s);
}

StatusOr<KeyRecord> KeyRegistry::find(std::string_view name, std::string_view version) const {
  std::lock_guard<std::mutex> lock(mu_);
  MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db_->get(), kSelectVersion));
  s.bind(1, name);
  s.bind(2, version);
  MPCC_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return key_not_found(name, version);
  return read_key(s);
}

StatusOr<std::vector<KeyRecord>> KeyRegistry::versions(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db_->get(), kSelectVersions));
  s.bind(1, name);
  MPCC_ASSIGN_OR_RETURN(std::vector<KeyRecord> out, read_keys(s));
  if (out.empty()) return key_not_found(name);
  return out;
}

StatusOr<std::vector<KeyRecord>> KeyRegistry::list_latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db_->get(), kSelectAllLatest));
  return read_keys(s);
}

Status KeyRegistry::update(const KeyRecord& record) {
  MPCC_ASSIGN_OR_RETURN(MutableText text, mutable_text(record));
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3* db = db_->get();
  MPCC_ASSIGN_OR_RETURN(
      Statement s,
      prepare(db,
              "UPDATE vault_keys SET key_ops = ?, enabled = ?, nbf = ?, exp = ?, updated = ?, "
              "tags = ?, policy_content_type = ?, policy_data = ?, policy_immutable = ? "
              "WHERE name = ? AND version = ?"));
  const KeyAttributes& a = record.attributes;
  s.bind(1, text.key_ops);
  s.bind(2, int64_t{a.enabled ? 1 : 0});
  bind_optional(s, 3, a.not_before);
  bind_optional(s, 4, a.expires);
  s.bind(5, int64_t{a.updated});
  s.bind(6, text.tags);
  bind_policy(s, 7, record.release_policy);
  s.bind(10, record.name);
  s.bind(11, record.version);
  MPCC_RETURN_IF_ERROR(s.run());
  // One statement on our own connection (the mutex is held): its count.
  if (sqlite3_changes(db) == 0) return key_not_found(record.name, record.version);
  return ok_status();
}

StatusOr<std::vector<KeyRecord>> KeyRegistry::remove(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3* db = db_->get();
  MPCC_ASSIGN_OR_RETURN(auto tx, begin_tx(db, /*write=*/true));
  std::vector<KeyRecord> out;
  {
    MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db, kSelectVersions));
    s.bind(1, name);
    MPCC_ASSIGN_OR_RETURN(out, read_keys(s));
  }
  if (out.empty()) return key_not_found(name);
  {
    MPCC_ASSIGN_OR_RETURN(Statement s, prepare(db, "DELETE FROM vault_keys WHERE name = ?"));
    s.bind(1, name);
    MPCC_RETURN_IF_ERROR(s.run());
  }
  MPCC_RETURN_IF_ERROR(tx->commit());
  return out;
}

Status KeyRegistry::set_access_policy(const AccessPolicy& policy) {
  if (policy.object_id.empty()) {
    return invalid_argument("vault: access policy: object id must not be empty");
  }
  MPCC_ASSIGN_OR_RETURN(
      std::set<std::string> perms,
      parse_key_permissions(
          std::vector<std::string>(policy.key_permissions.begin(), policy.key_permissions.end())));
  MPCC_ASSIGN_OR_RETURN(std::string perms_text,
                        dump(json(std::vector<std::string>(perms.begin(), perms.end())),
                             "key_permissions"));
  std::lock_guard<std::mutex> lock(mu_);
  MPCC_ASSIGN_OR_RETURN(
      Statement s,
      prepare(db_->get(),
              "INSERT INTO vault_access_policies(object_id, display_name, key_permissions) "
              "VALUES (?, ?, ?) ON CONFLICT(object_id) DO UPDATE SET "
              "display_name = excluded.display_name, key_permissions = excluded.key_permissions"));
  s.bind(1, policy.object_id);
  s.bind(2, policy.display_name);
  s.bind(3, perms_text);
  return s.run();
}

Status KeyRegistry::remove_access_policy(std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3* db = db_->get();
  MPCC_ASSIGN_OR_RETURN(Statement s,
                        prepare(db, "DELETE FROM vault_access_policies WHERE object_id = ?"));
  s.bind(1, object_id);
  MPCC_RETURN_IF_ERROR(s.run());
  if (sqlite3_changes(db) == 0) {
    return not_found("vault: no access policy for object id " + shown(object_id));
  }
  return ok_status();
}

StatusOr<std::optional<AccessPolicy>> KeyRegistry::access_policy(std::string_view object_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  MPCC_ASSIGN_OR_RETURN(Statement s,
                        prepare(db_->get(),
                                "SELECT object_id, display_name, key_permissions "
                                "FROM vault_access_policies WHERE object_id = ?"));
  s.bind(1, object_id);
  MPCC_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return std::optional<AccessPolicy>();
  MPCC_ASSIGN_OR_RETURN(AccessPolicy p, read_policy(s));
  return std::optional<AccessPolicy>(std::move(p));
}

StatusOr<std::vector<AccessPolicy>> KeyRegistry::access_policies() const {
  std::lock_guard<std::mutex> lock(mu_);
  MPCC_ASSIGN_OR_RETURN(Statement s,
                        prepare(db_->get(),
                                "SELECT object_id, display_name, key_permissions "
                                "FROM vault_access_policies ORDER BY object_id"));
  std::vector<AccessPolicy> out;
  while (true) {
    MPCC_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) return out;
    MPCC_ASSIGN_OR_RETURN(AccessPolicy p, read_policy(s));
    out.push_back(std::move(p));
  }
}

}  // namespace mpcc::keyvault
