// VaultService's Azure Key Vault wire contract (spec 9, SDK interop Part A),
// over real HTTPS on 127.0.0.1 with real bearer tokens from the identity
// service (vault_test_env.h): the challenge, api-version, the key routes and
// their bodies, and the error answers the SDK turns into RestError.
#include "keyvault/service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "jose/jwt.h"
#include "keyvault/test/vault_test_env.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;
using test_env::Reply;
using test_env::SharedEnvTest;

constexpr const char* kChallenge =
    "Bearer authorization=\"https://login.microsoftonline.com/"
    "00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"";

class VaultServiceTest : public SharedEnvTest<::testing::Test> {
 protected:
  // The version segment of a kid "<origin>/keys/<name>/<version>".
  static std::string version_of(const json& bundle) {
    const std::string kid = bundle.at("key").at("kid").get<std::string>();
    return kid.substr(kid.rfind('/') + 1);
  }
};

void expect_unauthorized(const Reply& r) {
  EXPECT_EQ(r.status, 401) << r.describe();
  EXPECT_EQ(r.header("WWW-Authenticate").value_or("<none>"), kChallenge);
  EXPECT_EQ(r.error_code(), "Unauthorized") << r.describe();
  EXPECT_FALSE(r.message().empty()) << r.describe();
}

void expect_bad_parameter(const Reply& r, const std::string& mentions) {
  EXPECT_EQ(r.status, 400) << r.describe();
  EXPECT_EQ(r.error_code(), "BadParameter") << r.describe();
  EXPECT_NE(r.message().find(mentions), std::string::npos)
      << "message should mention '" << mentions << "': " << r.describe();
}

// ---- challenge authentication (A4) ---------------------------------------------

TEST_F(VaultServiceTest, RequestWithoutAuthorizationGetsTheChallengeBeforeTheBodyIsRead) {
  // The SDK's first request: no Authorization, no body, Content-Length 0.
  Reply empty = env().call("POST", "/keys/challenge-key/create?api%2Dversion=7.4", "");
  expect_unauthorized(empty);
  EXPECT_NE(empty.message().find("AKV10000"), std::string::npos) << empty.describe();
  // A body that is not JSON, or not a valid create request, changes nothing.
  expect_unauthorized(env().call("POST", env().url("/keys/challenge-key/create"), "{not json"));
  expect_unauthorized(env().call("POST", env().url("/keys/challenge-key/create"),
                                 json{{"kty", "EC"}}.dump()));
  // Authentication is checked before api-version, too.
  expect_unauthorized(env().call("POST", "/keys/challenge-key/create", ""));
  expect_unauthorized(env().call("GET", "/keys/challenge-key/", "", "", ""));
  // Every route.
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/keys"},
           {"GET", "/keys/challenge-key"},
           {"GET", "/keys/challenge-key/versions"},
           {"GET", "/keys/challenge-key/0123456789abcdef0123456789abcdef"},
           {"PATCH", "/keys/challenge-key/"},
           {"DELETE", "/keys/challenge-key"},
           {"POST", "/keys/challenge-key/release"},
           {"POST", "/keys/challenge-key/0123456789abcdef0123456789abcdef/release"}}) {
    SCOPED_TRACE(method + " " + path);
    expect_unauthorized(env().call(method, env().url(path), "{}"));
  }
  // Nothing was created.
  EXPECT_EQ(env().get("/keys/challenge-key").status, 404);
}

TEST_F(VaultServiceTest, RejectedBearerTokensGetTheChallengeToo) {
  const std::string path = env().url("/keys");
  auto with_authorization = [&](const std::string& value) {
    return env().call_with_headers("GET", path, "", {{"Authorization", value}}, "");
  };
  // Not a JWT; another scheme; an empty bearer.
  expect_unauthorized(env().get_as("/keys", "not-a-jwt"));
  expect_unauthorized(with_authorization("Basic dXNlcjpwYXNz"));
  expect_unauthorized(with_authorization("Bearer"));
  expect_unauthorized(with_authorization("Bearer "));
  // Expired.
  Reply expired = env().get_as("/keys", env().expired_bearer(env().allowed()));
  expect_unauthorized(expired);
  EXPECT_NE(expired.message().find("expired"), std::string::npos) << expired.describe();
  // Signed by a key the identity issuer does not publish (the MAA's), with
  // the identity issuer's name and otherwise valid claims.
  const UnixSeconds now = system_clock()->now();
  json claims = {{"iss", env().identity_issuer_url()}, {"aud", kVaultResource},
                 {"iat", now},  {"nbf", now},  {"exp", now + 600},
                 {"oid", env().allowed().object_id}};
  expect_unauthorized(env().get_as("/keys", env().maa().sign(claims)));
  // A valid token of the identity issuer for another audience.
  Reply audience =
      env().get_as("/keys", env().bearer_for(env().allowed(), "https://managedhsm.azure.net"));
  expect_unauthorized(audience);
  EXPECT_NE(audience.message().find("aud"), std::string::npos) << audience.describe();
  // The authenticated form of the same request works, whatever the case of
  // the scheme name (RFC 7235: case-insensitive).
  const std::string token = env().bearer(env().allowed());
  EXPECT_EQ(env().get_as("/keys", token).status, 200);
  EXPECT_EQ(with_authorization("bearer " + token).status, 200);
}

TEST_F(VaultServiceTest, BearerTokenClaimsAreChecked) {
  const jose::IssuerKey& key = env().identity_key();
  jose::JwtSigner signer(jose::JwsAlg::kRs256, key.key, key.kid);
  const UnixSeconds now = system_clock()->now();
  const json good = {{"iss", env().identity_issuer_url()}, {"aud", kVaultResource},
                     {"iat", now}, {"nbf", now}, {"exp", now + 600},
                     {"oid", env().allowed().object_id}, {"appid", env().allowed().client_id}};
  // Hand-made with the issuer's key: accepted as the identity it names.
  EXPECT_EQ(env().get_as("/keys", signer.sign(good).value()).status, 200);

  auto refused = [&](const std::string& what, const std::string& token,
                     const std::string& mentions) {
    SCOPED_TRACE(what);
    Reply r = env().get_as("/keys", token);
    expect_unauthorized(r);
    EXPECT_NE(r.message().find(mentions), std::string::npos) << r.describe();
  };
  json c = good;
  c.erase("oid");
  refused("no oid", signer.sign(c).value(), "oid");
  c = good;
  c["oid"] = "";
  refused("empty oid", signer.sign(c).value(), "oid");
  c = good;
  c["iss"] = env().maa().url();
  refused("another issuer", signer.sign(c).value(), "issuer");
  c = good;
  c["nbf"] = now + 3600;
  refused("not yet valid", signer.sign(c).value(), "nbf");
  c = good;
  c.erase("exp");
  refused("no exp", signer.sign(c).value(), "exp");
  refused("alg none",
          test_env::b64url_json(json{{"alg", "none"}, {"typ", "JWT"}}) + "." +
              test_env::b64url_json(good) + ".",
          "none");
  jose::JwtSigner rs384(jose::JwsAlg::kRs384, key.key, key.kid);
  refused("RS384", rs384.sign(good).value(), "RS384");
}

TEST_F(VaultServiceTest, ErrorsAreJsonWithAzuresContentType) {
  for (const Reply& r : {env().get("/keys/missing-for-content-type"),
                         env().call("GET", "/keys", "", "", ""),
                         env().call("GET", "/keys", "", env().bearer(env().allowed()), "")}) {
    SCOPED_TRACE(r.describe());
    EXPECT_EQ(r.header("Content-Type").value_or(""), "application/json; charset=utf-8");
    ASSERT_TRUE(r.body.is_object());
    EXPECT_TRUE(r.body["error"]["code"].is_string());
    EXPECT_TRUE(r.body["error"]["message"].is_string());
  }
}

// ---- api-version (A3) --------------------------------------------------------------

TEST_F(VaultServiceTest, ApiVersionIsRequiredAndChecked) {
  const std::string token = env().bearer(env().allowed());
  expect_bad_parameter(env().call("GET", "/keys", "", token, ""), "api-version");
  Reply old = env().call("GET", "/keys?api-version=2016-10-01", "", token, "");
  expect_bad_parameter(old, "2016-10-01");
  EXPECT_NE(old.message().find("not recognized"), std::string::npos) << old.describe();
  expect_bad_parameter(env().call("GET", "/keys?api-version=", "", token, ""), "version");
  for (const char* v : {"7.3", "7.4", "7.5", "7.6", "2025-07-01"}) {
    SCOPED_TRACE(v);
    EXPECT_EQ(env().call("GET", std::string("/keys?api-version=") + v, "", token, "").status, 200);
  }
}

TEST_F(VaultServiceTest, PercentEncodedApiVersionNameIsDecoded) {
  // What @azure/keyvault-keys puts on the wire.
  const std::string token = env().bearer(env().allowed());
  Reply list = env().call("GET", "/keys?api%2Dversion=7.4", "", token, "");
  EXPECT_EQ(list.status, 200) << list.describe();
  Reply created = env().call("POST", "/keys/encoded-api-version/create?api%2Dversion=7.4",
                             env().create_body().dump(), token);
  ASSERT_EQ(created.status, 200) << created.describe();
  Reply got = env().call("GET", "/keys/encoded-api-version/?api%2Dversion=7.4", "", token, "");
  EXPECT_EQ(got.status, 200) << got.describe();
  EXPECT_EQ(got.body, created.body);
}

// ---- create / get / list (A5, A5.2) -------------------------------------------------------

class VaultServiceSizeTest : public SharedEnvTest<::testing::TestWithParam<std::size_t>> {};

TEST_P(VaultServiceSizeTest, CreatesRsaHsmKeysOfEachSize) {
  const std::size_t bits = GetParam();
  const std::string name = "sized-" + std::to_string(bits);
  json body = env().create_body(bits);
  body["tags"] = {{"purpose", "sdk-interop-check"}};
  Reply r = env().post("/keys/" + name + "/create", body);
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_NE(r.header("Content-Type").value_or("").find("application/json"), std::string::npos);

  const json& key = r.body.at("key");
  const std::regex kid_re("^" + std::regex_replace(env().vault_url(), std::regex(R"([.])"), R"(\.)") +
                          "/keys/" + name + "/[0-9a-f]{32}$");
  EXPECT_TRUE(std::regex_match(key.at("kid").get<std::string>(), kid_re)) << key.at("kid");
  EXPECT_EQ(key.at("kty"), "RSA-HSM");
  EXPECT_EQ(key.at("key_ops"), json({"encrypt", "decrypt", "wrapKey", "unwrapKey"}));
  auto n = crypto::base64url_decode(key.at("n").get<std::string>());
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(n->size(), bits / 8);
  EXPECT_NE((*n)[0], 0) << "n must have no leading zero";
  EXPECT_EQ(key.at("e"), "AQAB");
  EXPECT_FALSE(key.contains("d")) << "private members must never be returned";

  const json& attrs = r.body.at("attributes");
  EXPECT_EQ(attrs.at("enabled"), true);
  EXPECT_EQ(attrs.at("exportable"), true);
  EXPECT_TRUE(attrs.at("created").is_number_integer());
  EXPECT_NEAR(static_cast<double>(attrs.at("created").get<int64_t>()),
              static_cast<double>(system_clock()->now()), 120.0)
      << "created must be seconds since the epoch";
  EXPECT_TRUE(attrs.at("updated").is_number_integer());
  EXPECT_EQ(r.body.at("tags"), body["tags"]);
  EXPECT_EQ(r.body.at("release_policy").at("data"), body["release_policy"]["data"]);
  EXPECT_EQ(r.body.at("release_policy").at("contentType"), "application/json; charset=utf-8");
  EXPECT_EQ(r.body.at("release_policy").at("immutable"), false);
}

INSTANTIATE_TEST_SUITE_P(Sizes, VaultServiceSizeTest, ::testing::Values(2048u, 3072u, 4096u),
                         [](const ::testing::TestParamInfo<std::size_t>& i) {
                           return "Rsa" + std::to_string(i.param);
                         });

TEST_F(VaultServiceTest, DefaultsOfAMinimalCreateBody) {
  // Only kty: a 2048-bit key with every RSA operation, not exportable, no
  // release policy, no tags.
  Reply r = env().post("/keys/minimal/create", json{{"kty", "RSA-HSM"}});
  ASSERT_EQ(r.status, 200) << r.describe();
  auto n = crypto::base64url_decode(r.body["key"]["n"].get<std::string>());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->size(), 256u);
  EXPECT_EQ(r.body["key"]["key_ops"],
            json({"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"}));
  EXPECT_EQ(r.body["attributes"]["exportable"], false);
  EXPECT_FALSE(r.body.contains("release_policy"));
  EXPECT_FALSE(r.body.contains("tags"));
}

TEST_F(VaultServiceTest, GetWithTrailingSlashWithoutAndWithVersionAgree) {
  json created = env().create_key("get-forms");
  const std::string version = version_of(created);
  Reply slash = env().get("/keys/get-forms/");
  Reply bare = env().get("/keys/get-forms");
  Reply versioned = env().get("/keys/get-forms/" + version);
  ASSERT_EQ(slash.status, 200) << slash.describe();
  ASSERT_EQ(bare.status, 200) << bare.describe();
  ASSERT_EQ(versioned.status, 200) << versioned.describe();
  EXPECT_EQ(slash.body, created);
  EXPECT_EQ(bare.body, created);
  EXPECT_EQ(versioned.body, created);

  // A second version becomes the latest; the first stays addressable.
  json second = env().create_key("get-forms");
  EXPECT_NE(version_of(second), version);
  EXPECT_EQ(env().get("/keys/get-forms/").body, second);
  EXPECT_EQ(env().get("/keys/get-forms/" + version).body, created);
}

TEST_F(VaultServiceTest, ListsKeysAndVersions) {
  json a1 = env().create_key("list-a", 2048, false);
  json a2 = env().create_key("list-a", 2048, false);
  json b1 = env().create_key("list-b", 2048, false);
  const std::string origin = env().vault_url();

  Reply list = env().get("/keys");
  ASSERT_EQ(list.status, 200) << list.describe();
  ASSERT_TRUE(list.body.at("value").is_array());
  EXPECT_TRUE(list.body.contains("nextLink") && list.body["nextLink"].is_null());
  std::set<std::string> kids;
  for (const json& item : list.body["value"]) {
    kids.insert(item.at("kid").get<std::string>());
    EXPECT_TRUE(item.contains("attributes"));
    EXPECT_FALSE(item.contains("key")) << "list items carry no key material";
  }
  EXPECT_EQ(kids.count(origin + "/keys/list-a"), 1u) << list.raw;
  EXPECT_EQ(kids.count(origin + "/keys/list-b"), 1u) << list.raw;
  EXPECT_EQ(kids.count(a1["key"]["kid"].get<std::string>()), 0u) << "the key list is versionless";

  Reply versions = env().get("/keys/list-a/versions");
  ASSERT_EQ(versions.status, 200) << versions.describe();
  std::vector<std::string> version_kids;
  for (const json& item : versions.body.at("value")) {
    version_kids.push_back(item.at("kid").get<std::string>());
  }
  std::vector<std::string> expected = {a1["key"]["kid"].get<std::string>(),
                                       a2["key"]["kid"].get<std::string>()};
  std::sort(version_kids.begin(), version_kids.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(version_kids, expected);
  EXPECT_EQ(env().get("/keys/list-b/versions").body.at("value").size(), 1u);
  EXPECT_EQ(env().get("/keys/list-missing/versions").status, 404);
  (void)b1;
}

// ---- bad input (A5.1) -------------------------------------------------------------------

struct BadCreate {
  const char* what;
  std::function<json(const test_env::VaultTestEnv&)> body;
  const char* mentions;
};

TEST_F(VaultServiceTest, CreateRefusesInvalidBodiesNamingTheField) {
  const std::vector<BadCreate> cases = {
      {"EC key", [](const auto&) { return json{{"kty", "EC"}, {"crv", "P-256"}}; }, "kty"},
      {"EC-HSM key", [](const auto&) { return json{{"kty", "EC-HSM"}}; }, "kty"},
      {"oct key", [](const auto&) { return json{{"kty", "oct-HSM"}}; }, "kty"},
      {"no kty", [](const auto&) { return json::object(); }, "kty"},
      {"kty not a string", [](const auto&) { return json{{"kty", 1}}; }, "kty"},
      {"1024 bits",
       [](const auto&) { return json{{"kty", "RSA-HSM"}, {"key_size", 1024}}; }, "key_size"},
      {"size as string",
       [](const auto&) { return json{{"kty", "RSA-HSM"}, {"key_size", "2048"}}; }, "key_size"},
      {"exponent 3",
       [](const auto&) { return json{{"kty", "RSA-HSM"}, {"public_exponent", 3}}; },
       "public_exponent"},
      {"exportable without policy",
       [](const auto&) {
         return json{{"kty", "RSA-HSM"}, {"attributes", {{"exportable", true}}}};
       },
       "release_policy"},
      {"policy without exportable",
       [](const test_env::VaultTestEnv& e) {
         json b = e.create_body();
         b["attributes"].erase("exportable");
         return b;
       },
       "exportable"},
      {"policy on exportable=false",
       [](const test_env::VaultTestEnv& e) {
         json b = e.create_body();
         b["attributes"]["exportable"] = false;
         return b;
       },
       "exportable"},
      {"exportable software key",
       [](const test_env::VaultTestEnv& e) {
         json b = e.create_body();
         b["kty"] = "RSA";
         return b;
       },
       "RSA-HSM"},
      {"policy data not base64",
       [](const test_env::VaultTestEnv& e) {
         json b = e.create_body();
         b["release_policy"]["data"] = "%%% not base64 %%%";
         return b;
       },
       "release_policy"},
      {"policy data not JSON",
       [](const test_env::VaultTestEnv& e) {
         json b = e.create_body();
         b["release_policy"]["data"] = crypto::base64url_encode(std::string_view("not json"));
         return b;
       },
       "release_policy"},
      {"policy outside the grammar",
       [](const test_env::VaultTestEnv& e) {
         json b = e.create_body();
         b["release_policy"]["data"] = test_env::b64url_json(
             json{{"version", "1.0.0"}, {"anyOf", json::array()}});
         return b;
       },
       "release_policy"},
      {"policy data missing",
       [](const test_env::VaultTestEnv& e) {
         json b = e.create_body();
         b["release_policy"].erase("data");
         return b;
       },
       "release_policy.data"},
      {"policy content type",
       [](const test_env::VaultTestEnv& e) {
         json b = e.create_body();
         b["release_policy"]["contentType"] = "text/plain";
         return b;
       },
       "contentType"},
      {"unknown key_ops",
       [](const auto&) { return json{{"kty", "RSA-HSM"}, {"key_ops", {"encrypt", "teleport"}}}; },
       "key_ops"},
      {"key_ops not an array",
       [](const auto&) { return json{{"kty", "RSA-HSM"}, {"key_ops", "encrypt"}}; }, "key_ops"},
      {"attributes not an object",
       [](const auto&) { return json{{"kty", "RSA-HSM"}, {"attributes", true}}; }, "attributes"},
      {"exportable not a boolean",
       [](const auto&) {
         return json{{"kty", "RSA-HSM"}, {"attributes", {{"exportable", "true"}}}};
       },
       "exportable"},
      {"nbf after exp",
       [](const auto&) {
         return json{{"kty", "RSA-HSM"}, {"attributes", {{"nbf", 2000000000}, {"exp", 1900000000}}}};
       },
       "exp"},
      {"tags not strings",
       [](const auto&) { return json{{"kty", "RSA-HSM"}, {"tags", {{"a", 1}}}}; }, "tags"},
      {"body is an array", [](const auto&) { return json::array({"RSA-HSM"}); }, "JSON object"},
      {"body is a string", [](const auto&) { return json("RSA-HSM"); }, "JSON object"},
  };
  for (const BadCreate& c : cases) {
    SCOPED_TRACE(c.what);
    expect_bad_parameter(env().post("/keys/bad-create/create", c.body(env())), c.mentions);
  }
  // Bodies that are not JSON at all, or empty (with a token).
  const std::string token = env().bearer(env().allowed());
  expect_bad_parameter(env().call("POST", env().url("/keys/bad-create/create"), "{\"kty\":", token),
                       "JSON");
  expect_bad_parameter(env().call("POST", env().url("/keys/bad-create/create"), "", token), "empty");
  // None of them created anything.
  EXPECT_EQ(env().get("/keys/bad-create").status, 404);
}

TEST_F(VaultServiceTest, InvalidKeyNamesAreBadParameters) {
  const std::string too_long(128, 'k');
  for (const std::string& name : {std::string("bad_name"), std::string("bad.name"),
                                  std::string("bad%20name"), std::string("b%C3%A4d"), too_long}) {
    SCOPED_TRACE(name);
    expect_bad_parameter(env().post("/keys/" + name + "/create", env().create_body()),
                         "key name");
    expect_bad_parameter(env().get("/keys/" + name), "key name");
  }
  // An encoded '/' is decoded before routing, so it splits the name into two
  // segments (404 rather than 400, see the report); it must never create or
  // find anything.
  Reply slash = env().post("/keys/bad%2Fname/create", env().create_body());
  EXPECT_GE(slash.status, 400) << slash.describe();
  EXPECT_LT(slash.status, 500) << slash.describe();
  EXPECT_EQ(env().get("/keys/bad").status, 404);
  EXPECT_EQ(env().get("/keys/bad%2Fname").status, 404);
  // 127 characters of the allowed alphabet are fine.
  const std::string longest = std::string(126, 'a') + "-";
  Reply ok = env().post("/keys/" + longest + "/create", json{{"kty", "RSA-HSM"}});
  EXPECT_EQ(ok.status, 200) << ok.describe();
}

TEST_F(VaultServiceTest, UnknownKeysAreKeyNotFoundInAzuresWords) {
  Reply r = env().get("/keys/no-such-key/");
  EXPECT_EQ(r.status, 404) << r.describe();
  EXPECT_EQ(r.error_code(), "KeyNotFound");
  EXPECT_EQ(r.message(), "A key with (name/id) no-such-key was not found in this key vault.");

  json created = env().create_key("known-key", 2048, false);
  Reply wrong_version = env().get("/keys/known-key/0123456789abcdef0123456789abcdef");
  EXPECT_EQ(wrong_version.status, 404) << wrong_version.describe();
  EXPECT_EQ(wrong_version.error_code(), "KeyNotFound");
  EXPECT_NE(wrong_version.message().find("known-key/0123456789abcdef0123456789abcdef"),
            std::string::npos)
      << wrong_version.describe();
  Reply not_a_version = env().get("/keys/known-key/latest");
  EXPECT_EQ(not_a_version.status, 404) << not_a_version.describe();
  EXPECT_EQ(not_a_version.error_code(), "KeyNotFound");
  (void)created;
}

// ---- update (PATCH) ---------------------------------------------------------------------

TEST_F(VaultServiceTest, PatchReplacesTheReleasePolicyWithTheDataAsSent) {
  json created = env().create_key("patch-policy");
  const std::string new_data = env().policy_data(test_env::kOtherHostData);
  ASSERT_NE(new_data, created["release_policy"]["data"]);
  // The SDK's form: PATCH /keys/{name}/ (trailing slash), latest version.
  Reply r = env().patch("/keys/patch-policy/",
                        json{{"release_policy", {{"data", new_data}, {"immutable", false}}}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["release_policy"]["data"], new_data);
  EXPECT_EQ(r.body["key"]["kid"], created["key"]["kid"]);
  EXPECT_EQ(r.body["key"]["n"], created["key"]["n"]);
  EXPECT_EQ(env().get("/keys/patch-policy").body["release_policy"]["data"], new_data);

  // Other attributes by explicit version.
  const std::string version = version_of(created);
  Reply tags = env().patch("/keys/patch-policy/" + version, json{{"tags", {{"env", "test"}}}});
  ASSERT_EQ(tags.status, 200) << tags.describe();
  EXPECT_EQ(tags.body["tags"], json({{"env", "test"}}));
  EXPECT_EQ(tags.body["release_policy"]["data"], new_data) << "untouched by a tags update";

  // Make it immutable; from then on the policy cannot change.
  Reply lock = env().patch("/keys/patch-policy",
                           json{{"release_policy", {{"data", new_data}, {"immutable", true}}}});
  ASSERT_EQ(lock.status, 200) << lock.describe();
  EXPECT_EQ(lock.body["release_policy"]["immutable"], true);
  Reply refused = env().patch("/keys/patch-policy",
                              json{{"release_policy", {{"data", env().policy_data()}}}});
  EXPECT_EQ(refused.status, 403) << refused.describe();
  EXPECT_EQ(refused.error_code(), "Forbidden");
  EXPECT_EQ(refused.layer(), "key");
  EXPECT_EQ(refused.body["error"]["innererror"]["code"], "KeyNotUsable");
  EXPECT_NE(refused.message().find("immutable"), std::string::npos) << refused.describe();
  EXPECT_EQ(env().get("/keys/patch-policy").body["release_policy"]["data"], new_data);
}

TEST_F(VaultServiceTest, ImmutablePolicyFromCreationCannotBePatched) {
  json created = env().create_key("immutable-at-birth", 2048, true, /*immutable=*/true);
  EXPECT_EQ(created["release_policy"]["immutable"], true);
  Reply r = env().patch("/keys/immutable-at-birth/",
                        json{{"release_policy", {{"data", env().policy_data(test_env::kOtherHostData)}}}});
  EXPECT_EQ(r.status, 403) << r.describe();
  EXPECT_EQ(r.layer(), "key");
  EXPECT_EQ(env().get("/keys/immutable-at-birth").body["release_policy"],
            created["release_policy"]);
}

TEST_F(VaultServiceTest, PatchCannotChangeExportability) {
  json created = env().create_key("patch-exportable");
  expect_bad_parameter(
      env().patch("/keys/patch-exportable", json{{"attributes", {{"exportable", false}}}}),
      "exportable");
  // Restating the current value is fine.
  EXPECT_EQ(env().patch("/keys/patch-exportable", json{{"attributes", {{"exportable", true}}}}).status,
            200);
  json plain = env().create_key("patch-not-exportable", 2048, false);
  expect_bad_parameter(
      env().patch("/keys/patch-not-exportable", json{{"attributes", {{"exportable", true}}}}),
      "exportable");
  // A release policy on a key that is not exportable.
  expect_bad_parameter(env().patch("/keys/patch-not-exportable",
                                   json{{"release_policy", {{"data", env().policy_data()}}}}),
                       "exportable");
  expect_bad_parameter(env().patch("/keys/patch-exportable", json::array()), "JSON object");
  EXPECT_EQ(env().patch("/keys/patch-missing", json{{"tags", json::object()}}).status, 404);
  (void)created;
  (void)plain;
}

// ---- delete (A5.4) ----------------------------------------------------------------------

TEST_F(VaultServiceTest, DeleteAnswersTheBundleWithoutRecoveryIdAndTheKeyIsGone) {
  json created = env().create_key("delete-me");
  Reply r = env().del("/keys/delete-me");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["key"]["kid"], created["key"]["kid"]);
  EXPECT_FALSE(r.body.contains("recoveryId")) << "no soft delete: the SDK poller must not wait";

  const Reply listed = env().get("/keys");
  for (const json& item : listed.body["value"]) {
    EXPECT_NE(item["kid"], env().vault_url() + "/keys/delete-me") << "deleted keys are not listed";
  }
  Reply get = env().get("/keys/delete-me/");
  EXPECT_EQ(get.status, 404) << get.describe();
  EXPECT_EQ(get.error_code(), "KeyNotFound");
  EXPECT_EQ(env().get("/keys/delete-me/" + version_of(created)).status, 404);
  Reply release = env().release("delete-me", env().attestation_token());
  EXPECT_EQ(release.status, 404) << release.describe();
  EXPECT_EQ(release.error_code(), "KeyNotFound");
  EXPECT_EQ(env().del("/keys/delete-me").status, 404);
  // The name can be used again, for a new key.
  json again = env().create_key("delete-me");
  EXPECT_NE(again["key"]["n"], created["key"]["n"]);
}

// ---- access policies ---------------------------------------------------------------------

TEST_F(VaultServiceTest, AccessPolicyWithoutCreateIsForbiddenAtTheAccessLayer) {
  const std::string reader = env().bearer(env().reader());
  Reply r = env().post_as("/keys/reader-made/create", env().create_body(), reader);
  EXPECT_EQ(r.status, 403) << r.describe();
  EXPECT_EQ(r.error_code(), "Forbidden");
  EXPECT_EQ(r.layer(), "access_policy");
  EXPECT_EQ(r.body["error"]["innererror"]["code"], "AccessDenied");
  EXPECT_NE(r.message().find("'create'"), std::string::npos) << r.describe();
  EXPECT_NE(r.message().find(env().reader().object_id), std::string::npos) << r.describe();
  EXPECT_EQ(env().get("/keys/reader-made").status, 404);

  // The reader may get and list, not update or delete.
  json key = env().create_key("reader-visible", 2048, false);
  EXPECT_EQ(env().get_as("/keys/reader-visible", reader).status, 200);
  EXPECT_EQ(env().get_as("/keys", reader).status, 200);
  Reply patch = env().call("PATCH", env().url("/keys/reader-visible"),
                           json{{"tags", json::object()}}.dump(), reader);
  EXPECT_EQ(patch.status, 403) << patch.describe();
  EXPECT_EQ(patch.layer(), "access_policy");
  Reply del = env().call("DELETE", env().url("/keys/reader-visible"), "", reader, "");
  EXPECT_EQ(del.status, 403) << del.describe();
  EXPECT_EQ(del.layer(), "access_policy");
  EXPECT_EQ(env().get("/keys/reader-visible").status, 200);

  // An identity with no access policy at all may do nothing.
  ASSERT_TRUE(env().registry().remove_access_policy(env().reader().object_id).ok());
  Reply none = env().get_as("/keys", reader);
  EXPECT_EQ(none.status, 403) << none.describe();
  EXPECT_EQ(none.layer(), "access_policy");
  AccessPolicy restore;
  restore.object_id = env().reader().object_id;
  restore.key_permissions = {"get", "list"};
  ASSERT_TRUE(env().registry().set_access_policy(restore).ok());
  (void)key;
}

// ---- release_policy.data is returned as sent (A5.2) -----------------------------------------

TEST_F(VaultServiceTest, ReleasePolicyDataIsReturnedByteForByteEvenPaddedBase64) {
  // Standard base64 with padding and '+'/'/' (the sidecar's Python test sends
  // that form): find an equivalent policy text whose encoding has them all.
  json policy = test_env::VaultTestEnv::policy(env().maa().url());
  policy["anyOf"].push_back(json{{"authority", "https://other.example/?\?\?>>>"},
                                 {"allOf", {{{"claim", "x-ms-ver"}, {"equals", "1.0"}}}}});
  std::string padded;
  for (int spaces = 0; spaces < 12 && padded.empty(); ++spaces) {
    const std::string text = std::string(static_cast<std::size_t>(spaces), ' ') + policy.dump();
    const std::string b64 = crypto::base64_encode(to_bytes(text));
    if (b64.back() == '=' && b64.find('+') != std::string::npos &&
        b64.find('/') != std::string::npos) {
      padded = b64;
    }
  }
  ASSERT_FALSE(padded.empty()) << "no alignment gives padding, '+' and '/'";

  json body = env().create_body();
  body["release_policy"]["data"] = padded;
  Reply created = env().post("/keys/padded-policy/create", body);
  ASSERT_EQ(created.status, 200) << created.describe();
  EXPECT_EQ(created.body["release_policy"]["data"], padded);
  EXPECT_EQ(env().get("/keys/padded-policy/").body["release_policy"]["data"], padded);

  // And the policy is in force: a valid token releases the key, and the
  // release carries the same bytes.
  Reply released = env().release("padded-policy", env().attestation_token());
  ASSERT_EQ(released.status, 200) << released.describe();
  test_env::UnwrappedRelease u = test_env::VaultTestEnv::unwrap(released.body["value"]);
  EXPECT_EQ(u.payload["response"]["key"]["release_policy"]["data"], padded);

  // Without contentType the default is stored.
  json no_type = env().create_body();
  no_type["release_policy"].erase("contentType");
  no_type["release_policy"].erase("immutable");
  Reply r = env().post("/keys/policy-no-type/create", no_type);
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["release_policy"]["contentType"], "application/json; charset=utf-8");
  EXPECT_EQ(r.body["release_policy"]["immutable"], false);
}

TEST_F(VaultServiceTest, HealthNeedsNoAuthentication) {
  Reply r = env().call("GET", "/health", "", "", "");
  EXPECT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body, json({{"status", "ok"}}));
}

}  // namespace
}  // namespace mpcc::keyvault
