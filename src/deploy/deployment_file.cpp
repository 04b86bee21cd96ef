#include "deploy/deployment_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

#include "common/file_io.h"
#include "mpcc/default_deployment.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxDeploymentFile = 1u << 20;

Status field_error(const std::string& field, const std::string& what) {
  return invalid_argument(fmt::format("deployment file: {}: {}", field, what));
}

// The members of one JSON object, read once each; unknown members are refused.
class ObjectReader {
 public:
  ObjectReader(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {}

  std::string field(std::string_view key) const {
    return where_.empty() ? std::string(key) : where_ + "." + std::string(key);
  }

  // nullptr when absent (and not required).
  StatusOr<const json*> member(std::string_view key, bool required) {
    seen_.insert(std::string(key));
    auto it = obj_.find(key);
    if (it == obj_.end() || (!required && it->is_null())) {
      if (required) return field_error(field(key), "is missing");
      return static_cast<const json*>(nullptr);
    }
    return &*it;
  }

  StatusOr<std::string> string(std::string_view key, bool required = true) {
    MPCC_ASSIGN_OR_RETURN(const json* v, member(key, required));
    if (v == nullptr) return std::string();
    if (!v->is_string()) return field_error(field(key), "must be a string");
    return v->get<std::string>();
  }

  StatusOr<std::string> name(std::string_view key, const std::regex& pattern,
                             std::string_view pattern_text, bool required = true) {
    MPCC_ASSIGN_OR_RETURN(std::string s, string(key, required));
    if ((required || !s.empty()) && !std::regex_match(s, pattern)) {
      return field_error(field(key), fmt::format("\"{}\" must match {}", s, pattern_text));
    }
    return s;
  }

  Status no_unknown_members() const {
    for (const auto& item : obj_.items()) {
      if (!seen_.count(item.key())) return field_error(field(item.key()), "unknown member");
    }
    return ok_status();
  }

 private:
  const json& obj_;
  std::string where_;
  std::set<std::string> seen_;
};

const std::regex& simple_name() {
  static const std::regex kPattern("[a-z0-9-]{1,63}");
  return kPattern;
}
constexpr std::string_view kSimpleName = "[a-z0-9-]{1,63}";

const std::regex& key_name() {
  static const std::regex kPattern("[0-9a-zA-Z-]{1,127}");
  return kPattern;
}
constexpr std::string_view kKeyName = "[0-9a-zA-Z-]{1,127}";

StatusOr<PartyRole> parse_role(const std::string& s, const std::string& field) {
  for (PartyRole r : {PartyRole::kOwner, PartyRole::kAnalyst, PartyRole::kObserver}) {
    if (s == role_name(r)) return r;
  }
  return field_error(field, fmt::format("unknown role \"{}\" (owner, analyst, observer)", s));
}

StatusOr<PartySku> parse_sku(const std::string& s, const std::string& field) {
  for (PartySku k : {PartySku::kConfidential, PartySku::kStandard}) {
    if (s == sku_name(k)) return k;
  }
  return field_error(field, fmt::format("unknown sku \"{}\" (confidential, standard)", s));
}

// The branding members, their defaults and their pattern.
struct BrandingMember {
  const char* name;
  const char* pattern;
};
constexpr BrandingMember kBrandingMembers[] = {
    {"title", ".{1,80}"},          {"subtitle", ".{0,120}"},     {"icon", ".{0,16}"},
    {"header_from", "#[0-9a-fA-F]{6}"}, {"header_to", "#[0-9a-fA-F]{6}"},
    {"body_from", "#[0-9a-fA-F]{6}"},   {"body_to", "#[0-9a-fA-F]{6}"},
    {"favicon_letter", "[A-Za-z0-9]"},  {"favicon_color", "#[0-9a-fA-F]{6}"},
    {"theme", "[a-z0-9-]{1,32}"},
};

StatusOr<json> parse_branding(const json* given, const std::string& where, const PartySpec& p) {
  json out = {{"title", p.display_name},
              {"subtitle", ""},
              {"icon", ""},
              {"header_from", "#0078d4"},
              {"header_to", "#005a9e"},
              {"body_from", "#667eea"},
              {"body_to", "#764ba2"},
              {"favicon_letter", p.display_name.substr(0, 1)},
              {"favicon_color", "#0078d4"},
              {"theme", p.name}};
  if (given == nullptr) return out;
  if (!given->is_object()) return field_error(where, "must be an object");
  ObjectReader r(*given, where);
  for (const BrandingMember& m : kBrandingMembers) {
    MPCC_ASSIGN_OR_RETURN(const json* v, r.member(m.name, /*required=*/false));
    if (v == nullptr) continue;
    if (!v->is_string() || !std::regex_match(v->get<std::string>(), std::regex(m.pattern))) {
      return field_error(r.field(m.name), fmt::format("must be a string matching {}", m.pattern));
    }
    out[m.name] = *v;
  }
  MPCC_RETURN_IF_ERROR(r.no_unknown_members());
  return out;
}

StatusOr<PartySpec> parse_party(const json& j, const std::string& where, const fs::path& base_dir) {
  if (!j.is_object()) return field_error(where, "must be an object");
  ObjectReader r(j, where);
  PartySpec p;
  MPCC_ASSIGN_OR_RETURN(p.name, r.name("name", simple_name(), kSimpleName));
  MPCC_ASSIGN_OR_RETURN(p.display_name, r.string("display_name"));
  if (p.display_name.empty()) return field_error(r.field("display_name"), "must not be empty");
  MPCC_ASSIGN_OR_RETURN(std::string role, r.string("role"));
  MPCC_ASSIGN_OR_RETURN(p.role, parse_role(role, r.field("role")));
  MPCC_ASSIGN_OR_RETURN(std::string sku, r.string("sku"));
  MPCC_ASSIGN_OR_RETURN(p.sku, parse_sku(sku, r.field("sku")));
  MPCC_ASSIGN_OR_RETURN(p.identity, r.name("identity", simple_name(), kSimpleName));
  if (p.identity == kDeployerIdentity) {
    return field_error(r.field("identity"), "\"deployer\" is the operator's identity");
  }
  if (p.identity.size() > 6 && p.identity.ends_with("-admin")) {
    return field_error(r.field("identity"), "names ending in -admin are owners' administrators");
  }
  MPCC_ASSIGN_OR_RETURN(p.vault, r.name("vault", simple_name(), kSimpleName));
  MPCC_ASSIGN_OR_RETURN(p.key, r.name("key", key_name(), kKeyName));
  MPCC_ASSIGN_OR_RETURN(std::string csv, r.string("csv", /*required=*/false));
  if (!csv.empty()) p.csv = (base_dir / csv).lexically_normal();
  MPCC_ASSIGN_OR_RETURN(p.other_company,
                        r.name("other_company", simple_name(), kSimpleName, /*required=*/false));
  MPCC_ASSIGN_OR_RETURN(const json* partners, r.member("partners", /*required=*/false));
  if (partners != nullptr) {
    if (!partners->is_array()) return field_error(r.field("partners"), "must be an array");
    for (std::size_t i = 0; i < partners->size(); ++i) {
      const std::string field = fmt::format("{}[{}]", r.field("partners"), i);
      const json& v = (*partners)[i];
      if (!v.is_string()) return field_error(field, "must be a string");
      p.partners.push_back(v.get<std::string>());
    }
  }
  MPCC_ASSIGN_OR_RETURN(const json* branding, r.member("branding", /*required=*/false));
  MPCC_ASSIGN_OR_RETURN(p.branding, parse_branding(branding, r.field("branding"), p));
  MPCC_RETURN_IF_ERROR(r.no_unknown_members());
  if (p.role != PartyRole::kOwner && (!p.csv.empty() || !p.other_company.empty())) {
    return field_error(r.field(p.csv.empty() ? "other_company" : "csv"),
                       fmt::format("only an owner has one ({} is {})", p.name, role));
  }
  if (p.role != PartyRole::kAnalyst && !p.partners.empty()) {
    return field_error(r.field("partners"),
                       fmt::format("only an analyst has partners ({} is {})", p.name, role));
  }
  if (p.role == PartyRole::kAnalyst && p.partners.empty()) {
    return field_error(r.field("partners"), "an analyst needs at least one partner");
  }
  if (p.holds_key() && !p.confidential()) {
    return field_error(r.field("sku"),
                       fmt::format("an {} must be confidential: its key is released only to its "
                                   "attested code (host_data)",
                                   role));
  }
  return p;
}

// Cross-party rules: names unique, vaults and partners consistent.
Status check_references(const DeploymentFile& f) {
  std::set<std::string> names;
  std::map<std::string, std::string> holder_of_vault;
  for (std::size_t i = 0; i < f.parties.size(); ++i) {
    const PartySpec& p = f.parties[i];
    const std::string where = fmt::format("parties[{}]", i);
    if (!names.insert(p.name).second) {
      return field_error(where + ".name", fmt::format("duplicate party name \"{}\"", p.name));
    }
    if (!p.holds_key()) continue;
    auto [it, fresh] = holder_of_vault.emplace(p.vault, p.name);
    if (!fresh) {
      return field_error(where + ".vault", fmt::format("vault \"{}\" already holds the key of {}",
                                                       p.vault, it->second));
    }
  }
  for (std::size_t i = 0; i < f.parties.size(); ++i) {
    const PartySpec& p = f.parties[i];
    const std::string where = fmt::format("parties[{}]", i);
    for (std::size_t k = 0; k < p.partners.size(); ++k) {
      const PartySpec* partner = f.find(p.partners[k]);
      if (partner == nullptr || partner->role != PartyRole::kOwner) {
        return field_error(fmt::format("{}.partners[{}]", where, k),
                           fmt::format("\"{}\" is not an owner party", p.partners[k]));
      }
      if (std::count(p.partners.begin(), p.partners.end(), p.partners[k]) > 1) {
        return field_error(fmt::format("{}.partners[{}]", where, k),
                           fmt::format("\"{}\" is listed twice", p.partners[k]));
      }
    }
    if (!p.other_company.empty()) {
      const PartySpec* other = f.find(p.other_company);
      if (other == nullptr || other->role != PartyRole::kOwner || other == &p) {
        return field_error(where + ".other_company",
                           fmt::format("\"{}\" is not another owner party", p.other_company));
      }
    }
    if (!p.holds_key()) {
      const PartySpec* holder = f.key_holder(p.vault);
      if (holder == nullptr || holder->key != p.key) {
        return field_error(
            where + ".key",
            fmt::format("no owner or analyst holds key \"{}\" in vault \"{}\"", p.key, p.vault));
      }
    }
  }
  return ok_status();
}

}  // namespace

std::string_view role_name(PartyRole role) {
  switch (role) {
    case PartyRole::kOwner:
      return "owner";
    case PartyRole::kAnalyst:
      return "analyst";
    case PartyRole::kObserver:
      return "observer";
  }
  return "?";
}

std::string_view sku_name(PartySku sku) {
  return sku == PartySku::kConfidential ? "confidential" : "standard";
}

const PartySpec* DeploymentFile::find(std::string_view name) const {
  for (const PartySpec& p : parties) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const PartySpec* DeploymentFile::key_holder(std::string_view vault) const {
  for (const PartySpec& p : parties) {
    if (p.holds_key() && p.vault == vault) return &p;
  }
  return nullptr;
}

std::vector<std::string> DeploymentFile::identities() const {
  std::vector<std::string> out = {kDeployerIdentity};
  for (const PartySpec& p : parties) {
    if (std::find(out.begin(), out.end(), p.identity) == out.end()) out.push_back(p.identity);
  }
  for (const PartySpec& p : parties) {
    if (p.role == PartyRole::kOwner && !analysts_of(p.name).empty()) {
      out.push_back(admin_identity(p));
    }
  }
  return out;
}

std::string admin_identity(const PartySpec& owner) { return owner.name + "-admin"; }

std::vector<std::string> DeploymentFile::vaults() const {
  std::vector<std::string> out;
  for (const PartySpec& p : parties) {
    if (p.holds_key() && std::find(out.begin(), out.end(), p.vault) == out.end()) {
      out.push_back(p.vault);
    }
  }
  return out;
}

std::vector<const PartySpec*> DeploymentFile::analysts_of(std::string_view owner) const {
  std::vector<const PartySpec*> out;
  for (const PartySpec& p : parties) {
    if (p.role == PartyRole::kAnalyst &&
        std::find(p.partners.begin(), p.partners.end(), owner) != p.partners.end()) {
      out.push_back(&p);
    }
  }
  return out;
}

std::vector<AccessGrant> DeploymentFile::access_grants(std::string_view vault) const {
  std::vector<AccessGrant> grants = {{kDeployerIdentity, {"all"}}};
  const PartySpec* holder = key_holder(vault);
  if (holder == nullptr) return grants;
  grants.push_back({holder->identity, {"get", "list", "release"}});
  // The owner's administrator (not its workload identity, which the Snooper
  // also runs with): reads and updates the key's release policy, to withdraw
  // and restore its analysts' entries (the page's revoke button).
  if (holder->role == PartyRole::kOwner && !analysts_of(holder->name).empty()) {
    grants.push_back({admin_identity(*holder), {"get", "update"}});
  }
  for (const PartySpec* analyst : analysts_of(holder->name)) {
    grants.push_back({analyst->identity, {"get", "release"}});
  }
  return grants;
}

StatusOr<DeploymentFile> parse_deployment_file(const json& j, const fs::path& base_dir) {
  if (!j.is_object()) return invalid_argument("deployment file: not a JSON object");
  ObjectReader r(j, "");
  DeploymentFile f;
  MPCC_ASSIGN_OR_RETURN(const json* parties, r.member("parties", /*required=*/true));
  if (!parties->is_array() || parties->empty()) {
    return field_error("parties", "must be a non-empty array");
  }
  for (std::size_t i = 0; i < parties->size(); ++i) {
    MPCC_ASSIGN_OR_RETURN(PartySpec p,
                          parse_party((*parties)[i], fmt::format("parties[{}]", i), base_dir));
    f.parties.push_back(std::move(p));
  }
  MPCC_RETURN_IF_ERROR(check_references(f));

  MPCC_ASSIGN_OR_RETURN(const json* storage, r.member("storage", /*required=*/false));
  if (storage != nullptr) {
    if (!storage->is_object()) return field_error("storage", "must be an object");
    ObjectReader s(*storage, "storage");
    MPCC_ASSIGN_OR_RETURN(f.storage_type, s.string("type"));
    if (f.storage_type != "directory") {
      return field_error("storage.type",
                         fmt::format("unknown storage \"{}\" (directory)", f.storage_type));
    }
    MPCC_RETURN_IF_ERROR(s.no_unknown_members());
  }
  MPCC_ASSIGN_OR_RETURN(std::string container, r.string("container", /*required=*/false));
  if (!container.empty()) f.container = container;
  MPCC_ASSIGN_OR_RETURN(const json* analysis, r.member("analysis", /*required=*/false));
  if (analysis != nullptr) {
    if (!analysis->is_object()) return field_error("analysis", "must be an object");
    ObjectReader a(*analysis, "analysis");
    MPCC_ASSIGN_OR_RETURN(const json* min, a.member("min_group_size", /*required=*/true));
    if (!min->is_number_integer() || min->get<int64_t>() < 1 || min->get<int64_t>() > 1000000) {
      return field_error("analysis.min_group_size", "must be an integer from 1 to 1000000");
    }
    f.min_group_size = min->get<int>();
    MPCC_RETURN_IF_ERROR(a.no_unknown_members());
  }
  MPCC_RETURN_IF_ERROR(r.no_unknown_members());
  return f;
}

StatusOr<DeploymentFile> read_deployment_file(const fs::path& path) {
  MPCC_ASSIGN_OR_RETURN(std::string text, read_text_file(path, kMaxDeploymentFile));
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument(path.string() + ": not JSON");
  const fs::path base = fs::absolute(path).parent_path();
  StatusOr<DeploymentFile> f = parse_deployment_file(j, base);
  if (!f.ok()) return f.status().with_context(path.string());
  return f;
}

fs::path embedded_deployment_dir() { return fs::path(kEmbeddedDeploymentDir); }

StatusOr<DeploymentFile> embedded_deployment_file() {
  json j = json::parse(kEmbeddedDeploymentFile, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return internal_error("the embedded deployment file is not JSON");
  StatusOr<DeploymentFile> f = parse_deployment_file(j, embedded_deployment_dir());
  if (!f.ok()) return f.status().with_context("embedded deploy/local.json");
  return f;
}

Status check_files(const DeploymentFile& file) {
  for (const PartySpec& p : file.parties) {
    if (p.csv.empty()) continue;
    std::error_code ec;
    if (!fs::is_regular_file(p.csv, ec)) {
      return failed_precondition(fmt::format(
          "deployment file: csv of party {}: {} is missing (the embedded deployment file refers "
          "to the source tree's {}; give --deployment-file FILE with csv paths relative to it)",
          p.name, p.csv.string(), embedded_deployment_dir().string()));
    }
  }
  return ok_status();
}

json deployment_file_to_json(const DeploymentFile& file) {
  json parties = json::array();
  for (const PartySpec& p : file.parties) {
    json j = {{"name", p.name},
              {"display_name", p.display_name},
              {"role", role_name(p.role)},
              {"sku", sku_name(p.sku)},
              {"identity", p.identity},
              {"vault", p.vault},
              {"key", p.key}};
    if (!p.csv.empty()) j["csv"] = p.csv.string();
    if (!p.other_company.empty()) j["other_company"] = p.other_company;
    if (!p.partners.empty()) j["partners"] = p.partners;
    j["branding"] = p.branding;
    parties.push_back(std::move(j));
  }
  return {{"parties", parties},
          {"storage", {{"type", file.storage_type}}},
          {"container", file.container},
          {"analysis", {{"min_group_size", file.min_group_size}}}};
}

}  // namespace mpcc::deploy
