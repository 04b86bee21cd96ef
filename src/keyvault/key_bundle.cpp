#include "keyvault/key_bundle.h"

#include <algorithm>
#include <limits>

#include "crypto/encoding.h"
#include "keyvault/release_policy.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxTags = 15;          // Azure's limit
constexpr std::size_t kMaxTagNameBytes = 512;
constexpr std::size_t kMaxTagValueBytes = 256;
constexpr std::size_t kMaxNonceBytes = 1024;
constexpr std::size_t kMaxTargetBytes = 64 * 1024;

Status bad(const std::string& what) { return invalid_argument(what); }

StatusOr<bool> get_bool(const json& obj, const char* name, const std::string& where) {
  const json& v = obj.at(name);
  if (!v.is_boolean()) return bad(where + "." + name + " must be a boolean");
  return v.get<bool>();
}

// Integer seconds (the SDK sends integers; JSON numbers that are integral are fine).
StatusOr<std::optional<UnixSeconds>> get_time(const json& obj, const char* name,
                                              const std::string& where) {
  const json& v = obj.at(name);
  if (v.is_null()) return std::optional<UnixSeconds>();
  if (v.is_number_integer()) return std::optional<UnixSeconds>(v.get<int64_t>());
  if (v.is_number_unsigned() && v.get<uint64_t>() <= std::numeric_limits<int64_t>::max()) {
    return std::optional<UnixSeconds>(static_cast<int64_t>(v.get<uint64_t>()));
  }
  return bad(where + "." + name + " must be integer seconds since the epoch");
}

StatusOr<std::vector<std::string>> parse_key_ops(const json& v) {
  if (!v.is_array()) return bad("key_ops must be an array of strings");
  std::vector<std::string> out;
  for (const json& op : v) {
    if (!op.is_string()) return bad("key_ops must be an array of strings");
    const std::string& name = op.get_ref<const std::string&>();
    const auto& known = rsa_key_operations();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return bad("key_ops: \"" + name.substr(0, 64) +
                 "\" is not an operation of an RSA key (encrypt, decrypt, sign, verify, wrapKey, "
                 "unwrapKey)");
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

Status check_tags(const json& tags) {
  if (!tags.is_object()) return bad("tags must be an object of strings");
  if (tags.size() > kMaxTags) return bad("tags: at most 15 tags");
  for (auto it = tags.begin(); it != tags.end(); ++it) {
    if (!it.value().is_string()) return bad("tags: the value of \"" + it.key() + "\" is not a string");
    if (it.key().empty() || it.key().size() > kMaxTagNameBytes ||
        it.value().get_ref<const std::string&>().size() > kMaxTagValueBytes) {
      return bad("tags: names are 1-512 bytes, values at most 256");
    }
  }
  return ok_status();
}

StatusOr<StoredReleasePolicy> parse_stored_policy(const json& v) {
  if (!v.is_object()) return bad("release_policy must be an object");
  StoredReleasePolicy p;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();
    if (k == "contentType") {
      if (!it.value().is_string()) return bad("release_policy.contentType must be a string");
      p.content_type = it.value().get<std::string>();
      std::string lower = p.content_type;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower.rfind("application/json", 0) != 0) {
        return bad("release_policy.contentType \"" + p.content_type.substr(0, 64) +
                   "\" is not supported (application/json; charset=utf-8)");
      }
    } else if (k == "data") {
      if (!it.value().is_string()) return bad("release_policy.data must be a base64url string");
      p.data = it.value().get<std::string>();
    } else if (k == "immutable") {
      if (!it.value().is_boolean()) return bad("release_policy.immutable must be a boolean");
      p.immutable = it.value().get<bool>();
    } else {
      return bad("release_policy: unknown member \"" + k.substr(0, 64) + "\"");
    }
  }
  if (p.data.empty()) return bad("release_policy.data is required");
  // The policy must parse now: a key whose policy can never be evaluated
  // would be a key nobody can release, discovered only at release time.
  auto parsed = ReleasePolicy::from_encoded(p.data);
  if (!parsed.ok()) return bad("release_policy: " + parsed.status().message());
  return p;
}

// The members of "attributes" a client may set; each present only when sent.
struct AttributeChanges {
  std::optional<bool> enabled, exportable;
  std::optional<std::optional<UnixSeconds>> not_before, expires;  // inner nullopt: null
};

StatusOr<AttributeChanges> parse_attributes(const json& body) {
  AttributeChanges c;
  if (!body.contains("attributes")) return c;
  const json& a = body["attributes"];
  if (!a.is_object()) return bad("attributes must be an object");
  if (a.contains("enabled")) {
    MPCC_ASSIGN_OR_RETURN(c.enabled, get_bool(a, "enabled", "attributes"));
  }
  if (a.contains("exportable")) {
    MPCC_ASSIGN_OR_RETURN(c.exportable, get_bool(a, "exportable", "attributes"));
  }
  if (a.contains("nbf")) {
    MPCC_ASSIGN_OR_RETURN(c.not_before, get_time(a, "nbf", "attributes"));
  }
  if (a.contains("exp")) {
    MPCC_ASSIGN_OR_RETURN(c.expires, get_time(a, "exp", "attributes"));
  }
  return c;
}

StatusOr<json> require_object(const json& body, const char* what) {
  if (!body.is_object()) return bad(std::string(what) + ": the body must be a JSON object");
  return body;
}

}  // namespace

const std::vector<std::string>& rsa_key_operations() {
  static const std::vector<std::string> ops = {"encrypt", "decrypt", "sign",
                                               "verify",  "wrapKey", "unwrapKey"};
  return ops;
}

StatusOr<CreateKeyRequest> parse_create_request(const json& body) {
  MPCC_RETURN_IF_ERROR(require_object(body, "create key").status());
  CreateKeyRequest r;
  if (!body.contains("kty") || !body["kty"].is_string()) {
    return bad("kty is required (RSA-HSM or RSA)");
  }
  r.kty = body["kty"].get<std::string>();
  if (r.kty != "RSA-HSM" && r.kty != "RSA") {
    return bad("kty \"" + r.kty.substr(0, 32) +
               "\" is not supported by this vault (supported: RSA-HSM, RSA)");
  }
  if (body.contains("key_size")) {
    const json& s = body["key_size"];
    if (!s.is_number_integer() ||
        (s.get<int64_t>() != 2048 && s.get<int64_t>() != 3072 && s.get<int64_t>() != 4096)) {
      return bad("key_size must be 2048, 3072 or 4096 for an RSA key");
    }
    r.key_size = static_cast<std::size_t>(s.get<int64_t>());
  }
  if (body.contains("public_exponent")) {
    const json& e = body["public_exponent"];
    if (!e.is_number_integer() || e.get<int64_t>() != 65537) {
      return bad("public_exponent must be 65537");
    }
  }
  if (body.contains("crv")) return bad("crv applies to EC keys only");
  r.key_ops = rsa_key_operations();
  if (body.contains("key_ops")) {
    MPCC_ASSIGN_OR_RETURN(r.key_ops, parse_key_ops(body["key_ops"]));
  }
  MPCC_ASSIGN_OR_RETURN(AttributeChanges attributes, parse_attributes(body));
  if (attributes.enabled) r.enabled = *attributes.enabled;
  if (attributes.exportable) r.exportable = *attributes.exportable;
  if (attributes.not_before) r.not_before = *attributes.not_before;
  if (attributes.expires) r.expires = *attributes.expires;
  if (r.not_before && r.expires && *r.expires <= *r.not_before) {
    return bad("attributes: exp must be after nbf");
  }
  if (body.contains("tags") && !body["tags"].is_null()) {
    MPCC_RETURN_IF_ERROR(check_tags(body["tags"]));
    r.tags = body["tags"];
  }
  if (body.contains("release_policy") && !body["release_policy"].is_null()) {
    MPCC_ASSIGN_OR_RETURN(r.release_policy, parse_stored_policy(body["release_policy"]));
  }
  if (r.exportable && !r.release_policy) {
    return bad("an exportable key needs a release_policy");
  }
  if (r.exportable && r.kty != "RSA-HSM") {
    return bad("an exportable key must be an HSM key (kty RSA-HSM)");
  }
  if (r.release_policy && !r.exportable) {
    return bad("a release_policy needs attributes.exportable = true");
  }
  return r;
}

StatusOr<UpdateKeyRequest> parse_update_request(const json& body) {
  MPCC_RETURN_IF_ERROR(require_object(body, "update key").status());
  UpdateKeyRequest r;
  if (body.contains("key_ops")) {
    MPCC_ASSIGN_OR_RETURN(r.key_ops, parse_key_ops(body["key_ops"]));
  }
  MPCC_ASSIGN_OR_RETURN(AttributeChanges attributes, parse_attributes(body));
  if (attributes.enabled) r.enabled = *attributes.enabled;
  if (attributes.exportable) r.exportable = *attributes.exportable;
  if (attributes.not_before) r.not_before = *attributes.not_before;
  if (attributes.expires) r.expires = *attributes.expires;
  if (body.contains("tags")) {
    json tags = body["tags"].is_null() ? json::object() : body["tags"];
    MPCC_RETURN_IF_ERROR(check_tags(tags));
    r.tags = std::move(tags);
  }
  if (body.contains("release_policy") && !body["release_policy"].is_null()) {
    MPCC_ASSIGN_OR_RETURN(r.release_policy, parse_stored_policy(body["release_policy"]));
  }
  return r;
}

StatusOr<ReleaseRequest> parse_release_request(const json& body) {
  MPCC_RETURN_IF_ERROR(require_object(body, "release").status());
  ReleaseRequest r;
  if (!body.contains("target") || !body["target"].is_string() ||
      body["target"].get_ref<const std::string&>().empty()) {
    return bad("target is required: the attestation token (a JWT) as a string");
  }
  r.target = body["target"].get<std::string>();
  if (r.target.size() > kMaxTargetBytes) return bad("target: the token is larger than 64 KiB");
  if (body.contains("nonce") && !body["nonce"].is_null()) {
    if (!body["nonce"].is_string()) return bad("nonce must be a string");
    r.nonce = body["nonce"].get<std::string>();
    if (r.nonce->size() > kMaxNonceBytes) return bad("nonce: longer than 1024 bytes");
  }
  if (body.contains("enc") && !body["enc"].is_null()) {
    if (!body["enc"].is_string()) return bad("enc must be a string");
    auto alg = crypto::rsa_aes_wrap_from_name(body["enc"].get<std::string>());
    if (!alg.ok()) {
      return bad("enc \"" + body["enc"].get<std::string>().substr(0, 64) +
                 "\" is not supported (CKM_RSA_AES_KEY_WRAP, RSA_AES_KEY_WRAP_256, "
                 "RSA_AES_KEY_WRAP_384)");
    }
    r.enc = *alg;
  }
  return r;
}

std::string key_base_id(const std::string& origin, const std::string& name) {
  return origin + "/keys/" + name;
}

std::string key_id(const std::string& origin, const KeyRecord& record) {
  return key_base_id(origin, record.name) + "/" + record.version;
}

json attributes_json(const KeyAttributes& a) {
  json j = {{"enabled", a.enabled},
            {"created", a.created},
            {"updated", a.updated},
            {"recoveryLevel", "Purgeable"},
            {"exportable", a.exportable}};
  if (a.not_before) j["nbf"] = *a.not_before;
  if (a.expires) j["exp"] = *a.expires;
  return j;
}

json release_policy_json(const StoredReleasePolicy& p) {
  return {{"contentType", p.content_type}, {"data", p.data}, {"immutable", p.immutable}};
}

StatusOr<json> key_json(const std::string& origin, const KeyRecord& record,
                        const crypto::PublicKey& public_key) {
  MPCC_ASSIGN_OR_RETURN(crypto::RsaPublicComponents c, public_key.rsa());
  return json{{"kid", key_id(origin, record)},
              {"kty", record.kty},
              {"key_ops", record.key_ops},
              {"n", crypto::base64url_encode(c.n)},
              {"e", crypto::base64url_encode(c.e)}};
}

StatusOr<json> key_bundle(const std::string& origin, const KeyRecord& record,
                          const crypto::PublicKey& public_key) {
  MPCC_ASSIGN_OR_RETURN(json key, key_json(origin, record, public_key));
  json j = {{"key", std::move(key)}, {"attributes", attributes_json(record.attributes)}};
  if (!record.tags.empty()) j["tags"] = record.tags;
  if (record.release_policy) j["release_policy"] = release_policy_json(*record.release_policy);
  return j;
}

json key_item(const std::string& origin, const KeyRecord& record, bool versioned) {
  json j = {{"kid", versioned ? key_id(origin, record) : key_base_id(origin, record.name)},
            {"attributes", attributes_json(record.attributes)}};
  if (!record.tags.empty()) j["tags"] = record.tags;
  return j;
}

}  // namespace mpcc::keyvault
