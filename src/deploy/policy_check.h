// File: deploy/policy_check.h
//
// Any party can recompute a confidential party's security policy from a
// local deployment and compare it with what was deployed (`mpcc policy show`
// and `mpcc policy hash --state-dir`): the policy is regenerated the way `mpcc
// up` generates it (the deployment file as used, DIR/deployment-file.json;
// the ports, DIR/deployment.json; the identities, DIR/endpoints.json; the
// mpcc binary; the --web-root up was given, which nothing else records, is
// read back from the app's command in the deployed policy), then hashed, then
// compared with
//   (a) the deployed text, DIR/parties/<p>/security-context/security-policy-base64, and
//   (b) endpoints.json parties[<p>].host_data.
//
//   MPCC_ASSIGN_OR_RETURN(std::string text, deployed_policy(dir, "contoso"));
//   MPCC_ASSIGN_OR_RETURN(PolicyCheck c, check_policy(dir, exe, "contoso"));
//   if (!c.ok()) for (auto& d : c.differences) ... // what differs, one message each
//
// Errors: kNotFound when DIR holds no deployment or the party is unknown
// (the message lists the parties), kFailedPrecondition for a standard party
// (it has no policy) or a deployment whose records lack what up writes,
// errors reading the files otherwise. A mismatch is not an error: it is in
// PolicyCheck::differences.
//
// Thread-safety: reentrant functions; they only read DIR.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace mpcc::deploy {

struct PolicyCheck {
  std::string party;
  std::string recomputed_text;
  std::string recomputed_host_data;  // SHA-256 of recomputed_text
  std::string deployed_host_data;    // SHA-256 of the deployed text
  std::string endpoints_host_data;   // "" when endpoints.json has none
  std::vector<std::string> differences;
  bool ok() const { return differences.empty(); }
};

// The deployed policy text of `party` (its security-context file, decoded).
StatusOr<std::string> deployed_policy(const std::filesystem::path& state_dir,
                                      const std::string& party);

// Regenerates `party`'s policy as `mpcc up` does with `executable` (the mpcc
// binary the deployment runs) and compares (see the file comment).
StatusOr<PolicyCheck> check_policy(const std::filesystem::path& state_dir,
                                   const std::filesystem::path& executable,
                                   const std::string& party);

// "line N: deployed: ... / recomputed: ..." for the first line where two
// texts differ ("" when equal).
std::string first_difference(const std::string& deployed, const std::string& recomputed);

}  // namespace mpcc::deploy
