#include "keyvault/vault.h"

#include <spdlog/spdlog.h>

#include "common/bytes.h"
#include "crypto/random.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;

constexpr const char* kLayerAccess = "access_policy";
constexpr const char* kLayerToken = "attestation_token";
constexpr const char* kLayerPolicy = "release_policy";
constexpr const char* kLayerKey = "key";

Refusal refusal(Status s, std::string layer = {}) { return Refusal{std::move(s), std::move(layer), {}}; }

// The key's own refusals: enabled and within nbf/exp.
std::optional<Status> key_unusable(const KeyRecord& r, UnixSeconds now) {
  const std::string id = r.name + "/" + r.version;
  if (!r.attributes.enabled) return permission_denied("key: " + id + " is disabled");
  if (r.attributes.not_before && now < *r.attributes.not_before) {
    return permission_denied("key: " + id + " is not valid before " +
                             format_rfc3339(*r.attributes.not_before));
  }
  if (r.attributes.expires && now >= *r.attributes.expires) {
    return permission_denied("key: " + id + " expired at " + format_rfc3339(*r.attributes.expires));
  }
  return std::nullopt;
}

}  // namespace

std::string new_key_version() { return hex_encode(crypto::random_bytes(16)); }

StatusOr<std::unique_ptr<KeyVault>> KeyVault::create(VaultOptions options) {
  if (options.name.empty()) return invalid_argument("vault: a name is required");
  if (!options.keys || !options.registry || !options.audit || !options.attestation_issuers ||
      !options.signer) {
    return invalid_argument("vault: key store, registry, audit log, issuer keys and signer are required");
  }
  if (!options.clock) options.clock = system_clock();
  return std::unique_ptr<KeyVault>(new KeyVault(std::move(options)));
}

KeyVault::KeyVault(VaultOptions options) : options_(std::move(options)) {}

void KeyVault::audit(const Caller& caller, const std::string& action, const std::string& name,
                     const std::string& version, const std::string& token_digest,
                     AuditDecision decision, json reasons) {
  AuditEntry e;
  e.actor = caller.object_id.empty() ? "unauthenticated" : caller.object_id;
  e.action = action;
  e.vault = options_.name;
  e.key_name = name;
  e.key_version = version;
  e.token_digest = token_digest;
  e.decision = decision;
  e.reasons = std::move(reasons);
  auto r = options_.audit->append(e);
  if (!r.ok()) {
    // The operation already happened; losing its record is loud, never silent.
    spdlog::error("vault {}: AUDIT RECORD LOST for {} {}: {}", options_.name, action, name,
                  r.status().message());
  }
}

Refusal KeyVault::deny(const Caller& caller, const std::string& action, const std::string& name,
                       const std::string& version, const std::string& token_digest,
                       Refusal r) {
  json reasons = json::array();
  if (!r.layer.empty()) reasons.push_back("layer: " + r.layer);
  if (r.evaluation) {
    for (const std::string& line : r.evaluation->reasons()) reasons.push_back(line);
  } else {
    reasons.push_back(r.status.message());
  }
  const bool error = r.status.code() == StatusCode::kInternal ||
                     r.status.code() == StatusCode::kUnavailable ||
                     r.status.code() == StatusCode::kDataLoss;
  audit(caller, action, name, version, token_digest,
        error ? AuditDecision::kError : AuditDecision::kDeny, std::move(reasons));
  return r;
}

void KeyVault::audit_unauthenticated(const std::string& action, const std::string& name,
                                     const std::string& token_digest, const std::string& reason) {
  audit(Caller{}, action, name, "", token_digest, AuditDecision::kDeny,
        json::array({"layer: identity", reason}));
}

std::optional<Refusal> KeyVault::check_access(const Caller& caller, const std::string& permission,
                                              const std::string& action, const std::string& name,
                                              const std::string& token_digest) {
  const std::string& digest = token_digest.empty() ? caller.token_digest : token_digest;
  auto policy = options_.registry->access_policy(caller.object_id);
  if (!policy.ok()) return deny(caller, action, name, "", digest, refusal(policy.status()));
  if (!*policy || !(*policy)->allows(permission)) {
    std::string who = caller.object_id;
    if (!caller.client_id.empty()) who += " (client " + caller.client_id + ")";
    Status s = permission_denied(
        "access policy: the identity " + who + " has no '" + permission +
        "' permission for keys on vault " + options_.name +
        (*policy ? "" : " (it has no access policy on this vault)"));
    return deny(caller, action, name, "", digest, refusal(std::move(s), kLayerAccess));
  }
  return std::nullopt;
}

StatusOr<KeyRecord> KeyVault::find(const std::string& name, const std::string& version) const {
  MPCC_RETURN_IF_ERROR(check_key_name(name));
  if (version.empty()) return options_.registry->latest(name);
  if (!is_key_version(version)) {
    return not_found("A key with (name/id) " + name + "/" + version.substr(0, 64) +
                     " was not found in this key vault.");
  }
  return options_.registry->find(name, version);
}

StatusOr<json> KeyVault::bundle(const std::string& origin, const KeyRecord& record) const {
  MPCC_ASSIGN_OR_RETURN(hsm::KeyInfo info, options_.keys->get(record.hsm_id));
  return key_bundle(origin, record, info.public_key);
}

Outcome<json> KeyVault::create_key(const Caller& caller, const std::string& origin,
                                   const std::string& name, const CreateKeyRequest& request) {
  if (auto r = check_access(caller, "create", "create", name)) return *r;
  if (Status s = check_key_name(name); !s.ok()) return refusal(s);
  KeyRecord rec;
  rec.name = name;
  rec.version = new_key_version();
  rec.hsm_id = rec.version;
  rec.kty = request.kty;
  rec.key_size = request.key_size;
  rec.key_ops = request.key_ops;
  rec.attributes.enabled = request.enabled;
  rec.attributes.exportable = request.exportable;
  rec.attributes.not_before = request.not_before;
  rec.attributes.expires = request.expires;
  rec.attributes.created = rec.attributes.updated = options_.clock->now();
  rec.tags = request.tags;
  rec.release_policy = request.release_policy;

  // Token first, registry second (key_registry.h): a crash leaves at worst
  // an orphaned token object, never a record without key material.
  auto info = options_.keys->generate_rsa(
      rec.hsm_id, hsm::RsaKeySpec{.bits = request.key_size, .extractable = request.exportable});
  if (!info.ok()) return deny(caller, "create", name, rec.version, "", refusal(info.status()));
  // The audit record before the registry row (write-ahead; also for update
  // and delete): a crash between the two leaves at worst a record of a
  // version that never became usable, never a usable version without its
  // record. A failure after the record adds a deny record of the same version.
  json reasons = json::array({"kty " + rec.kty + ", " + std::to_string(rec.key_size) + " bits" +
                              (rec.attributes.exportable ? ", exportable" : "")});
  audit(caller, "create", name, rec.version, "", AuditDecision::kAllow, std::move(reasons));
  if (Status s = options_.registry->insert(rec); !s.ok()) {
    (void)options_.keys->destroy(rec.hsm_id);
    return deny(caller, "create", name, rec.version, "", refusal(s));
  }
  auto out = key_bundle(origin, rec, info->public_key);
  if (!out.ok()) return refusal(out.status());
  return *out;
}

Outcome<json> KeyVault::get_key(const Caller& caller, const std::string& origin,
                                const std::string& name, const std::string& version) {
  if (auto r = check_access(caller, "get", "get", name)) return *r;
  auto rec = find(name, version);
  if (!rec.ok()) return refusal(rec.status());
  auto out = bundle(origin, *rec);
  if (!out.ok()) return refusal(out.status());
  return *out;
}

Outcome<json> KeyVault::list_keys(const Caller& caller, const std::string& origin) {
  if (auto r = check_access(caller, "list", "list", "")) return *r;
  auto recs = options_.registry->list_latest();
  if (!recs.ok()) return refusal(recs.status());
  json items = json::array();
  for (const KeyRecord& r : *recs) items.push_back(key_item(origin, r, /*versioned=*/false));
  return json{{"value", std::move(items)}, {"nextLink", nullptr}};
}

Outcome<json> KeyVault::list_versions(const Caller& caller, const std::string& origin,
                                      const std::string& name) {
  if (auto r = check_access(caller, "list", "list", name)) return *r;
  if (Status s = check_key_name(name); !s.ok()) return refusal(s);
  auto recs = options_.registry->versions(name);
  if (!recs.ok()) return refusal(recs.status());
  json items = json::array();
  for (const KeyRecord& r : *recs) items.push_back(key_item(origin, r, /*versioned=*/true));
  return json{{"value", std::move(items)}, {"nextLink", nullptr}};
}

Outcome<json> KeyVault::update_key(const Caller& caller, const std::string& origin,
                                   const std::string& name, const std::string& version,
                                   const UpdateKeyRequest& request) {
  if (auto r = check_access(caller, "update", "update", name)) return *r;
  auto found = find(name, version);
  if (!found.ok()) return refusal(found.status());
  KeyRecord rec = *found;
  if (request.exportable && *request.exportable != rec.attributes.exportable) {
    return deny(caller, "update", name, rec.version, "",
                refusal(invalid_argument("attributes.exportable cannot be changed after creation")));
  }
  if (request.release_policy) {
    if (!rec.attributes.exportable) {
      return deny(caller, "update", name, rec.version, "",
                  refusal(invalid_argument("a release_policy needs an exportable key")));
    }
    if (rec.release_policy && rec.release_policy->immutable) {
      return deny(caller, "update", name, rec.version, "",
                  refusal(permission_denied("key: the release policy of " + name + "/" +
                                            rec.version + " is immutable"),
                          kLayerKey));
    }
    rec.release_policy = request.release_policy;
  }
  if (request.key_ops) rec.key_ops = *request.key_ops;
  if (request.enabled) rec.attributes.enabled = *request.enabled;
  if (request.not_before) rec.attributes.not_before = *request.not_before;
  if (request.expires) rec.attributes.expires = *request.expires;
  if (request.tags) rec.tags = *request.tags;
  if (rec.attributes.not_before && rec.attributes.expires &&
      *rec.attributes.expires <= *rec.attributes.not_before) {
    return refusal(invalid_argument("attributes: exp must be after nbf"));
  }
  rec.attributes.updated = options_.clock->now();
  json reasons = json::array();
  if (request.release_policy) reasons.push_back("release policy replaced");
  audit(caller, "update", name, rec.version, "", AuditDecision::kAllow, std::move(reasons));
  if (Status s = options_.registry->update(rec); !s.ok()) {
    return deny(caller, "update", name, rec.version, "", refusal(s));
  }
  auto out = bundle(origin, rec);
  if (!out.ok()) return refusal(out.status());
  return *out;
}

Outcome<json> KeyVault::delete_key(const Caller& caller, const std::string& origin,
                                   const std::string& name) {
  if (auto r = check_access(caller, "delete", "delete", name)) return *r;
  auto latest = find(name, "");
  if (!latest.ok()) return refusal(latest.status());
  auto answer = bundle(origin, *latest);  // before the key material goes
  if (!answer.ok()) return refusal(answer.status());
  audit(caller, "delete", name, latest->version, "", AuditDecision::kAllow, json::array());
  auto removed = options_.registry->remove(name);
  if (!removed.ok()) return deny(caller, "delete", name, "", "", refusal(removed.status()));
  json leftovers = json::array();
  for (const KeyRecord& r : *removed) {
    Status s = options_.keys->destroy(r.hsm_id);
    if (!s.ok()) {
      spdlog::error("vault {}: key {}/{} removed but its HSM object remains: {}", options_.name,
                    r.name, r.version, s.message());
      leftovers.push_back("HSM object of " + r.version + " not destroyed: " + s.message());
    }
  }
  if (!leftovers.empty()) {
    audit(caller, "delete", name, latest->version, "", AuditDecision::kError, std::move(leftovers));
  }
  return *answer;
}

Outcome<json> KeyVault::release(const Caller& caller, const std::string& origin,
                                const std::string& name, const std::string& version,
                                const ReleaseRequest& request, const std::string& api_version) {
  const std::string digest = token_digest(request.target);
  if (auto r = check_access(caller, "release", "release", name, digest)) return *r;
  auto found = find(name, version);
  if (!found.ok()) return deny(caller, "release", name, version, digest, refusal(found.status()));
  const KeyRecord& rec = *found;
  auto fail = [&](Refusal r) { return deny(caller, "release", name, rec.version, digest, std::move(r)); };

  if (auto s = key_unusable(rec, options_.clock->now())) return fail(refusal(*s, kLayerKey));
  if (!rec.attributes.exportable || !rec.release_policy) {
    return fail(refusal(permission_denied("key: " + name + "/" + rec.version +
                                          " is not exportable: it has no release policy"),
                        kLayerKey));
  }
  auto policy = ReleasePolicy::from_encoded(rec.release_policy->data);
  if (!policy.ok()) {
    return fail(refusal(internal_error("stored release policy does not parse: " +
                                       policy.status().message())));
  }
  auto att = verify_attestation_token(request.target, *policy, *options_.attestation_issuers,
                                      options_.clock, options_.token_leeway_seconds);
  if (!att.ok()) {
    return fail(refusal(att.status(), att.status().code() == StatusCode::kPermissionDenied
                                          ? kLayerToken
                                          : std::string()));
  }
  Evaluation eval = policy->evaluate(att->claims, att->issuer);
  if (!eval.released()) {
    std::string why(eval.status().message());
    if (why.rfind("policy: ", 0) == 0) why.erase(0, 8);
    Refusal r = refusal(permission_denied("release policy: " + why), kLayerPolicy);
    r.evaluation = eval;
    return fail(std::move(r));
  }
  auto wrapped = options_.keys->export_wrapped(rec.hsm_id, att->wrapping_public, request.enc);
  if (!wrapped.ok()) {
    if (wrapped.status().code() == StatusCode::kFailedPrecondition) {
      return fail(refusal(permission_denied("key: " + wrapped.status().message()), kLayerKey));
    }
    return fail(refusal(wrapped.status()));
  }
  auto key_bundle_json = bundle(origin, rec);
  if (!key_bundle_json.ok()) return fail(refusal(key_bundle_json.status()));
  ReleasePayloadInput in;
  in.api_version = api_version;
  in.enc = request.enc;
  in.requested_kid = version.empty() ? key_base_id(origin, name) : key_id(origin, rec);
  in.nonce = request.nonce;
  in.key_bundle = std::move(*key_bundle_json);
  in.transfer_blob = transfer_blob(att->wrapping_key.kid(), request.enc, *wrapped);
  auto jws = options_.signer->sign(release_payload(in));
  if (!jws.ok()) return fail(refusal(jws.status()));
  audit(caller, "release", name, rec.version, digest, AuditDecision::kAllow,
        json::array({"released by " + eval.satisfied_by() + " (issuer " + att->issuer + ")",
                     "wrapped " + std::string(crypto::rsa_aes_wrap_name(request.enc)) +
                         " to runtime key " + att->wrapping_key.kid()}));
  return json{{"value", std::move(*jws)}};
}

}  // namespace mpcc::keyvault
