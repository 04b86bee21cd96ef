// File: keyvault/release_policy.h
//
// A key's secure-key-release policy (spec 10, SDK interop A5.1): parsing,
// canonical re-encoding, and evaluation against the claims of a verified
// attestation token (an MAA JWT, spec 8.4).
//
//   MPCC_ASSIGN_OR_RETURN(ReleasePolicy policy,
//                         ReleasePolicy::from_encoded(release_policy_data));
//   Evaluation e = policy.evaluate(verified_jwt.claims);
//   if (!e.released()) return e.status();   // kPermissionDenied, "policy: ..."
//   ... 403 body: e.to_json()
//
// Grammar (strict; anything else is refused at parse time with a
// kInvalidArgument "policy: <path>: <what>" message):
//   policy    = {"version": "1.0.0" | "0.2", "anyOf": [authority, ...]}
//   authority = {"authority": string, "allOf"|"anyOf": [condition, ...]}   exactly one
//   condition = group | claim
//   group     = {"allOf"|"anyOf": [condition, ...]}                        exactly one
//   claim     = {"claim": path, <op>: value}                               exactly one op
//             | {"claim": path, "condition": "<op>", "value": value}       legacy form
//   op        = equals | notEquals | less | lessOrEquals | greater | greaterOrEquals | exists
//   value     = string | number | boolean      (exists: a boolean, or "true"/"false")
//   path      = names separated by '.', walking nested objects (no array indexing)
// Arrays are never empty, nesting is at most kMaxPolicyDepth groups deep.
// Paths in messages and results name the node: "anyOf[0].allOf[2].anyOf[1]".
//
// Evaluation: the policy releases iff some authority entry's authority equals
// the token's issuer (modulo one trailing '/', case of scheme and host, and the
// scheme's default port) and its condition tree is true. Missing claims make a
// condition false (except `exists: false`). Coercion rules: see README.md.
//
// Thread-safety: ReleasePolicy and Evaluation are immutable values; evaluate()
// may be called concurrently.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mpcc::keyvault {

inline constexpr std::size_t kMaxPolicyDepth = 32;         // nested allOf/anyOf groups
inline constexpr std::size_t kMaxPolicyBytes = 64 * 1024;  // decoded JSON text

enum class ClaimOperator {
  kEquals,
  kNotEquals,
  kLess,
  kLessOrEquals,
  kGreater,
  kGreaterOrEquals,
  kExists,
};

// The grammar's spelling: "equals", "notEquals", ... "exists".
std::string_view operator_name(ClaimOperator op);
// Inverse of operator_name (case-sensitive); nullopt for anything else.
std::optional<ClaimOperator> parse_operator(std::string_view name);

struct ClaimCondition {
  std::string claim;  // as written, e.g. "x-ms-isolation-tee.x-ms-attestation-type"
  ClaimOperator op = ClaimOperator::kEquals;
  nlohmann::json value;      // string, number or boolean (boolean for kExists)
  bool legacy_form = false;  // written as {"claim","condition","value"}
};

// One node of a condition tree: a claim condition or an allOf/anyOf group.
struct PolicyNode {
  enum class Kind { kClaim, kAllOf, kAnyOf };
  Kind kind = Kind::kAllOf;
  ClaimCondition condition;          // kClaim only
  std::vector<PolicyNode> children;  // kAllOf / kAnyOf only, never empty
};

struct AuthorityRule {
  std::string authority;  // as written
  PolicyNode root;        // kAllOf or kAnyOf
};

// A claim condition that was false, and why.
struct FailedClause {
  std::string path;  // "anyOf[0].allOf[1]"
  std::string claim;
  ClaimOperator op = ClaimOperator::kEquals;
  nlohmann::json expected;               // the policy's value
  std::optional<nlohmann::json> actual;  // the token's value; nullopt: claim missing
  std::string reason;                    // "value differs", "claim missing", ...

  // "anyOf[0].allOf[1]: x-ms-sevsnpvm-hostdata equals \"ab..\": actual \"cd..\" (value differs)"
  std::string describe() const;
};

// An authority entry that was skipped because the token came from elsewhere.
struct AuthorityMismatch {
  std::string path;       // "anyOf[1]"
  std::string authority;  // the policy's
  std::string issuer;     // the token's iss
};

class Evaluation {
 public:
  bool released() const { return released_; }
  // Path of the authority entry that released ("anyOf[0]"); empty on denial.
  const std::string& satisfied_by() const { return satisfied_by_; }
  const std::string& issuer() const { return issuer_; }
  // On denial: every false claim condition under the entries whose authority
  // matched (for a false anyOf, all of its alternatives), in policy order.
  const std::vector<FailedClause>& failed_clauses() const { return failed_clauses_; }
  const std::vector<AuthorityMismatch>& authority_mismatches() const {
    return authority_mismatches_;
  }
  // Problems with the claims themselves (not an object, no string iss).
  const std::vector<std::string>& token_errors() const { return token_errors_; }

  // One line per failure (token errors, then failed clauses, then authority
  // mismatches); empty when released. Suitable for the audit log.
  std::vector<std::string> reasons() const;
  // OK when released, else kPermissionDenied "policy: <first reason>[ (+N more)]".
  Status status() const;
  // {"decision": "release"|"deny", "issuer", "satisfiedBy"?, "failedClauses": [
  //   {"path","claim","operator","expected","actual"|"missing":true,"reason"}],
  //  "authorityMismatches": [{"path","authority","issuer"}], "tokenErrors": [...]}
  nlohmann::json to_json() const;

 private:
  friend class ReleasePolicy;
  bool released_ = false;
  std::string satisfied_by_;
  std::string issuer_;
  std::vector<FailedClause> failed_clauses_;
  std::vector<AuthorityMismatch> authority_mismatches_;
  std::vector<std::string> token_errors_;
};

class ReleasePolicy {
 public:
  // Parses the decoded policy JSON. Fails with kInvalidArgument
  // "policy: <path>: <what>" on anything outside the grammar above.
  static StatusOr<ReleasePolicy> parse(const nlohmann::json& policy);
  // Same, from JSON text (at most kMaxPolicyBytes); "policy: not JSON: ..."
  // when it does not parse.
  static StatusOr<ReleasePolicy> parse_text(std::string_view json_text);
  // Same, from release_policy.data: base64url or base64, padded or not
  // (spec 9.2); "policy: data is not base64/base64url: ..." when not.
  static StatusOr<ReleasePolicy> from_encoded(std::string_view data);

  const std::string& version() const { return version_; }
  const std::vector<AuthorityRule>& authorities() const { return authorities_; }

  // Canonical JSON: modern operator form (legacy conditions rewritten), keys
  // in sorted order, values as parsed. parse(to_json()) yields an equal policy.
  nlohmann::json to_json() const;
  // to_json() serialised compactly; deterministic for equal policies.
  std::string canonical_text() const;
  // base64url (unpadded) of canonical_text(): a release_policy.data value.
  std::string encode() const;

  // Evaluates against verified token claims, using their "iss" as issuer.
  Evaluation evaluate(const nlohmann::json& claims) const;
  // Same with an explicit issuer (e.g. the one the JWT verifier checked).
  Evaluation evaluate(const nlohmann::json& claims, std::string_view issuer) const;

 private:
  std::string version_;
  std::vector<AuthorityRule> authorities_;
};

// True iff `authority` (from a policy) names the issuer `iss`: both are split
// into scheme, host[:port] and the rest; scheme and host compare without
// case, a default port (443 for https, 80 for http) equals no port, the rest
// compares exactly after dropping one trailing '/'. Strings without "://"
// compare exactly (after dropping one trailing '/').
bool authority_matches(std::string_view authority, std::string_view iss);

}  // namespace mpcc::keyvault
