// File: keyvault/issuer_keys.h
//
// Token signing keys of OpenID issuers, discovered the standard way:
//   GET <issuer>/.well-known/openid-configuration  -> {"jwks_uri": ..., "issuer"?: ...}
//   GET <jwks_uri>                                  -> {"keys": [JWK, ...]}
// as the key vault does for attestation tokens (MAA's /certs, spec 8.5) and
// for bearer tokens (the identity service's /keys).
//
// Rules (each refusal is a Status whose message starts "issuer keys: " and
// names the issuer URL):
// - the issuer must be an absolute https URL (http only when
//   `allow_http`) without query or fragment; one trailing '/' is dropped
//   before appending the well-known path (and the issuer is cached and named
//   in messages in that form); otherwise kInvalidArgument;
// - the metadata must be a JSON object with a string jwks_uri that is an
//   absolute URL with the same scheme; when the metadata names an "issuer"
//   it must be a string equal to the issuer asked for (modulo one trailing
//   '/');
// - the JWKS must parse as a JWK set (jose::JwkSet) of at most 100 entries;
//   keys without a kid are ignored, so are symmetric ("oct") keys, private
//   members are dropped, and a set left with no keys is an error;
// - responses other than 200, bodies that are not JSON, or transport failures
//   (including TLS verification failures and bodies over the client's
//   max_response_bytes) are kUnavailable (the caller may retry); malformed
//   documents (all the other refusals above) are kFailedPrecondition.
// Sets are cached per issuer for `cache_ttl_seconds`. A kid not in the
// cached set triggers one refetch, at most once per `min_refresh_seconds`
// per issuer (so a stream of tokens with made-up kids cannot make us hammer
// the issuer; only these refetches count, so the first may follow the
// initial fetch at once, and an expired set is always refetched); if the kid is still absent the answer is kNotFound
// "issuer keys: <issuer> has no key with kid \"...\"". A failed fetch is
// not cached: the next call tries again (one fetch at a time per issuer), and
// a failed refetch leaves the previously cached set in place.
//
// The issuer URL must come from configuration, never from an unverified
// token: every distinct issuer is a cache entry and an outgoing request.
//
// Thread-safety: all methods may be called concurrently. Fetches for one
// issuer are serialised; the cache mutex is not held during a fetch, so
// different issuers never wait for each other.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "http/client.h"
#include "jose/jwk.h"
#include "jose/jwt.h"

namespace mpcc::keyvault {

struct IssuerKeysOptions {
  http::ClientOptions client;  // CA file for the issuers' TLS certificates
  bool allow_http = false;
  int64_t cache_ttl_seconds = 300;
  int64_t min_refresh_seconds = 10;
  std::shared_ptr<const Clock> clock;  // null: the system clock
};

class IssuerKeys {
 public:
  // Throws std::logic_error if cache_ttl_seconds or min_refresh_seconds is negative.
  explicit IssuerKeys(IssuerKeysOptions options);

  // The key of `issuer` named `kid`. With no kid (nullopt) the set must
  // hold exactly one key (else kNotFound "... token has no kid and the
  // issuer has N keys").
  StatusOr<jose::Jwk> find(const std::string& issuer, const std::optional<std::string>& kid);

  // The whole (cached or freshly fetched) set; errors as find() except kNotFound.
  StatusOr<jose::JwkSet> key_set(const std::string& issuer);

  // A JwtKeyResolver for jose::JwtVerifier bound to `issuer` (as find()).
  // It refers to this object, which must outlive it.
  jose::JwtKeyResolver resolver(std::string issuer);

 private:
  struct Entry {
    std::optional<jose::JwkSet> keys;
    UnixSeconds fetched_at = 0;
    std::optional<UnixSeconds> kid_refresh_at;  // last refetch for an unknown kid
    std::shared_ptr<std::mutex> fetch_mu = std::make_shared<std::mutex>();
  };
  enum class Refresh { kIfStale, kUnknownKid };
  // The issuer without one trailing '/', after the checks above.
  StatusOr<std::string> normalise(const std::string& issuer) const;
  // The cached set of a normalised issuer, fetched when stale (kIfStale) or
  // refetched unless throttled (kUnknownKid).
  StatusOr<jose::JwkSet> load(const std::string& issuer, Refresh why);
  // Metadata then JWKS, no caching; `issuer` is normalised.
  StatusOr<jose::JwkSet> fetch(const std::string& issuer) const;

  IssuerKeysOptions options_;
  http::Client client_;
  std::mutex mu_;
  std::map<std::string, Entry> cache_;  // by normalised issuer
};

}  // namespace mpcc::keyvault
