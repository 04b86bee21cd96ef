// The keys' release policies (built from the deployment file and the
// parties' host_data, evaluated by the vault's own policy engine) and
// ensure_release_key against a scripted vault: create, keep, update, refuse.
#include "deploy/vault_keys.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "common/testing/temp_dir.h"
#include "crypto/encoding.h"
#include "http/server.h"
#include "keyvault/release_policy.h"

namespace mpcc::deploy {
namespace {

using nlohmann::json;

const std::string kAuthority = "https://127.0.0.1:7001";
const std::map<std::string, std::string> kHostData = {{"contoso", std::string(64, 'c')},
                                                      {"fabrikam", std::string(64, 'f')},
                                                      {"woodgrove", std::string(64, 'e')}};

json entry(const std::string& host_data) {
  return {{"authority", kAuthority},
          {"allOf",
           {{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}},
            {{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", host_data}},
            {{"claim", "x-ms-sevsnpvm-is-debuggable"}, {"equals", false}}}}};
}

// Claims as the attestation service issues them (attestation/claims.cpp).
json claims(const std::string& host_data, bool debuggable = false) {
  return {{"iss", kAuthority},
          {"x-ms-attestation-type", "sevsnpvm"},
          {"x-ms-sevsnpvm-hostdata", host_data},
          {"x-ms-sevsnpvm-is-debuggable", debuggable}};
}

DeploymentFile embedded() {
  StatusOr<DeploymentFile> f = embedded_deployment_file();
  EXPECT_TRUE(f.ok()) << f.status().to_string();
  return f.ok() ? *f : DeploymentFile{};
}

TEST(KeyReleasePolicy, ContosoKeyGoesToContosoAndWoodgroveOnly) {
  const DeploymentFile f = embedded();
  StatusOr<json> policy = key_release_policy(f, *f.find("contoso"), kAuthority, kHostData);
  ASSERT_TRUE(policy.ok()) << policy.status().to_string();
  EXPECT_EQ(*policy,
            (json{{"version", "1.0.0"},
                  {"anyOf", {entry(kHostData.at("contoso")), entry(kHostData.at("woodgrove"))}}}));

  StatusOr<keyvault::ReleasePolicy> parsed = keyvault::ReleasePolicy::parse(*policy);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_TRUE(parsed->evaluate(claims(kHostData.at("contoso"))).released());
  EXPECT_TRUE(parsed->evaluate(claims(kHostData.at("woodgrove"))).released());
  EXPECT_FALSE(parsed->evaluate(claims(kHostData.at("fabrikam"))).released());
  EXPECT_FALSE(parsed->evaluate(claims(kHostData.at("contoso"), /*debuggable=*/true)).released());
  json other_issuer = claims(kHostData.at("contoso"));
  other_issuer["iss"] = "https://127.0.0.1:9999";
  EXPECT_FALSE(parsed->evaluate(other_issuer).released());
  json no_hostdata = claims(kHostData.at("contoso"));
  no_hostdata.erase("x-ms-sevsnpvm-hostdata");
  EXPECT_FALSE(parsed->evaluate(no_hostdata).released()) << "no generic sevsnpvm-only fallback";
}

TEST(KeyReleasePolicy, WoodgroveKeyHasOneEntry) {
  const DeploymentFile f = embedded();
  StatusOr<json> policy = key_release_policy(f, *f.find("woodgrove"), kAuthority, kHostData);
  ASSERT_TRUE(policy.ok()) << policy.status().to_string();
  EXPECT_EQ(*policy, (json{{"version", "1.0.0"},
                           {"anyOf", json::array({entry(kHostData.at("woodgrove"))})}}));
  StatusOr<json> fabrikam = key_release_policy(f, *f.find("fabrikam"), kAuthority, kHostData);
  ASSERT_TRUE(fabrikam.ok());
  EXPECT_EQ((*fabrikam)["anyOf"].size(), 2u);
}

TEST(KeyReleasePolicy, APartyWithoutHostDataIsRefused) {
  const DeploymentFile f = embedded();
  std::map<std::string, std::string> partial = kHostData;
  partial.erase("woodgrove");
  StatusOr<json> policy = key_release_policy(f, *f.find("contoso"), kAuthority, partial);
  EXPECT_EQ(policy.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(policy.status().message().find("party woodgrove has no host_data"), std::string::npos)
      << policy.status().message();
}

// A vault holding at most one key, scripted per test.
class FakeVault {
 public:
  FakeVault() : server_(http::ServerOptions{}) {
    server_.route(http::Method::kGet, "/keys/([a-z-]+)", [this](const http::Request& r) {
      std::lock_guard lock(mu_);
      requests_.push_back("GET " + r.path);
      if (!authorized(r)) return unauthorized();
      if (!key_) return http::Response::json(404, error("KeyNotFound", "no such key"));
      return http::Response::json(200, *key_);
    });
    server_.route(http::Method::kPost, "/keys/([a-z-]+)/create", [this](const http::Request& r) {
      std::lock_guard lock(mu_);
      requests_.push_back("POST " + r.path);
      if (!authorized(r)) return unauthorized();
      json body = json::parse(r.body);
      key_ = json{{"key", {{"kid", "k"}}}, {"release_policy", body["release_policy"]}};
      last_body_ = body;
      return http::Response::json(200, *key_);
    });
    server_.route(http::Method::kPatch, "/keys/([a-z-]+)", [this](const http::Request& r) {
      std::lock_guard lock(mu_);
      requests_.push_back("PATCH " + r.path);
      if (!authorized(r)) return unauthorized();
      if (immutable_) {
        return http::Response::json(403, error("Forbidden", "the release policy is immutable"));
      }
      json body = json::parse(r.body);
      (*key_)["release_policy"] = body["release_policy"];
      last_body_ = body;
      return http::Response::json(200, *key_);
    });
    Status s = server_.start();
    if (!s.ok()) throw std::runtime_error(s.to_string());
  }

  std::string url() const { return server_.base_url(); }
  void set_key_policy(const json& policy) {
    std::lock_guard lock(mu_);
    key_ = json{{"key", {{"kid", "k"}}},
                {"release_policy", {{"data", crypto::base64url_encode(policy.dump())}}}};
  }
  void set_immutable() { immutable_ = true; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  json last_body() {
    std::lock_guard lock(mu_);
    return last_body_;
  }
  json stored_policy() {
    std::lock_guard lock(mu_);
    StatusOr<Bytes> data =
        crypto::base64url_decode((*key_)["release_policy"]["data"].get<std::string>());
    return data.ok() ? json::parse(to_string(*data)) : json();
  }

 private:
  static json error(const std::string& code, const std::string& message) {
    return {{"error", {{"code", code}, {"message", message}}}};
  }
  static bool authorized(const http::Request& r) {
    return r.header("Authorization").value_or("") == "Bearer the-token";
  }
  static http::Response unauthorized() {
    return http::Response::json(401, error("Unauthorized", "no token"));
  }

  http::Server server_;
  std::mutex mu_;
  std::optional<json> key_;
  json last_body_;
  bool immutable_ = false;
  std::vector<std::string> requests_;
};

class EnsureReleaseKey : public ::testing::Test {
 protected:
  json policy(const std::string& host_data) const {
    return {{"version", "1.0.0"}, {"anyOf", json::array({entry(host_data)})}};
  }
  StatusOr<KeyAction> ensure(const json& p, const std::string& bearer = "the-token") {
    return ensure_release_key(client_, vault_.url(), bearer, "contoso-secret-key", p);
  }
  FakeVault vault_;
  http::Client client_;
};

TEST_F(EnsureReleaseKey, CreatesAnExportableRsaHsmKeyWithThePolicy) {
  StatusOr<KeyAction> a = ensure(policy(std::string(64, 'c')));
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(*a, KeyAction::kCreated);
  EXPECT_EQ(vault_.requests(), (std::vector<std::string>{"GET /keys/contoso-secret-key",
                                                         "POST /keys/contoso-secret-key/create"}));
  const json body = vault_.last_body();
  EXPECT_EQ(body["kty"], "RSA-HSM");
  EXPECT_EQ(body["key_size"], 4096) << "RSA-HSM 4096, as the seed says";
  EXPECT_EQ(body["key_ops"], json({"wrapKey", "unwrapKey", "encrypt", "decrypt"}));
  EXPECT_EQ(body["attributes"]["exportable"], true);
  EXPECT_EQ(body["release_policy"]["immutable"], false);
  EXPECT_EQ(vault_.stored_policy(), policy(std::string(64, 'c')));
}

TEST_F(EnsureReleaseKey, KeepsAKeyWithTheSamePolicyWrittenDifferently) {
  json same = policy(std::string(64, 'c'));
  // Same policy, members in another order: compared canonically.
  vault_.set_key_policy(
      json::parse(R"({"anyOf":[{"allOf":[{"equals":"sevsnpvm","claim":"x-ms-attestation-type"},)"
                  R"({"claim":"x-ms-sevsnpvm-hostdata","equals":")" +
                  std::string(64, 'c') +
                  R"("},{"claim":"x-ms-sevsnpvm-is-debuggable","equals":false}],)"
                  R"("authority":"https://127.0.0.1:7001"}],"version":"1.0.0"})"));
  StatusOr<KeyAction> a = ensure(same);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(*a, KeyAction::kKept);
  EXPECT_EQ(vault_.requests().size(), 1u) << "only the GET";
}

TEST_F(EnsureReleaseKey, UpdatesThePolicyWhenHostDataChanged) {
  vault_.set_key_policy(policy(std::string(64, 'c')));
  StatusOr<KeyAction> a = ensure(policy(std::string(64, 'd')));
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(*a, KeyAction::kPolicyUpdated);
  EXPECT_EQ(vault_.requests().back(), "PATCH /keys/contoso-secret-key");
  EXPECT_EQ(vault_.stored_policy(), policy(std::string(64, 'd')));
  EXPECT_EQ(key_action_name(*a), "release policy updated");
}

TEST_F(EnsureReleaseKey, ARefusalAbortsWithTheVaultsReason) {
  vault_.set_key_policy(policy(std::string(64, 'c')));
  vault_.set_immutable();
  StatusOr<KeyAction> a = ensure(policy(std::string(64, 'd')));
  EXPECT_EQ(a.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(a.status().message().find("403"), std::string::npos) << a.status().message();
  EXPECT_NE(a.status().message().find("the release policy is immutable"), std::string::npos)
      << a.status().message();
  EXPECT_EQ(vault_.stored_policy(), policy(std::string(64, 'c'))) << "nothing weakened";

  StatusOr<KeyAction> unauthorized = ensure(policy(std::string(64, 'c')), "wrong");
  EXPECT_EQ(unauthorized.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(unauthorized.status().message().find("401"), std::string::npos);
}

TEST_F(EnsureReleaseKey, AnInvalidPolicyOrAnUnreachableVaultFails) {
  StatusOr<KeyAction> bad = ensure(json{{"version", "1.0.0"}, {"anyOf", json::array()}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(vault_.requests().empty()) << "refused before any request";
  StatusOr<KeyAction> down =
      ensure_release_key(client_, "http://127.0.0.1:1", "t", "k", policy(std::string(64, 'c')));
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
}

TEST(FetchAccessToken, AMissingCredentialOrAnUnreachableServiceFails) {
  mpcc::testing::TempDir dir("access_token");
  StatusOr<std::string> none = fetch_access_token({}, "http://127.0.0.1:1", dir.path() / "absent");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  std::ofstream(dir.path() / "cred") << "secret";
  StatusOr<std::string> down = fetch_access_token({}, "http://127.0.0.1:1", dir.path() / "cred");
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace mpcc::deploy
