#include "identity/identity_registry.h"

#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace mpcc::identity {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFileName = "identities.json";

std::string random_uuid() {
  Bytes b = crypto::random_bytes(16);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string h = hex_encode(b);
  return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                     h.substr(16, 4), h.substr(20));
}

}  // namespace

StatusOr<std::unique_ptr<IdentityRegistry>> IdentityRegistry::open(const fs::path& dir) {
  std::unique_ptr<IdentityRegistry> reg(new IdentityRegistry(dir));
  const fs::path file = dir / kFileName;
  std::error_code ec;
  if (!fs::exists(file, ec)) return reg;
  MPCC_ASSIGN_OR_RETURN(std::string text, read_text_file(file));
  try {
    json doc = json::parse(text);
    for (const auto& e : doc.at("identities")) {
      Entry entry;
      entry.identity = {e.at("name").get<std::string>(), e.at("client_id").get<std::string>(),
                        e.at("object_id").get<std::string>()};
      auto digest = hex_decode(e.at("credential_sha256").get<std::string>());
      if (!digest.ok() || digest->size() != 32) throw std::runtime_error("bad credential digest");
      entry.credential_sha256 = *digest;
      reg->by_name_[entry.identity.name] = std::move(entry);
    }
  } catch (const std::exception& e) {
    return data_loss(fmt::format("{}: unreadable identity registry: {}", file.string(), e.what()));
  }
  return reg;
}

Status IdentityRegistry::save_locked() const {
  json list = json::array();
  for (const auto& [name, e] : by_name_) {
    list.push_back({{"name", name},
                    {"client_id", e.identity.client_id},
                    {"object_id", e.identity.object_id},
                    {"credential_sha256", hex_encode(e.credential_sha256)}});
  }
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return unavailable(fmt::format("{}: cannot create: {}", dir_.string(), ec.message()));
  return write_file_atomic(dir_ / kFileName, as_span(json{{"identities", list}}.dump(2)));
}

StatusOr<ProvisionedIdentity> IdentityRegistry::provision(const std::string& name) {
  static const std::regex kName("^[a-z0-9-]{1,63}$");
  if (!std::regex_match(name, kName)) {
    return invalid_argument(fmt::format("identity: name '{}' must match [a-z0-9-]{{1,63}}", name));
  }
  std::lock_guard lock(mu_);
  if (by_name_.count(name) != 0) {
    return already_exists(fmt::format("identity: '{}' is already provisioned", name));
  }
  ProvisionedIdentity out;
  out.identity = {name, random_uuid(), random_uuid()};
  SecureBytes secret = crypto::random_secret(32);
  out.credential = crypto::base64url_encode(ByteSpan(secret.data(), secret.size()));
  by_name_[name] = Entry{out.identity, crypto::sha256(as_span(out.credential))};
  Status saved = save_locked();
  if (!saved.ok()) {
    by_name_.erase(name);
    return saved;
  }
  return out;
}

StatusOr<Identity> IdentityRegistry::find_by_name(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return not_found(fmt::format("identity: no identity named '{}'", name));
  return it->second.identity;
}

StatusOr<Identity> IdentityRegistry::find_by_client_id(const std::string& client_id) const {
  std::lock_guard lock(mu_);
  for (const auto& [name, e] : by_name_) {
    if (e.identity.client_id == client_id) return e.identity;
  }
  return not_found(fmt::format("identity: no identity with client id '{}'", client_id));
}

std::vector<Identity> IdentityRegistry::list() const {
  std::lock_guard lock(mu_);
  std::vector<Identity> out;
  for (const auto& [name, e] : by_name_) out.push_back(e.identity);
  return out;
}

StatusOr<Identity> IdentityRegistry::authenticate(const std::optional<std::string>& client_id,
                                                  const std::string& credential) const {
  const Bytes digest = crypto::sha256(as_span(credential));
  std::lock_guard lock(mu_);
  for (const auto& [name, e] : by_name_) {
    if (!constant_time_equal(digest, e.credential_sha256)) continue;
    if (client_id && *client_id != e.identity.client_id) break;
    return e.identity;
  }
  return unauthenticated("identity: the credential does not prove the requested identity");
}

}  // namespace mpcc::identity
