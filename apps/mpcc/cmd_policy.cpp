// `mpcc policy show|hash`: a confidential party's security policy and its
// HOST_DATA (docs/security-policy.md), which any party can recompute.
//
//   mpcc policy show --state-dir DIR --party P [--base64]
//   mpcc policy hash [FILE|-] [--base64]
//   mpcc policy hash --state-dir DIR --party P
//
// show prints the deployed policy text of P exactly (DIR/parties/P/
// security-context/security-policy-base64, decoded; --base64: as stored, the
// ccePolicy form). hash FILE prints the lowercase hex SHA-256 of the file's
// bytes (FILE "-" or none: stdin); with --base64 the input is a base64
// ccePolicy, decoded first as ACI does. hash --state-dir regenerates P's
// policy the way `mpcc up` does (deploy/policy_check.h), prints its hash and
// compares it with the deployed text's and with endpoints.json's host_data.
// Exit codes: 0 printed (and everything agrees), 1 hash --state-dir found a
// difference (each on stderr), 2 bad usage, no deployment, an unknown or
// standard party, unreadable or non-base64 input, 70 bug.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "apps/mpcc/cli_errors.h"
#include "apps/mpcc/commands.h"
#include "common/bytes.h"
#include "common/file_io.h"
#include "crypto/encoding.h"
#include "deploy/policy_check.h"
#include "deploy/security_policy.h"

namespace mpcc::app {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxPolicy = 16u << 20;

struct ShowArgs {
  std::string state_dir;
  std::string party;
  bool base64 = false;
};

struct HashArgs {
  std::string file;
  std::string state_dir;
  std::string party;
  bool base64 = false;
};

void print_exact(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

fs::path self_executable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) fail_with("policy hash", unavailable("cannot find the mpcc executable: " + ec.message()));
  return exe;
}

// The base64 text without the whitespace `base64 -w` or an editor adds.
StatusOr<std::string> decode_base64(const std::string& text) {
  std::string compact;
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') compact += c;
  }
  StatusOr<Bytes> bytes = crypto::base64_decode(compact);
  if (!bytes.ok()) return invalid_argument("the input is not base64: " + bytes.status().message());
  return to_string(*bytes);
}

void run_show(const ShowArgs& a) {
  constexpr std::string_view kWhat = "policy show";
  const std::string text = value_or_exit(deploy::deployed_policy(a.state_dir, a.party), kWhat);
  print_exact(a.base64 ? crypto::base64_encode(as_span(text)) + "\n" : text);
  throw CliExit{kExitOk};
}

void run_check(const HashArgs& a) {
  constexpr std::string_view kWhat = "policy hash";
  if (a.party.empty()) fail_with(kWhat, invalid_argument("--state-dir needs --party"));
  if (!a.file.empty() || a.base64) {
    fail_with(kWhat, invalid_argument("--state-dir recomputes the policy: no FILE or --base64"));
  }
  const deploy::PolicyCheck c =
      value_or_exit(deploy::check_policy(a.state_dir, self_executable(), a.party), kWhat);
  print_exact(c.recomputed_host_data + "\n");
  for (const std::string& d : c.differences) {
    std::fprintf(stderr, "mpcc policy hash: %s\n", d.c_str());
  }
  throw CliExit{c.ok() ? kExitOk : kExitVerificationFailed};
}

void run_hash(const HashArgs& a) {
  constexpr std::string_view kWhat = "policy hash";
  if (!a.state_dir.empty()) run_check(a);
  if (!a.party.empty()) fail_with(kWhat, invalid_argument("--party needs --state-dir"));
  std::string input;
  if (a.file.empty() || a.file == "-") {
    input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    input = value_or_exit(read_text_file(a.file, kMaxPolicy), kWhat);
  }
  if (a.base64) input = value_or_exit(decode_base64(input), kWhat);
  print_exact(deploy::policy_host_data(input) + "\n");
  throw CliExit{kExitOk};
}

}  // namespace

void register_policy_commands(CLI::App& root) {
  CLI::App* policy = root.add_subcommand(
      "policy", "A confidential party's security policy and its HOST_DATA (SHA-256 of the text)");
  policy->require_subcommand(1);

  auto show = std::make_shared<ShowArgs>();
  CLI::App* show_cmd = policy->add_subcommand("show", "Print a party's deployed policy text");
  show_cmd->add_option("--state-dir", show->state_dir, "Deployment directory")->required();
  show_cmd->add_option("--party", show->party, "The party (e.g. contoso)")->required();
  show_cmd->add_flag("--base64", show->base64, "Print it base64-encoded, as stored (ccePolicy)");
  show_cmd->callback([show] { run_show(*show); });

  auto hash = std::make_shared<HashArgs>();
  CLI::App* hash_cmd = policy->add_subcommand(
      "hash",
      "Print the HOST_DATA (lowercase hex SHA-256) of a policy text, or recompute a "
      "party's policy from a deployment and compare");
  hash_cmd->add_option("file", hash->file, "The policy text (default, or -: stdin)");
  hash_cmd->add_flag("--base64", hash->base64, "The input is a base64 ccePolicy: decode it first");
  hash_cmd->add_option("--state-dir", hash->state_dir,
                       "Recompute the policy of --party from this deployment");
  hash_cmd->add_option("--party", hash->party, "The party, with --state-dir");
  hash_cmd->callback([hash] { run_hash(*hash); });
}

}  // namespace mpcc::app
