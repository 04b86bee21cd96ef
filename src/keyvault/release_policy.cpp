// Secure-key-release policy: strict parser, canonical encoding, evaluator.
// See release_policy.h for the grammar and README.md for the coercion rules.
#include "keyvault/release_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>
#include <utility>

#include "common/bytes.h"
#include "crypto/encoding.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;

struct OperatorInfo {
  ClaimOperator op;
  std::string_view name;
  std::string_view phrase;  // "actual is not <phrase> expected"
};

constexpr std::array<OperatorInfo, 7> kOperators = {{
    {ClaimOperator::kEquals, "equals", "equal to"},
    {ClaimOperator::kNotEquals, "notEquals", "different from"},
    {ClaimOperator::kLess, "less", "less than"},
    {ClaimOperator::kLessOrEquals, "lessOrEquals", "less than or equal to"},
    {ClaimOperator::kGreater, "greater", "greater than"},
    {ClaimOperator::kGreaterOrEquals, "greaterOrEquals", "greater than or equal to"},
    {ClaimOperator::kExists, "exists", "present as"},
}};

constexpr std::string_view kVersions[] = {"1.0.0", "0.2"};

const OperatorInfo& info(ClaimOperator op) {
  for (const OperatorInfo& i : kOperators) {
    if (i.op == op) return i;
  }
  throw std::logic_error("release policy: unknown ClaimOperator");
}

std::string operator_list() {
  std::string out;
  for (const OperatorInfo& i : kOperators) {
    if (!out.empty()) out += ", ";
    out += i.name;
  }
  return out;
}

std::string_view type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    case json::value_t::binary:
      return "binary";
    case json::value_t::discarded:
      return "discarded";
  }
  return "unknown";
}

// JSON text of a value for messages; never throws on odd strings.
std::string show(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string json_quote(std::string_view s) { return show(json(std::string(s))); }

// A value for a one-line reason: ASCII only (so cutting it keeps it valid
// UTF-8) and at most kMaxShown characters, so that a large claim (an object
// such as x-ms-runtime) does not flood messages and audit records.
constexpr std::size_t kMaxShown = 200;
std::string show_short(const json& j) {
  std::string out = j.dump(-1, ' ', /*ensure_ascii=*/true, json::error_handler_t::replace);
  if (out.size() > kMaxShown) {
    out.resize(kMaxShown);
    out += "...";
  }
  return out;
}

// ---------------------------------------------------------------- parsing

class Parser {
 public:
  // Fills `version` and `rules` from `root`, or fails with the first problem.
  Status run(const json& root, std::string& version, std::vector<AuthorityRule>& rules);

 private:
  static Status fail(const std::string& path, const std::string& what) {
    return invalid_argument(path.empty() ? "policy: " + what : "policy: " + path + ": " + what);
  }
  static Status check_members(const json& obj, const std::string& path,
                              std::initializer_list<std::string_view> allowed,
                              std::string_view where);
  static Status parse_claim_name(const json& obj, const std::string& path, std::string& out);
  static Status parse_value(ClaimOperator op, const json& v, const std::string& path,
                            std::string_view what, json& out);
  Status parse_group_array(const json& arr, const std::string& path, std::size_t depth,
                           std::vector<PolicyNode>& out);
  Status parse_condition(const json& obj, const std::string& path, std::size_t depth,
                         PolicyNode& out);
  Status parse_claim(const json& obj, const std::string& path, ClaimCondition& out);
};

Status Parser::check_members(const json& obj, const std::string& path,
                             std::initializer_list<std::string_view> allowed,
                             std::string_view where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      return fail(path, "unknown member " + json_quote(it.key()) + " in " + std::string(where));
    }
  }
  return ok_status();
}

Status Parser::parse_claim_name(const json& obj, const std::string& path, std::string& out) {
  const json& c = obj.at("claim");
  if (!c.is_string()) {
    return fail(path, "claim: must be a string, found " + std::string(type_name(c)));
  }
  out = c.get<std::string>();
  if (out.empty()) return fail(path, "claim: must not be empty");
  std::size_t start = 0;
  while (true) {
    std::size_t dot = out.find('.', start);
    std::size_t end = dot == std::string::npos ? out.size() : dot;
    if (end == start) return fail(path, "claim: empty name segment in " + json_quote(out));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return ok_status();
}

Status Parser::parse_value(ClaimOperator op, const json& v, const std::string& path,
                           std::string_view what, json& out) {
  std::string prefix = std::string(what) + ": ";
  if (op == ClaimOperator::kExists) {
    if (v.is_boolean()) {
      out = v;
    } else if (v.is_string() && (v == "true" || v == "false")) {
      out = (v == "true");
    } else {
      return fail(path, prefix + "must be a boolean (or \"true\"/\"false\"), found " +
                            std::string(type_name(v)) + " " + show(v));
    }
    return ok_status();
  }
  if (v.is_number_float() && !std::isfinite(v.get<double>())) {
    return fail(path, prefix + "must be a finite number");
  }
  if (!v.is_string() && !v.is_number() && !v.is_boolean()) {
    return fail(path,
                prefix + "must be a string, number or boolean, found " + std::string(type_name(v)));
  }
  out = v;
  return ok_status();
}

Status Parser::parse_claim(const json& obj, const std::string& path, ClaimCondition& out) {
  MPCC_RETURN_IF_ERROR(parse_claim_name(obj, path, out.claim));
  if (obj.contains("condition") || obj.contains("value")) {
    // Legacy form {"claim", "condition": "<op>", "value"}.
    MPCC_RETURN_IF_ERROR(
        check_members(obj, path, {"claim", "condition", "value"}, "a legacy claim condition"));
    if (!obj.contains("condition")) return fail(path, "legacy form: condition: missing");
    if (!obj.contains("value")) return fail(path, "legacy form: value: missing");
    const json& cond = obj.at("condition");
    if (!cond.is_string()) {
      return fail(path, "condition: must be a string, found " + std::string(type_name(cond)));
    }
    auto op = parse_operator(cond.get<std::string>());
    if (!op) {
      return fail(path, "condition: unknown operator " + show(cond) + " (expected one of " +
                            operator_list() + ")");
    }
    out.op = *op;
    out.legacy_form = true;
    return parse_value(out.op, obj.at("value"), path, "value", out.value);
  }
  std::vector<ClaimOperator> found;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "claim") continue;
    auto op = parse_operator(it.key());
    if (!op) {
      return fail(path, "unknown member " + json_quote(it.key()) +
                            " in a claim condition (operators: " + operator_list() + ")");
    }
    found.push_back(*op);
  }
  if (found.size() != 1) {
    std::string names;
    for (ClaimOperator op : found)
      names += (names.empty() ? "" : ", ") + std::string(operator_name(op));
    return fail(
        path,
        "a claim condition needs exactly one operator (" + operator_list() + "), found " +
            (found.empty() ? std::string("none") : std::to_string(found.size()) + ": " + names));
  }
  out.op = found.front();
  out.legacy_form = false;
  return parse_value(out.op, obj.at(std::string(operator_name(out.op))), path,
                     operator_name(out.op), out.value);
}

Status Parser::parse_group_array(const json& arr, const std::string& path, std::size_t depth,
                                 std::vector<PolicyNode>& out) {
  if (depth > kMaxPolicyDepth) {
    return fail(path, "nesting deeper than " + std::to_string(kMaxPolicyDepth) + " groups");
  }
  if (!arr.is_array()) return fail(path, "must be an array, found " + std::string(type_name(arr)));
  if (arr.empty()) return fail(path, "must not be empty");
  out.resize(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    MPCC_RETURN_IF_ERROR(
        parse_condition(arr[i], path + "[" + std::to_string(i) + "]", depth, out[i]));
  }
  return ok_status();
}

Status Parser::parse_condition(const json& obj, const std::string& path, std::size_t depth,
                               PolicyNode& out) {
  if (!obj.is_object())
    return fail(path, "must be an object, found " + std::string(type_name(obj)));
  if (obj.contains("authority")) {
    return fail(path, "authority is only allowed in the top-level anyOf entries");
  }
  bool has_all = obj.contains("allOf");
  bool has_any = obj.contains("anyOf");
  if (obj.contains("claim")) {
    if (has_all || has_any) {
      return fail(path, "a condition is either a claim or an allOf/anyOf group, not both");
    }
    out.kind = PolicyNode::Kind::kClaim;
    return parse_claim(obj, path, out.condition);
  }
  if (has_all && has_any)
    return fail(path, "a group needs exactly one of allOf or anyOf, found both");
  if (!has_all && !has_any) {
    if (obj.contains("condition") || obj.contains("value")) return fail(path, "claim: missing");
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (parse_operator(it.key())) return fail(path, "claim: missing");
    }
    return fail(path, "needs a claim or exactly one of allOf or anyOf");
  }
  const char* key = has_all ? "allOf" : "anyOf";
  MPCC_RETURN_IF_ERROR(check_members(obj, path, {key}, "an allOf/anyOf group"));
  out.kind = has_all ? PolicyNode::Kind::kAllOf : PolicyNode::Kind::kAnyOf;
  return parse_group_array(obj.at(key), path + "." + key, depth + 1, out.children);
}

Status Parser::run(const json& root, std::string& version, std::vector<AuthorityRule>& rules) {
  if (!root.is_object()) {
    return fail("", "must be a JSON object, found " + std::string(type_name(root)));
  }
  if (root.contains("allOf")) {
    return fail("allOf",
                "not allowed at the top level (the top level is an anyOf of authority "
                "objects)");
  }
  MPCC_RETURN_IF_ERROR(check_members(root, "", {"version", "anyOf"}, "the policy object"));
  if (!root.contains("version")) return fail("version", "missing");
  const json& v = root.at("version");
  if (!v.is_string())
    return fail("version", "must be a string, found " + std::string(type_name(v)));
  version = v.get<std::string>();
  if (std::find(std::begin(kVersions), std::end(kVersions), version) == std::end(kVersions)) {
    return fail("version",
                "unsupported " + json_quote(version) + " (supported: \"1.0.0\", \"0.2\")");
  }
  if (!root.contains("anyOf")) {
    return fail("anyOf", "missing (the top level is an anyOf of authority objects)");
  }
  const json& any = root.at("anyOf");
  if (!any.is_array())
    return fail("anyOf", "must be an array, found " + std::string(type_name(any)));
  if (any.empty()) return fail("anyOf", "must not be empty");
  rules.resize(any.size());
  for (std::size_t i = 0; i < any.size(); ++i) {
    std::string path = "anyOf[" + std::to_string(i) + "]";
    const json& entry = any[i];
    if (!entry.is_object()) {
      return fail(path,
                  "an authority entry must be an object, found " + std::string(type_name(entry)));
    }
    MPCC_RETURN_IF_ERROR(
        check_members(entry, path, {"authority", "allOf", "anyOf"}, "an authority object"));
    if (!entry.contains("authority")) return fail(path, "authority: missing");
    const json& a = entry.at("authority");
    if (!a.is_string()) {
      return fail(path, "authority: must be a string, found " + std::string(type_name(a)));
    }
    rules[i].authority = a.get<std::string>();
    if (rules[i].authority.empty()) return fail(path, "authority: must not be empty");
    bool has_all = entry.contains("allOf");
    bool has_any = entry.contains("anyOf");
    if (has_all == has_any) {
      return fail(path, std::string("an authority object needs exactly one of allOf or anyOf, "
                                    "found ") +
                            (has_all ? "both" : "neither"));
    }
    const char* key = has_all ? "allOf" : "anyOf";
    rules[i].root.kind = has_all ? PolicyNode::Kind::kAllOf : PolicyNode::Kind::kAnyOf;
    MPCC_RETURN_IF_ERROR(
        parse_group_array(entry.at(key), path + "." + key, 1, rules[i].root.children));
  }
  return ok_status();
}

// ---------------------------------------------------------- canonical JSON

json node_to_json(const PolicyNode& node) {
  if (node.kind == PolicyNode::Kind::kClaim) {
    return json{{"claim", node.condition.claim},
                {std::string(operator_name(node.condition.op)), node.condition.value}};
  }
  json children = json::array();
  for (const PolicyNode& c : node.children) children.push_back(node_to_json(c));
  return json{{node.kind == PolicyNode::Kind::kAllOf ? "allOf" : "anyOf", std::move(children)}};
}

// -------------------------------------------------------------- evaluation

const json* lookup(const json& claims, std::string_view path) {
  const json* cur = &claims;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string name(
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(name);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string_view::npos) return cur;
    start = dot + 1;
  }
}

// A decimal number literal: -?digits(.digits)?([eE][+-]?digits)? (leading
// zeros allowed; no '+', spaces, hex, inf or nan).
bool is_numeric_literal(std::string_view s, bool& integral) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  integral = true;
  if (i < s.size() && s[i] == '-') ++i;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    integral = false;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    integral = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// The numeric value of a JSON number or a numeric string; nullopt otherwise
// (booleans are never numbers). long double holds every int64, uint64 and
// double exactly on the targets we build for.
std::optional<long double> numeric(const json& j) {
  if (j.is_number_integer() && !j.is_number_unsigned()) {
    return static_cast<long double>(j.get<int64_t>());
  }
  if (j.is_number_unsigned()) return static_cast<long double>(j.get<uint64_t>());
  if (j.is_number_float()) return static_cast<long double>(j.get<double>());
  if (!j.is_string()) return std::nullopt;
  const std::string& s = j.get_ref<const std::string&>();
  bool integral = false;
  if (!is_numeric_literal(s, integral)) return std::nullopt;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (integral) {
    int64_t i = 0;
    auto r = std::from_chars(first, last, i);
    if (r.ec == std::errc() && r.ptr == last) return static_cast<long double>(i);
    uint64_t u = 0;
    r = std::from_chars(first, last, u);
    if (r.ec == std::errc() && r.ptr == last) return static_cast<long double>(u);
  }
  double d = 0;
  auto r = std::from_chars(first, last, d);
  if (r.ec != std::errc() || r.ptr != last || !std::isfinite(d)) return std::nullopt;
  return static_cast<long double>(d);
}

bool is_scalar(const json& j) { return j.is_string() || j.is_number() || j.is_boolean(); }

enum class ClauseOutcome { kTrue, kFalse };

struct ConditionResult {
  ClauseOutcome outcome;
  std::string reason;  // when false
};

// equals by "string form": see README.md. Returns nullopt when equal,
// otherwise the reason it differs.
std::optional<std::string> equals_differs(const json& actual, const json& expected) {
  if (actual.is_string() && expected.is_string()) {
    if (actual == expected) return std::nullopt;
    return "value differs";
  }
  if (actual.is_boolean() && expected.is_boolean()) {
    if (actual == expected) return std::nullopt;
    return "value differs";
  }
  if (actual.is_boolean() || expected.is_boolean()) {
    const json& b = actual.is_boolean() ? actual : expected;
    const json& other = actual.is_boolean() ? expected : actual;
    if (other.is_string() &&
        other.get_ref<const std::string&>() == (b.get<bool>() ? "true" : "false")) {
      return std::nullopt;
    }
    return "value differs";
  }
  // At least one side is a number: compare numerically if both are numeric.
  auto a = numeric(actual);
  auto e = numeric(expected);
  if (a && e) {
    if (*a == *e) return std::nullopt;
    return "value differs";
  }
  return "value differs";
}

ConditionResult evaluate_condition(const ClaimCondition& c, const json* actual) {
  if (c.op == ClaimOperator::kExists) {
    bool want = c.value.get<bool>();
    bool present = actual != nullptr;
    if (want == present) return {ClauseOutcome::kTrue, {}};
    return {ClauseOutcome::kFalse, present ? "claim present" : "claim missing"};
  }
  if (actual == nullptr) return {ClauseOutcome::kFalse, "claim missing"};
  if (!is_scalar(*actual)) {
    return {ClauseOutcome::kFalse, "claim is " + std::string(type_name(*actual)) +
                                 "; only strings, numbers and booleans compare"};
  }
  switch (c.op) {
    case ClaimOperator::kEquals: {
      auto differs = equals_differs(*actual, c.value);
      if (!differs) return {ClauseOutcome::kTrue, {}};
      return {ClauseOutcome::kFalse, *differs};
    }
    case ClaimOperator::kNotEquals: {
      if (equals_differs(*actual, c.value)) return {ClauseOutcome::kTrue, {}};
      return {ClauseOutcome::kFalse, "value equals the excluded value"};
    }
    case ClaimOperator::kLess:
    case ClaimOperator::kLessOrEquals:
    case ClaimOperator::kGreater:
    case ClaimOperator::kGreaterOrEquals: {
      auto a = numeric(*actual);
      auto e = numeric(c.value);
      if (!a) return {ClauseOutcome::kFalse, "not comparable: actual value is not a number"};
      if (!e) return {ClauseOutcome::kFalse, "not comparable: expected value is not a number"};
      bool holds = false;
      switch (c.op) {
        case ClaimOperator::kLess:
          holds = *a < *e;
          break;
        case ClaimOperator::kLessOrEquals:
          holds = *a <= *e;
          break;
        case ClaimOperator::kGreater:
          holds = *a > *e;
          break;
        default:
          holds = *a >= *e;
          break;
      }
      if (holds) return {ClauseOutcome::kTrue, {}};
      return {ClauseOutcome::kFalse, "actual is not " + std::string(info(c.op).phrase) + " expected"};
    }
    case ClaimOperator::kExists:
      break;  // handled above
  }
  throw std::logic_error("release policy: unhandled operator");
}

// Evaluates every child (no short-circuit, so a denial lists every failure)
// and appends the failed claim conditions of a false node to `failures`.
bool evaluate_node(const PolicyNode& node, const std::string& path, const json& claims,
                   std::vector<FailedClause>& failures) {
  if (node.kind == PolicyNode::Kind::kClaim) {
    const json* actual = lookup(claims, node.condition.claim);
    ConditionResult r = evaluate_condition(node.condition, actual);
    if (r.outcome == ClauseOutcome::kTrue) return true;
    FailedClause f;
    f.path = path;
    f.claim = node.condition.claim;
    f.op = node.condition.op;
    f.expected = node.condition.value;
    if (actual != nullptr) f.actual = *actual;
    f.reason = std::move(r.reason);
    failures.push_back(std::move(f));
    return false;
  }
  const bool all = node.kind == PolicyNode::Kind::kAllOf;
  const std::string prefix = path + (all ? ".allOf[" : ".anyOf[");
  std::vector<FailedClause> local;
  bool any_true = false;
  bool all_true = true;
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    bool r = evaluate_node(node.children[i], prefix + std::to_string(i) + "]", claims, local);
    any_true = any_true || r;
    all_true = all_true && r;
  }
  bool result = all ? all_true : any_true;
  if (!result) failures.insert(failures.end(), local.begin(), local.end());
  return result;
}

struct SplitUrl {
  bool has_scheme = false;
  std::string scheme, host, port, rest;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

SplitUrl split_url(std::string_view s) {
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  SplitUrl u;
  std::size_t sep = s.find("://");
  if (sep == std::string_view::npos) {
    u.rest = std::string(s);
    return u;
  }
  u.has_scheme = true;
  u.scheme = lower(s.substr(0, sep));
  std::string_view after = s.substr(sep + 3);
  std::size_t end = after.find_first_of("/?#");
  std::string_view hostport = after.substr(0, end);
  u.rest = end == std::string_view::npos ? std::string() : std::string(after.substr(end));
  std::size_t colon = std::string_view::npos;
  if (!hostport.empty() && hostport.front() == '[') {
    std::size_t close = hostport.find(']');
    if (close != std::string_view::npos && close + 1 < hostport.size() &&
        hostport[close + 1] == ':') {
      colon = close + 1;
    }
  } else {
    colon = hostport.rfind(':');
  }
  u.host = lower(hostport.substr(0, colon));
  if (colon != std::string_view::npos) u.port = std::string(hostport.substr(colon + 1));
  if ((u.scheme == "https" && u.port == "443") || (u.scheme == "http" && u.port == "80")) {
    u.port.clear();
  }
  return u;
}

}  // namespace

// ------------------------------------------------------------- operators

std::string_view operator_name(ClaimOperator op) { return info(op).name; }

std::optional<ClaimOperator> parse_operator(std::string_view name) {
  for (const OperatorInfo& i : kOperators) {
    if (i.name == name) return i.op;
  }
  return std::nullopt;
}

bool authority_matches(std::string_view authority, std::string_view iss) {
  SplitUrl a = split_url(authority);
  SplitUrl b = split_url(iss);
  return a.has_scheme == b.has_scheme && a.scheme == b.scheme && a.host == b.host &&
         a.port == b.port && a.rest == b.rest;
}

// ---------------------------------------------------------- FailedClause

std::string FailedClause::describe() const {
  std::string out = path + ": " + claim + " " + std::string(operator_name(op)) + " " +
                    show_short(expected) + ": ";
  if (actual) {
    out += "actual " + show_short(*actual) + " (" + reason + ")";
  } else {
    out += reason;
  }
  return out;
}

// ------------------------------------------------------------ Evaluation

std::vector<std::string> Evaluation::reasons() const {
  std::vector<std::string> out;
  if (released_) return out;
  for (const std::string& e : token_errors_) out.push_back(e);
  for (const FailedClause& f : failed_clauses_) out.push_back(f.describe());
  for (const AuthorityMismatch& m : authority_mismatches_) {
    out.push_back(m.path + ": authority " + json_quote(m.authority) + " does not match the token " +
                  "issuer " + json_quote(m.issuer));
  }
  if (out.empty()) out.push_back("no authority entry satisfied");  // not reachable by parse()
  return out;
}

Status Evaluation::status() const {
  if (released_) return ok_status();
  std::vector<std::string> r = reasons();
  std::string msg = "policy: " + r.front();
  if (r.size() > 1) msg += " (+" + std::to_string(r.size() - 1) + " more)";
  return permission_denied(std::move(msg));
}

nlohmann::json Evaluation::to_json() const {
  json out = {{"decision", released_ ? "release" : "deny"}, {"issuer", issuer_}};
  if (released_) {
    out["satisfiedBy"] = satisfied_by_;
    return out;
  }
  json clauses = json::array();
  for (const FailedClause& f : failed_clauses_) {
    json c = {{"path", f.path},
              {"claim", f.claim},
              {"operator", operator_name(f.op)},
              {"expected", f.expected},
              {"reason", f.reason}};
    if (f.actual) {
      c["actual"] = *f.actual;
    } else {
      c["missing"] = true;
    }
    clauses.push_back(std::move(c));
  }
  json mismatches = json::array();
  for (const AuthorityMismatch& m : authority_mismatches_) {
    mismatches.push_back({{"path", m.path}, {"authority", m.authority}, {"issuer", m.issuer}});
  }
  out["failedClauses"] = std::move(clauses);
  out["authorityMismatches"] = std::move(mismatches);
  out["tokenErrors"] = token_errors_;
  return out;
}

// --------------------------------------------------------- ReleasePolicy

StatusOr<ReleasePolicy> ReleasePolicy::parse(const nlohmann::json& policy) {
  ReleasePolicy p;
  Parser parser;
  MPCC_RETURN_IF_ERROR(parser.run(policy, p.version_, p.authorities_));
  return p;
}

StatusOr<ReleasePolicy> ReleasePolicy::parse_text(std::string_view json_text) {
  if (json_text.size() > kMaxPolicyBytes) {
    return invalid_argument("policy: larger than " + std::to_string(kMaxPolicyBytes) + " bytes");
  }
  // Duplicate member names would let two parsers see two different policies;
  // nlohmann keeps the last one silently, so detect them while parsing.
  std::vector<std::vector<std::string>> keys_stack;
  std::string duplicate;
  json::parser_callback_t cb = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        keys_stack.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!keys_stack.empty()) keys_stack.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys_stack.empty() && parsed.is_string()) {
          auto& keys = keys_stack.back();
          const std::string& k = parsed.get_ref<const std::string&>();
          if (std::find(keys.begin(), keys.end(), k) != keys.end()) {
            if (duplicate.empty()) duplicate = k;
          } else {
            keys.push_back(k);
          }
        }
        break;
      default:
        break;
    }
    return true;
  };
  json j;
  try {
    j = json::parse(json_text.begin(), json_text.end(), cb);
  } catch (const json::exception& e) {
    return invalid_argument(std::string("policy: not JSON: ") + e.what());
  }
  if (!duplicate.empty()) {
    return invalid_argument("policy: duplicate member " + json_quote(duplicate) + " in an object");
  }
  return parse(j);
}

StatusOr<ReleasePolicy> ReleasePolicy::from_encoded(std::string_view data) {
  if (data.size() > kMaxPolicyBytes / 3 * 4 + 8) {
    return invalid_argument("policy: larger than " + std::to_string(kMaxPolicyBytes) + " bytes");
  }
  auto bytes = crypto::base64_decode_any(data);
  if (!bytes.ok()) {
    return invalid_argument("policy: data is not base64/base64url: " + bytes.status().message());
  }
  return parse_text(to_string(*bytes));
}

nlohmann::json ReleasePolicy::to_json() const {
  json any = json::array();
  for (const AuthorityRule& r : authorities_) {
    json entry = node_to_json(r.root);
    entry["authority"] = r.authority;
    any.push_back(std::move(entry));
  }
  return json{{"version", version_}, {"anyOf", std::move(any)}};
}

std::string ReleasePolicy::canonical_text() const { return show(to_json()); }

std::string ReleasePolicy::encode() const { return crypto::base64url_encode(canonical_text()); }

Evaluation ReleasePolicy::evaluate(const nlohmann::json& claims) const {
  if (!claims.is_object()) return evaluate(claims, "");
  auto it = claims.find("iss");
  if (it == claims.end() || !it->is_string()) {
    Evaluation e;
    e.token_errors_.push_back("token: no string iss claim");
    return e;
  }
  return evaluate(claims, it->get_ref<const std::string&>());
}

Evaluation ReleasePolicy::evaluate(const nlohmann::json& claims, std::string_view issuer) const {
  Evaluation e;
  e.issuer_ = std::string(issuer);
  if (!claims.is_object()) {
    e.token_errors_.push_back("token: claims are not a JSON object");
    return e;
  }
  if (issuer.empty()) {
    e.token_errors_.push_back("token: empty issuer");
    return e;
  }
  for (std::size_t i = 0; i < authorities_.size(); ++i) {
    const AuthorityRule& rule = authorities_[i];
    std::string path = "anyOf[" + std::to_string(i) + "]";
    if (!authority_matches(rule.authority, issuer)) {
      e.authority_mismatches_.push_back({path, rule.authority, e.issuer_});
      continue;
    }
    std::vector<FailedClause> failures;
    if (evaluate_node(rule.root, path, claims, failures)) {
      e.released_ = true;
      e.satisfied_by_ = path;
      e.failed_clauses_.clear();
      e.authority_mismatches_.clear();
      return e;
    }
    e.failed_clauses_.insert(e.failed_clauses_.end(), failures.begin(), failures.end());
  }
  return e;
}

}  // namespace mpcc::keyvault
