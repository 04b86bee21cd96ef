// IssuerKeys against real issuers on 127.0.0.1: an http::Server over TLS (a
// certificate from a local CA in a TempDir, the client given that CA) or plain
// HTTP, serving configurable OpenID metadata and JWKS and counting requests.
#include "keyvault/issuer_keys.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/testing/temp_dir.h"
#include "crypto/keys.h"
#include "http/server.h"
#include "http/tls.h"
#include "jose/issuer_key.h"
#include "jose/jwk.h"
#include "jose/jwt.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;
using ::mpcc::testing::TempDir;

constexpr UnixSeconds kT0 = 1'750'000'000;

// A clock the test moves by hand (FixedClock is immutable).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixSeconds t) : t_(t) {}
  UnixSeconds now() const override { return t_.load(); }
  void advance(int64_t seconds) { t_ += seconds; }

 private:
  std::atomic<UnixSeconds> t_;
};

// One CA (trusted by the clients), a server certificate from it, and an
// unrelated CA, for the whole suite.
struct Pki {
  TempDir dir;
  http::LocalCaFiles ca;
  http::TlsFiles server;
  TempDir other_dir;
  http::LocalCaFiles other_ca;
  Pki()
      : ca(http::ensure_local_ca(dir.path()).value()),
        server(http::ensure_server_certificate(ca, dir.path(), "issuer", {"localhost"},
                                               {"127.0.0.1"})
                   .value()),
        other_ca(http::ensure_local_ca(other_dir.path()).value()) {}
};

const Pki& pki() {
  static const Pki* p = new Pki();
  return *p;
}

jose::Jwk ec_jwk(const std::string& kid) {
  crypto::PrivateKey key = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  jose::Jwk jwk = jose::Jwk::from_public_key(key.public_key()).value();
  jwk.set_kid(kid);
  return jwk;
}

// Keys made once (generation is the slow part).
const jose::Jwk& key_a() {
  static const jose::Jwk* k = new jose::Jwk(ec_jwk("kid-a"));
  return *k;
}
const jose::Jwk& key_b() {
  static const jose::Jwk* k = new jose::Jwk(ec_jwk("kid-b"));
  return *k;
}

json jwks_of(const std::vector<jose::Jwk>& keys) {
  json arr = json::array();
  for (const jose::Jwk& k : keys) arr.push_back(k.to_json());
  return json{{"keys", arr}};
}

// An OpenID issuer: GET /.well-known/openid-configuration and GET /keys.
// By default the metadata is {"issuer": base_url, "jwks_uri": base_url/keys}.
class FakeIssuer {
 public:
  explicit FakeIssuer(bool tls = true) : server_(server_options(tls)) {
    server_.route(http::Method::kGet, R"(/\.well-known/openid-configuration)",
                  [this](const http::Request&) { return metadata_reply(); });
    server_.route(http::Method::kGet, "/keys",
                  [this](const http::Request&) { return jwks_reply(); });
    Status started = server_.start();
    if (!started.ok()) throw std::runtime_error(started.to_string());
    jwks_ = jwks_of({key_a()});
  }

  std::string issuer() const { return server_.base_url(); }
  void stop() { server_.stop(); }

  void set_keys(const std::vector<jose::Jwk>& keys) { set_jwks(jwks_of(keys)); }
  void set_jwks(json jwks) {
    std::lock_guard lock(mu_);
    jwks_ = std::move(jwks);
    jwks_raw_.reset();
  }
  void set_jwks_raw(int status, std::string body) {
    std::lock_guard lock(mu_);
    jwks_raw_ = Raw{status, std::move(body)};
  }
  void set_metadata(json metadata) {
    std::lock_guard lock(mu_);
    metadata_ = std::move(metadata);
    metadata_raw_.reset();
  }
  void set_metadata_raw(int status, std::string body) {
    std::lock_guard lock(mu_);
    metadata_raw_ = Raw{status, std::move(body)};
  }
  void set_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mu_);
    delay_ = delay;
  }

  int metadata_hits() const { return metadata_hits_.load(); }
  int jwks_hits() const { return jwks_hits_.load(); }

 private:
  struct Raw {
    int status;
    std::string body;
  };

  static http::ServerOptions server_options(bool tls) {
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    if (tls) o.tls = pki().server;
    return o;
  }

  http::Response metadata_reply() {
    ++metadata_hits_;
    std::unique_lock lock(mu_);
    const std::chrono::milliseconds delay = delay_;
    std::optional<Raw> raw = metadata_raw_;
    json metadata = metadata_.value_or(
        json{{"issuer", issuer()}, {"jwks_uri", issuer() + "/keys"}});
    lock.unlock();
    std::this_thread::sleep_for(delay);
    if (raw) return http::Response::text(raw->status, raw->body);
    return http::Response::json(200, metadata);
  }

  http::Response jwks_reply() {
    ++jwks_hits_;
    std::lock_guard lock(mu_);
    if (jwks_raw_) return http::Response::text(jwks_raw_->status, jwks_raw_->body);
    return http::Response::json(200, jwks_);
  }

  http::Server server_;
  std::mutex mu_;
  std::optional<json> metadata_;
  std::optional<Raw> metadata_raw_;
  json jwks_;
  std::optional<Raw> jwks_raw_;
  std::chrono::milliseconds delay_{0};
  std::atomic<int> metadata_hits_{0};
  std::atomic<int> jwks_hits_{0};
};

class IssuerKeysTest : public ::testing::Test {
 protected:
  IssuerKeysOptions options() const {
    IssuerKeysOptions o;
    o.client.ca_cert_path = pki().ca.ca_cert.string();
    o.client.connect_timeout_ms = 2000;
    o.client.read_timeout_ms = 5000;
    o.cache_ttl_seconds = 300;
    o.min_refresh_seconds = 10;
    o.clock = clock_;
    return o;
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kT0);
};

void expect_refused(const Status& s, StatusCode code, const std::string& issuer,
                    const std::string& fragment) {
  EXPECT_EQ(s.code(), code) << s.to_string();
  EXPECT_EQ(s.message().rfind("issuer keys: ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find(issuer), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(fragment), std::string::npos) << s.message();
}

// ---- lookup and caching ------------------------------------------------------

TEST_F(IssuerKeysTest, FindsKeyByKid) {
  FakeIssuer server;
  server.set_keys({key_a(), key_b()});
  IssuerKeys keys(options());
  StatusOr<jose::Jwk> b = keys.find(server.issuer(), "kid-b");
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_EQ(*b, key_b());
  StatusOr<jose::Jwk> a = keys.find(server.issuer(), "kid-a");
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(*a, key_a());
  StatusOr<jose::JwkSet> set = keys.key_set(server.issuer());
  ASSERT_TRUE(set.ok()) << set.status().to_string();
  EXPECT_EQ(set->keys().size(), 2u);
}

TEST_F(IssuerKeysTest, SecondFindIsServedFromTheCache) {
  FakeIssuer server;
  server.set_keys({key_a(), key_b()});
  IssuerKeys keys(options());
  ASSERT_TRUE(keys.find(server.issuer(), "kid-a").ok());
  EXPECT_EQ(server.metadata_hits(), 1);
  EXPECT_EQ(server.jwks_hits(), 1);
  clock_->advance(299);
  ASSERT_TRUE(keys.find(server.issuer(), "kid-b").ok());
  ASSERT_TRUE(keys.key_set(server.issuer()).ok());
  EXPECT_EQ(server.metadata_hits(), 1);
  EXPECT_EQ(server.jwks_hits(), 1);
}

TEST_F(IssuerKeysTest, UnknownKidRefetchesOnceThenIsThrottled) {
  FakeIssuer server;
  IssuerKeys keys(options());
  ASSERT_TRUE(keys.find(server.issuer(), "kid-a").ok());
  ASSERT_EQ(server.jwks_hits(), 1);

  StatusOr<jose::Jwk> missing = keys.find(server.issuer(), "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "issuer keys: " + server.issuer() + " has no key with kid \"nope\"");
  EXPECT_EQ(server.metadata_hits(), 2);
  EXPECT_EQ(server.jwks_hits(), 2);

  // Another made-up kid within min_refresh_seconds: no request.
  clock_->advance(9);
  missing = keys.find(server.issuer(), "nope-2");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(server.jwks_hits(), 2);
  // Known kids are still served.
  EXPECT_TRUE(keys.find(server.issuer(), "kid-a").ok());
  EXPECT_EQ(server.jwks_hits(), 2);

  clock_->advance(1);
  missing = keys.find(server.issuer(), "nope-2");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(server.metadata_hits(), 3);
  EXPECT_EQ(server.jwks_hits(), 3);
}

TEST_F(IssuerKeysTest, KidFromARotatedSetIsFoundAfterRefetch) {
  FakeIssuer server;
  IssuerKeys keys(options());
  ASSERT_TRUE(keys.find(server.issuer(), "kid-a").ok());
  server.set_keys({key_b()});  // the issuer rotates
  StatusOr<jose::Jwk> b = keys.find(server.issuer(), "kid-b");
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_EQ(*b, key_b());
  EXPECT_EQ(server.jwks_hits(), 2);
  // The retired key is gone from the cache; asking again within the
  // throttle window does not refetch.
  StatusOr<jose::Jwk> a = keys.find(server.issuer(), "kid-a");
  EXPECT_EQ(a.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(server.jwks_hits(), 2);
}

TEST_F(IssuerKeysTest, ExpiredSetIsRefetched) {
  FakeIssuer server;
  IssuerKeysOptions o = options();
  o.cache_ttl_seconds = 60;
  IssuerKeys keys(o);
  ASSERT_TRUE(keys.find(server.issuer(), "kid-a").ok());
  server.set_keys({key_b()});
  clock_->advance(59);
  ASSERT_TRUE(keys.find(server.issuer(), "kid-a").ok());  // still the cached set
  EXPECT_EQ(server.jwks_hits(), 1);
  clock_->advance(1);
  StatusOr<jose::JwkSet> set = keys.key_set(server.issuer());
  ASSERT_TRUE(set.ok()) << set.status().to_string();
  EXPECT_EQ(server.metadata_hits(), 2);
  EXPECT_EQ(server.jwks_hits(), 2);
  ASSERT_EQ(set->keys().size(), 1u);
  EXPECT_EQ(set->keys()[0].kid(), "kid-b");
}

TEST_F(IssuerKeysTest, FailedFetchIsNotCachedAndFailedRefetchKeepsTheSet) {
  FakeIssuer server;
  server.set_metadata_raw(503, "busy");
  IssuerKeys keys(options());
  StatusOr<jose::Jwk> r = keys.find(server.issuer(), "kid-a");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kUnavailable, server.issuer(), "answered HTTP 503");

  server.set_metadata(json{{"jwks_uri", server.issuer() + "/keys"}});
  ASSERT_TRUE(keys.find(server.issuer(), "kid-a").ok());
  EXPECT_EQ(server.metadata_hits(), 2);

  server.set_jwks_raw(500, "oops");
  r = keys.find(server.issuer(), "kid-new");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kUnavailable, server.issuer(), "answered HTTP 500");
  EXPECT_TRUE(keys.find(server.issuer(), "kid-a").ok());  // the cached set survives
}

// ---- tokens without kid ------------------------------------------------------

TEST_F(IssuerKeysTest, NoKidIsAcceptedOnlyWithASingleKey) {
  FakeIssuer one;
  IssuerKeys keys(options());
  StatusOr<jose::Jwk> only = keys.find(one.issuer(), std::nullopt);
  ASSERT_TRUE(only.ok()) << only.status().to_string();
  EXPECT_EQ(*only, key_a());

  FakeIssuer two;
  two.set_keys({key_a(), key_b()});
  StatusOr<jose::Jwk> r = keys.find(two.issuer(), std::nullopt);
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kNotFound, two.issuer(),
                 "token has no kid and the issuer has 2 keys");
  EXPECT_EQ(two.jwks_hits(), 1);  // no refetch for a missing kid
}

// ---- the issuer URL ----------------------------------------------------------

TEST_F(IssuerKeysTest, PlainHttpIssuerNeedsAllowHttp) {
  FakeIssuer server(/*tls=*/false);
  ASSERT_EQ(server.issuer().rfind("http://", 0), 0u);
  {
    IssuerKeys keys(options());
    StatusOr<jose::Jwk> r = keys.find(server.issuer(), "kid-a");
    ASSERT_FALSE(r.ok());
    expect_refused(r.status(), StatusCode::kInvalidArgument, server.issuer(), "not an https URL");
    EXPECT_EQ(server.metadata_hits(), 0);
  }
  IssuerKeysOptions o = options();
  o.allow_http = true;
  IssuerKeys keys(o);
  StatusOr<jose::Jwk> a = keys.find(server.issuer(), "kid-a");
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(*a, key_a());
}

TEST_F(IssuerKeysTest, MalformedIssuerUrlsAreRefused) {
  IssuerKeys keys(options());
  for (const std::string bad : {"not a url", "127.0.0.1:8443", "ftp://127.0.0.1/",
                                "https://127.0.0.1:1/?tenant=x", "https://127.0.0.1:1/#f", ""}) {
    StatusOr<jose::Jwk> r = keys.find(bad, "kid-a");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().to_string();
    EXPECT_EQ(r.status().message().rfind("issuer keys: issuer ", 0), 0u) << r.status().message();
  }
}

TEST_F(IssuerKeysTest, TrailingSlashIsDroppedFromTheIssuer) {
  FakeIssuer server;
  IssuerKeys keys(options());
  // Were the slash kept, the metadata path would be "//.well-known/..." (404).
  StatusOr<jose::Jwk> a = keys.find(server.issuer() + "/", "kid-a");
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  ASSERT_TRUE(keys.find(server.issuer(), "kid-a").ok());  // the same cache entry
  EXPECT_EQ(server.metadata_hits(), 1);
  EXPECT_EQ(server.jwks_hits(), 1);
}

// ---- the metadata ------------------------------------------------------------

TEST_F(IssuerKeysTest, MetadataNamingAnotherIssuerIsRefused) {
  FakeIssuer server;
  server.set_metadata(
      json{{"issuer", "https://elsewhere.example"}, {"jwks_uri", server.issuer() + "/keys"}});
  IssuerKeys keys(options());
  StatusOr<jose::Jwk> r = keys.find(server.issuer(), "kid-a");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kFailedPrecondition, server.issuer(),
                 "names another issuer, \"https://elsewhere.example\"");
  EXPECT_EQ(server.jwks_hits(), 0);

  server.set_metadata(json{{"issuer", 42}, {"jwks_uri", server.issuer() + "/keys"}});
  r = keys.find(server.issuer(), "kid-a");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kFailedPrecondition, server.issuer(),
                 "issuer is not a string");
}

TEST_F(IssuerKeysTest, MetadataIssuerMayDifferByOneTrailingSlash) {
  FakeIssuer server;
  server.set_metadata(
      json{{"issuer", server.issuer() + "/"}, {"jwks_uri", server.issuer() + "/keys"}});
  IssuerKeys keys(options());
  EXPECT_TRUE(keys.find(server.issuer(), "kid-a").ok());
  FakeIssuer other;
  other.set_metadata(
      json{{"issuer", other.issuer() + "//"}, {"jwks_uri", other.issuer() + "/keys"}});
  EXPECT_EQ(keys.find(other.issuer(), "kid-a").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(IssuerKeysTest, BadJwksUriIsRefused) {
  FakeIssuer server;
  IssuerKeys keys(options());
  const std::string http_uri = "http://127.0.0.1:" +
                               server.issuer().substr(server.issuer().rfind(':') + 1) + "/keys";
  const std::vector<std::pair<json, std::string>> cases = {
      {json{{"issuer", server.issuer()}}, "has no string jwks_uri"},
      {json{{"issuer", server.issuer()}, {"jwks_uri", 7}}, "has no string jwks_uri"},
      {json{{"issuer", server.issuer()}, {"jwks_uri", "/keys"}}, "is not an absolute URL"},
      {json{{"issuer", server.issuer()}, {"jwks_uri", "keys"}}, "is not an absolute URL"},
      {json{{"issuer", server.issuer()}, {"jwks_uri", http_uri}}, "does not use https"},
      {json::array({server.issuer()}), "is not a JSON object"},
  };
  for (const auto& [metadata, fragment] : cases) {
    server.set_metadata(metadata);
    StatusOr<jose::Jwk> r = keys.find(server.issuer(), "kid-a");
    ASSERT_FALSE(r.ok()) << metadata.dump();
    expect_refused(r.status(), StatusCode::kFailedPrecondition, server.issuer(), fragment);
  }
  EXPECT_EQ(server.jwks_hits(), 0);
}

// ---- HTTP and transport failures ---------------------------------------------

TEST_F(IssuerKeysTest, NotFoundAndNonJsonAreUnavailable) {
  FakeIssuer server;
  IssuerKeys keys(options());

  server.set_metadata_raw(404, "{}");
  StatusOr<jose::Jwk> r = keys.find(server.issuer(), "kid-a");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kUnavailable, server.issuer(), "answered HTTP 404");

  server.set_metadata_raw(200, "<html>hello</html>");
  r = keys.find(server.issuer(), "kid-a");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kUnavailable, server.issuer(), "not JSON");

  server.set_metadata(json{{"jwks_uri", server.issuer() + "/elsewhere"}});  // a 404 path
  r = keys.find(server.issuer(), "kid-a");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kUnavailable, server.issuer(), "answered HTTP 404");

  server.set_metadata(json{{"jwks_uri", server.issuer() + "/keys"}});
  server.set_jwks_raw(200, "keys: none");
  r = keys.find(server.issuer(), "kid-a");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kUnavailable, server.issuer(), "not JSON");
}

TEST_F(IssuerKeysTest, ServerDownIsUnavailable) {
  std::string issuer;
  {
    FakeIssuer server;
    issuer = server.issuer();
    server.stop();
  }
  IssuerKeys keys(options());
  StatusOr<jose::Jwk> r = keys.find(issuer, "kid-a");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kUnavailable, issuer, "GET " + issuer);
}

TEST_F(IssuerKeysTest, UntrustedCertificateIsRefused) {
  FakeIssuer server;
  IssuerKeysOptions o = options();
  o.client.ca_cert_path = pki().other_ca.ca_cert.string();
  IssuerKeys keys(o);
  StatusOr<jose::Jwk> r = keys.find(server.issuer(), "kid-a");
  ASSERT_FALSE(r.ok());
  expect_refused(r.status(), StatusCode::kUnavailable, server.issuer(), "certificate");
}

// ---- the key set -------------------------------------------------------------

TEST_F(IssuerKeysTest, MalformedKeySetsAreRefused) {
  FakeIssuer server;
  IssuerKeys keys(options());
  json kidless = key_a().to_json();
  kidless.erase("kid");
  json too_many = json::array();
  for (int i = 0; i < 101; ++i) too_many.push_back(kidless);
  const std::vector<std::pair<json, std::string>> cases = {
      {json{{"nokeys", json::array()}}, "is malformed: JWKS"},
      {json::array(), "is malformed: JWKS"},
      {json{{"keys", json::array()}}, "has no usable key"},
      {json{{"keys", json::array({kidless})}}, "has no usable key"},
      {json{{"keys", json::array({json{{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "s"}}})}},
       "has no usable key"},
      {json{{"keys", too_many}}, "has 101 keys, more than 100"},
  };
  for (const auto& [jwks, fragment] : cases) {
    server.set_jwks(jwks);
    StatusOr<jose::Jwk> r = keys.find(server.issuer(), "kid-a");
    ASSERT_FALSE(r.ok()) << jwks.dump();
    expect_refused(r.status(), StatusCode::kFailedPrecondition, server.issuer(), fragment);
  }
}

TEST_F(IssuerKeysTest, KeysWithoutKidAreIgnoredAndPrivatePartsDropped) {
  FakeIssuer server;
  json kidless = key_b().to_json();
  kidless.erase("kid");
  crypto::PrivateKey priv = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  jose::Jwk private_jwk = jose::Jwk::from_private_key(priv).value();
  private_jwk.set_kid("kid-private");
  server.set_jwks(json{{"keys", json::array({kidless, key_a().to_json(), private_jwk.to_json()})}});
  IssuerKeys keys(options());
  StatusOr<jose::JwkSet> set = keys.key_set(server.issuer());
  ASSERT_TRUE(set.ok()) << set.status().to_string();
  ASSERT_EQ(set->keys().size(), 2u);
  EXPECT_EQ(set->keys()[0], key_a());
  StatusOr<jose::Jwk> p = keys.find(server.issuer(), "kid-private");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_FALSE(p->is_private());
  // With the kid-less key ignored the set has two keys, so no-kid is refused.
  EXPECT_EQ(keys.find(server.issuer(), std::nullopt).status().code(), StatusCode::kNotFound);
}

// ---- with the JWT verifier ---------------------------------------------------

TEST_F(IssuerKeysTest, ResolverVerifiesTokensEndToEnd) {
  TempDir dir("mpcc-issuer-keys");
  jose::IssuerKey signing = jose::load_or_create_issuer_key(dir.path(), "signing", "test issuer").value();
  FakeIssuer server;
  server.set_jwks(json{{"keys", json::array({signing.public_jwk().to_json(), key_a().to_json()})}});
  IssuerKeys keys(options());

  jose::JwtVerifierOptions vo;
  vo.issuers = {server.issuer()};
  vo.audience = "https://vault.test";
  vo.clock = clock_;
  jose::JwtVerifier verifier(keys.resolver(server.issuer()), vo);

  const json claims = {{"iss", server.issuer()},
                       {"aud", "https://vault.test"},
                       {"iat", kT0},
                       {"exp", kT0 + 600}};
  jose::JwtSigner signer(jose::JwsAlg::kRs256, signing.key, signing.kid);
  StatusOr<std::string> token = signer.sign(claims);
  ASSERT_TRUE(token.ok()) << token.status().to_string();
  StatusOr<jose::VerifiedJwt> verified = verifier.verify(*token);
  ASSERT_TRUE(verified.ok()) << verified.status().to_string();
  EXPECT_EQ(verified->claims.at("iss"), server.issuer());

  jose::JwtSigner stranger(jose::JwsAlg::kRs256, signing.key, "kid-unknown");
  StatusOr<std::string> forged = stranger.sign(claims);
  ASSERT_TRUE(forged.ok());
  StatusOr<jose::VerifiedJwt> refused = verifier.verify(*forged);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("JWT: unknown kid"), std::string::npos)
      << refused.status().message();

  // A token without kid: two keys published, so it is refused too.
  jose::JwtSigner anonymous(jose::JwsAlg::kRs256, signing.key);
  StatusOr<std::string> no_kid = anonymous.sign(claims);
  ASSERT_TRUE(no_kid.ok());
  EXPECT_EQ(verifier.verify(*no_kid).status().code(), StatusCode::kPermissionDenied);

  // Transport errors reach the verifier's caller with the issuer named.
  IssuerKeysOptions untrusting = options();
  untrusting.client.ca_cert_path = pki().other_ca.ca_cert.string();
  IssuerKeys other(untrusting);
  jose::JwtVerifier blind(other.resolver(server.issuer()), vo);
  StatusOr<jose::VerifiedJwt> unavailable_keys = blind.verify(*token);
  ASSERT_FALSE(unavailable_keys.ok());
  EXPECT_EQ(unavailable_keys.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(unavailable_keys.status().message().find("JWT: issuer keys: " + server.issuer()),
            std::string::npos)
      << unavailable_keys.status().message();
}

// ---- concurrency -------------------------------------------------------------

TEST_F(IssuerKeysTest, ConcurrentFindsFetchOnce) {
  FakeIssuer server;
  server.set_keys({key_a(), key_b()});
  server.set_delay(std::chrono::milliseconds(300));  // the threads overlap the fetch
  IssuerKeys keys(options());
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      if (keys.find(server.issuer(), i % 2 == 0 ? "kid-a" : "kid-b").ok()) ++found;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(found.load(), 4);
  EXPECT_EQ(server.metadata_hits(), 1);
  EXPECT_EQ(server.jwks_hits(), 1);
}

TEST_F(IssuerKeysTest, ConfigurationIsChecked) {
  IssuerKeysOptions o = options();
  o.cache_ttl_seconds = -1;
  EXPECT_THROW(IssuerKeys{o}, std::logic_error);
  o = options();
  o.min_refresh_seconds = -1;
  EXPECT_THROW(IssuerKeys{o}, std::logic_error);
}

}  // namespace
}  // namespace mpcc::keyvault
