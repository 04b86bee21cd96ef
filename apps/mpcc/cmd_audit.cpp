// `mpcc audit verify|show|head`: inspect a key vault's hash-chained audit log
// (src/keyvault/audit_log.h). The database is opened read-only; nothing is
// ever created or changed.
//
//   mpcc audit verify --db FILE [--anchor COUNT:HASH]
//       exit 0, stdout "audit chain OK: N records"
//       exit 1, stderr names the first bad record and why
//       exit 2, the file is missing, unreadable or holds no audit log
//   mpcc audit show --db FILE [--key NAME]     one JSON object per line
//   mpcc audit head --db FILE                  {"count":N,"hash":"..."}, an anchor
//                                              to keep elsewhere for verify --anchor
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "apps/mpcc/commands.h"
#include "apps/mpcc/exit_codes.h"
#include "keyvault/audit_log.h"

namespace mpcc::app {
namespace {

[[noreturn]] void fail(std::string_view command, std::string_view message, int code) {
  std::fprintf(stderr, "mpcc audit %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
  throw CliExit{code};
}

std::unique_ptr<keyvault::AuditLog> open_read_only(std::string_view command,
                                                   const std::string& db) {
  auto log = keyvault::AuditLog::open(db, nullptr, keyvault::AuditLog::Mode::kReadOnly);
  if (!log.ok()) fail(command, log.status().message(), kExitUsage);
  return std::move(log).value();
}

// "COUNT:HASH" as printed by `mpcc audit head` (count >= 1, 64 hex digits).
keyvault::ChainHead parse_anchor(const std::string& text) {
  auto bad = [&] {
    fail("verify", "--anchor: expected COUNT:HASH (e.g. 12:<64 hex digits>), got \"" + text + "\"",
         kExitUsage);
  };
  std::size_t colon = text.find(':');
  if (colon == std::string::npos) bad();
  keyvault::ChainHead anchor;
  auto r = std::from_chars(text.data(), text.data() + colon, anchor.count);
  if (r.ec != std::errc() || r.ptr != text.data() + colon || anchor.count < 1) bad();
  anchor.hash = text.substr(colon + 1);
  if (anchor.hash.size() != 64) bad();
  for (char& c : anchor.hash) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) bad();
  }
  return anchor;
}

struct Args {
  std::string db;
  std::string key;
  std::string anchor;
};

void run_verify(const Args& args) {
  std::optional<keyvault::ChainHead> anchor;
  if (!args.anchor.empty()) anchor = parse_anchor(args.anchor);
  auto log = open_read_only("verify", args.db);
  auto report = anchor ? log->verify(*anchor) : log->verify();
  if (!report.ok()) fail("verify", report.status().message(), kExitUsage);
  if (!report->ok) {
    fail("verify",
         "audit chain BROKEN (" + std::to_string(report->records) +
             " good records before it): " + report->problem,
         kExitVerificationFailed);
  }
  std::cout << "audit chain OK: " << report->records << " records"
            << (anchor ? " (extends the anchor at record " + std::to_string(anchor->count) + ")"
                       : std::string())
            << std::endl;
  throw CliExit{kExitOk};
}

void run_show(const Args& args) {
  auto log = open_read_only("show", args.db);
  auto records = args.key.empty() ? log->list() : log->list(args.key);
  if (!records.ok()) {
    fail("show", records.status().message(),
         records.status().code() == StatusCode::kDataLoss ? kExitVerificationFailed : kExitUsage);
  }
  for (const keyvault::AuditRecord& r : *records) {
    std::cout << r.to_json().dump() << '\n';
  }
  std::cout.flush();
  throw CliExit{kExitOk};
}

void run_head(const Args& args) {
  auto log = open_read_only("head", args.db);
  auto head = log->head();
  if (!head.ok()) {
    fail("head", head.status().message(),
         head.status().code() == StatusCode::kDataLoss ? kExitVerificationFailed : kExitUsage);
  }
  std::cout << nlohmann::json{{"count", head->count},
                              {"hash", head->hash},
                              {"anchor", std::to_string(head->count) + ":" + head->hash}}
                   .dump()
            << std::endl;
  throw CliExit{kExitOk};
}

}  // namespace

void register_audit_command(CLI::App& root) {
  CLI::App* audit =
      root.add_subcommand("audit", "Key vault audit log: verify the hash chain, show records");
  audit->require_subcommand(1);
  auto args = std::make_shared<Args>();

  CLI::App* verify = audit->add_subcommand(
      "verify", "Recompute the hash chain; exit 1 naming the first bad record");
  verify->add_option("--db", args->db, "the vault's SQLite database")->required();
  verify->add_option("--anchor", args->anchor,
                     "COUNT:HASH from an earlier `mpcc audit head`: also require that history");
  verify->callback([args] { run_verify(*args); });

  CLI::App* show = audit->add_subcommand("show", "Print records as JSON lines, oldest first");
  show->add_option("--db", args->db, "the vault's SQLite database")->required();
  show->add_option("--key", args->key, "only records for this key name");
  show->callback([args] { run_show(*args); });

  CLI::App* head =
      audit->add_subcommand("head", "Print the chain head (record count and last hash)");
  head->add_option("--db", args->db, "the vault's SQLite database")->required();
  head->callback([args] { run_head(*args); });
}

}  // namespace mpcc::app
