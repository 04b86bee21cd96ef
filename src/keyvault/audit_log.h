// File: keyvault/audit_log.h
//
// The key vault's append-only, hash-chained audit log, stored in SQLite
// (tables audit_log and audit_head; the file may also hold other tables).
// Every record says who asked (actor), what for (action), on which vault, key
// and key version, the SHA-256 of the token presented (never the token), the
// decision and its reasons, and is chained to its predecessor:
//
//   hash_n = hex(SHA-256(encode("mpcc-audit-v1", id, time, actor, action, vault,
//                               key_name, key_version, token_digest, decision,
//                               reasons, prev_hash)))
//   prev_hash_1 = 64 zeros, prev_hash_n = hash_{n-1}
//
// where encode() writes each field as an 8-byte big-endian length followed by
// its bytes (integers in decimal), so no two rows encode alike. audit_head
// holds (count, hash of the last record), written in the same transaction as
// the record; verify() checks the rows against it. See README.md for what
// verification does and does not detect.
//
//   MPCC_ASSIGN_OR_RETURN(auto log, AuditLog::open("vault.db", clock));
//   MPCC_RETURN_IF_ERROR(log->append({.actor = oid, .action = "release", ...}).status());
//   MPCC_ASSIGN_OR_RETURN(ChainReport r, log->verify());
//
// Nothing secret goes in: AuditEntry has no field for a token or key
// material, and append() refuses fields that look like a JWT/JWS/JWE.
//
// Thread-safety: an AuditLog may be used from any number of threads (one
// connection behind a mutex); several processes may append to the same file
// (BEGIN IMMEDIATE transactions, WAL journal, busy timeout).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace mpcc::keyvault {

enum class AuditDecision { kAllow, kDeny, kError };
std::string_view decision_name(AuditDecision d);  // "allow", "deny", "error"
std::optional<AuditDecision> parse_decision(std::string_view name);

inline constexpr std::size_t kMaxAuditFieldBytes = 1024;         // each text field
inline constexpr std::size_t kMaxAuditReasonsBytes = 64 * 1024;  // serialised reasons

// What a caller records. No field may hold a token or key material.
struct AuditEntry {
  std::string actor;         // caller identity (e.g. AAD object id), not a credential
  std::string action;        // "release", "create", "import", "get", "delete", ...
  std::string vault;         // vault name or origin
  std::string key_name;      // may be empty for vault-level actions
  std::string key_version;   // may be empty (e.g. latest not yet resolved)
  std::string token_digest;  // token_digest(token) or empty: 64 lowercase hex
  AuditDecision decision = AuditDecision::kDeny;
  nlohmann::json reasons = nlohmann::json::array();  // e.g. Evaluation::reasons()
};

// A stored record: the entry plus its place in the chain.
struct AuditRecord {
  int64_t id = 0;  // 1, 2, 3, ... without gaps
  UnixSeconds time = 0;
  AuditEntry entry;
  std::string prev_hash;  // 64 hex
  std::string hash;       // 64 hex

  // {"id","time" (RFC 3339),"actor","action","vault","key","keyVersion",
  //  "tokenDigest","decision","reasons","prevHash","hash"}
  nlohmann::json to_json() const;
};

// Where the chain ends: a value worth writing down elsewhere (an external
// anchor), so that a later verify(anchor) can detect a rewritten history.
struct ChainHead {
  int64_t count = 0;
  std::string hash;  // hash of record `count`; 64 zeros when count is 0
};

// Result of verify(): ok, or the first fault found.
struct ChainReport {
  bool ok = true;
  int64_t records = 0;     // records checked (all of them when ok)
  int64_t bad_record = 0;  // id of the first bad record; 0 for a table-level fault
  std::string problem;     // "record 5: hash does not match its contents", ...
};

// Lowercase hex SHA-256 of the presented token: what the log keeps of it.
std::string token_digest(std::string_view token);
// The chain hash of a record: hex SHA-256 of the encoding described above
// (exposed for tests and tools). Throws std::logic_error if the reasons hold
// non-UTF-8 strings (append() refuses those).
std::string audit_hash(const AuditRecord& record);
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

class AuditLog {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens `path`, creating the file and the tables when missing (kReadWrite),
  // with WAL journaling and a busy timeout. kReadOnly never creates anything:
  // kNotFound if the file is absent, kFailedPrecondition if it holds no audit
  // log. SQLite errors (the message names the file): kDataLoss when the file
  // is not a database or is corrupt, kFailedPrecondition when it cannot be
  // opened or written, kUnavailable when it stays locked, else kInternal.
  // `clock` stamps records (null: the system clock).
  static StatusOr<std::unique_ptr<AuditLog>> open(const std::filesystem::path& path,
                                                  std::shared_ptr<const Clock> clock = nullptr,
                                                  Mode mode = Mode::kReadWrite);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one record in a transaction and returns it. kInvalidArgument for
  // an entry that breaks the rules above (sizes, digest format, something
  // that looks like a token); kUnavailable when the database stays locked.
  StatusOr<AuditRecord> append(const AuditEntry& entry);

  // All records in id order, or only those for `key_name`. kDataLoss when a
  // stored decision or reasons text cannot be decoded (a tampered row).
  StatusOr<std::vector<AuditRecord>> list(std::optional<std::string> key_name = std::nullopt) const;

  // The head as stored (audit_head).
  StatusOr<ChainHead> head() const;

  // Recomputes the chain. A ChainReport (ok or not) when the tables could be
  // read; an error Status only when they could not.
  StatusOr<ChainReport> verify() const;
  // Same, and also requires that record anchor.count exists with hash
  // anchor.hash (so a history rewritten since the anchor was taken fails).
  StatusOr<ChainReport> verify(const ChainHead& anchor) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  struct Db;
  AuditLog(std::filesystem::path path, std::shared_ptr<const Clock> clock, std::unique_ptr<Db> db);

  std::filesystem::path path_;
  std::shared_ptr<const Clock> clock_;
  mutable std::mutex mu_;
  std::unique_ptr<Db> db_;
};

}  // namespace mpcc::keyvault
