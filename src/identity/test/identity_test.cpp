#include <gtest/gtest.h>

#include <filesystem>

#include "common/file_io.h"
#include "identity/identity_registry.h"
#include "identity/identity_service.h"
#include "identity/token_issuer.h"
#include "jose/jwt.h"

namespace mpcc::identity {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mpcc_identity_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    registry_ = std::shared_ptr<IdentityRegistry>(IdentityRegistry::open(dir_).value().release());
    auto key = jose::load_or_create_issuer_key(dir_, "token-signing", "test identity issuer");
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    issuer_ = std::make_shared<TokenIssuer>(*key, "https://127.0.0.1:8440", clock_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  jose::JwtVerifier verifier(const std::string& audience) const {
    jose::JwtVerifierOptions o;
    o.issuers = {"https://127.0.0.1:8440"};
    o.audience = audience;
    o.clock = clock_;
    return jose::JwtVerifier(jose::key_set_resolver(jose::JwkSet::from_json(issuer_->jwks()).value()), o);
  }

  http::Request token_request(const std::string& credential, std::optional<std::string> client_id = {}) {
    http::Request r;
    r.method = http::Method::kGet;
    r.path = "/metadata/identity/oauth2/token";
    r.headers = {{"metadata", "true"}, {kCredentialHeader, credential}};
    r.query = {{"api-version", "2018-02-01"}, {"resource", "https://vault.azure.net"}};
    if (client_id) r.query.emplace("client_id", *client_id);
    return r;
  }

  fs::path dir_;
  std::shared_ptr<const Clock> clock_ = std::make_shared<FixedClock>(1800000000);
  std::shared_ptr<IdentityRegistry> registry_;
  std::shared_ptr<TokenIssuer> issuer_;
};

TEST_F(IdentityTest, ProvisionsPersistsAndNeverStoresTheCredential) {
  auto contoso = registry_->provision("contoso");
  ASSERT_TRUE(contoso.ok()) << contoso.status().to_string();
  EXPECT_EQ(contoso->identity.client_id.size(), 36u);
  EXPECT_NE(contoso->identity.client_id, contoso->identity.object_id);
  EXPECT_EQ(registry_->provision("contoso").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(registry_->provision("Bad Name").status().code(), StatusCode::kInvalidArgument);

  std::string file = read_text_file(dir_ / "identities.json").value();
  EXPECT_EQ(file.find(contoso->credential), std::string::npos);
  EXPECT_EQ(fs::status(dir_ / "identities.json").permissions() & fs::perms::others_read, fs::perms::none);

  auto reopened = IdentityRegistry::open(dir_);
  ASSERT_TRUE(reopened.ok());
  auto again = (*reopened)->authenticate(std::nullopt, contoso->credential);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->client_id, contoso->identity.client_id);
}

TEST_F(IdentityTest, ACredentialProvesOnlyItsOwnIdentity) {
  auto contoso = registry_->provision("contoso").value();
  auto fabrikam = registry_->provision("fabrikam").value();
  EXPECT_EQ(registry_->authenticate(contoso.identity.client_id, contoso.credential)->name, "contoso");
  EXPECT_EQ(registry_->authenticate(std::nullopt, fabrikam.credential)->name, "fabrikam");
  auto stolen = registry_->authenticate(fabrikam.identity.client_id, contoso.credential);
  EXPECT_EQ(stolen.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(registry_->authenticate(std::nullopt, "not-a-credential").status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(IdentityTest, IssuedTokensVerifyAgainstThePublishedKeys) {
  auto contoso = registry_->provision("contoso").value();
  auto token = issuer_->issue(contoso.identity, "https://vault.azure.net/.default");
  ASSERT_TRUE(token.ok()) << token.status().to_string();
  EXPECT_EQ(token->resource, "https://vault.azure.net");
  EXPECT_EQ(token->expires_on - token->not_before, 3600);
  auto verified = verifier("https://vault.azure.net").verify(token->token);
  ASSERT_TRUE(verified.ok()) << verified.status().to_string();
  EXPECT_EQ(verified->claims["oid"], contoso.identity.object_id);
  EXPECT_EQ(verified->claims["appid"], contoso.identity.client_id);
  EXPECT_EQ(verified->claims["name"], "contoso");
  EXPECT_EQ(verified->header["alg"], "RS256");
  // Another audience is refused by a verifier that expects the vault.
  auto other = issuer_->issue(contoso.identity, "https://storage.azure.com");
  EXPECT_FALSE(verifier("https://vault.azure.net").verify(other->token).ok());
  EXPECT_EQ(issuer_->issue(contoso.identity, "not a url").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(issuer_->openid_configuration()["jwks_uri"], "https://127.0.0.1:8440/keys");
}

TEST_F(IdentityTest, TokenEndpointHasTheImdsShape) {
  auto contoso = registry_->provision("contoso").value();
  IdentityService service(registry_, issuer_);
  http::Response ok = service.token(token_request(contoso.credential, contoso.identity.client_id));
  ASSERT_EQ(ok.status, 200) << ok.body;
  json body = json::parse(ok.body);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["resource"], "https://vault.azure.net");
  EXPECT_EQ(body["client_id"], contoso.identity.client_id);
  EXPECT_EQ(body["expires_in"], "3600");
  EXPECT_TRUE(body["expires_on"].is_string());
  EXPECT_TRUE(verifier("https://vault.azure.net").verify(body["access_token"].get<std::string>()).ok());
}

TEST_F(IdentityTest, TokenEndpointRefusals) {
  auto contoso = registry_->provision("contoso").value();
  auto fabrikam = registry_->provision("fabrikam").value();
  IdentityService service(registry_, issuer_);

  http::Request no_metadata = token_request(contoso.credential);
  no_metadata.headers = {{kCredentialHeader, contoso.credential}};
  EXPECT_EQ(service.token(no_metadata).status, 400);

  http::Request no_version = token_request(contoso.credential);
  no_version.query.erase("api-version");
  EXPECT_EQ(service.token(no_version).status, 400);

  http::Request no_resource = token_request(contoso.credential);
  no_resource.query.erase("resource");
  EXPECT_EQ(service.token(no_resource).status, 400);

  http::Request no_credential = token_request("");
  no_credential.headers = {{"Metadata", "true"}};
  http::Response r = service.token(no_credential);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_client");

  EXPECT_EQ(service.token(token_request("wrong")).status, 401);
  // Contoso's credential cannot obtain Fabrikam's token.
  EXPECT_EQ(service.token(token_request(contoso.credential, fabrikam.identity.client_id)).status, 401);

  http::Request bad_resource = token_request(contoso.credential);
  bad_resource.query = {{"api-version", "2018-02-01"}, {"resource", "vault"}};
  EXPECT_EQ(service.token(bad_resource).status, 400);
}

}  // namespace
}  // namespace mpcc::identity
