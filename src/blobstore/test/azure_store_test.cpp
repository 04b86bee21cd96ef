// File: blobstore/test/azure_store_test.cpp
//
// What only the Azure client has: Shared Key signing (the spec's captured
// string-to-sign), refusal by Azurite of a wrong key (kPermissionDenied),
// mapping of other upstream answers and transport failures, connection
// string parsing (never echoing the key), and configuration checks.
#include "blobstore/azure_store.h"

#include <gtest/gtest.h>

#include <string>

#include "blobstore/azure_config.h"
#include "blobstore/shared_key.h"
#include "blobstore/test/test_util.h"
#include "crypto/encoding.h"

namespace mpcc::blobstore {
namespace {

using testing::Azurite;

const std::string kKeyText(kAzuriteAccountKey);

AzureBlobConfig azurite_config() {
  const Azurite* azurite = Azurite::shared();
  if (azurite == nullptr) return {};
  StatusOr<AzureBlobConfig> config = parse_connection_string(azurite->connection_string());
  return config.ok() ? *config : AzureBlobConfig{};
}

// Spec azure-sdk-interop.md B3: the string-to-sign Azurite logged for a
// Create Container request.
TEST(SharedKey, StringToSignMatchesTheCapturedExample) {
  SharedKeyRequest r;
  r.method = "PUT";
  r.path = "/devstoreaccount1/mycontainer";
  r.query = {{"restype", "container"}};
  r.headers = {{"x-ms-version", "2025-11-05"}, {"x-ms-date", "Tue, 24 Nov 2026 18:29:05 GMT"}};
  EXPECT_EQ(shared_key_string_to_sign("devstoreaccount1", r),
            "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Tue, 24 Nov 2026 18:29:05 GMT\n"
            "x-ms-version:2025-11-05\n/devstoreaccount1/devstoreaccount1/mycontainer\n"
            "restype:container");
}

TEST(SharedKey, SignsStandardHeadersSortedXmsHeadersAndDecodedQuery) {
  SharedKeyRequest r;
  r.method = "PUT";
  r.path = "/acct/c/dir/hello%20world.txt";
  r.query = {{"Marker", "dir/x"}, {"comp", "list"}, {"prefix", "dir/"}};
  r.headers = {{"Content-Type", "application/json"},
               {"If-Match", "\"0x1\""},
               {"If-None-Match", "*"},
               {"x-ms-meta-b", "2"},
               {"X-MS-Meta-A", "  1"},
               {"x-ms-version", "2025-11-05"},
               {"x-ms-date", "D"},
               {"User-Agent", "ignored"}};
  r.content_length = 5;
  EXPECT_EQ(shared_key_string_to_sign("acct", r),
            "PUT\n\n\n5\n\napplication/json\n\n\n\"0x1\"\n*\n\n\n"
            "x-ms-date:D\nx-ms-meta-a:1\nx-ms-meta-b:2\nx-ms-version:2025-11-05\n"
            "/acct/acct/c/dir/hello%20world.txt\ncomp:list\nmarker:dir/x\nprefix:dir/");
}

TEST(SharedKey, AuthorizationIsBase64HmacSha256) {
  SharedKeyRequest r;
  r.method = "GET";
  r.path = "/acct/c";
  const std::string auth = shared_key_authorization("acct", as_span("key"), r);
  ASSERT_TRUE(auth.starts_with("SharedKey acct:"));
  StatusOr<Bytes> mac = crypto::base64_decode(auth.substr(std::string("SharedKey acct:").size()));
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(mac->size(), 32u);
  EXPECT_NE(shared_key_authorization("acct", as_span("other key"), r), auth);
}

TEST(AzureStore, WrongAccountKeyIsPermissionDenied) {
  AzureBlobConfig config = azurite_config();
  ASSERT_FALSE(config.account_name.empty()) << Azurite::error();
  const std::string wrong_key = "d3Jvbmcga2V5IGZvciBhIHRlc3Qgb25seSwgcGxlYXNlIGlnbm9yZQ==";
  StatusOr<Bytes> decoded = crypto::base64_decode(wrong_key);
  ASSERT_TRUE(decoded.ok());
  config.account_key = to_secure(*decoded);
  StatusOr<std::unique_ptr<BlobStore>> store = open_azure_store(config);
  ASSERT_TRUE(store.ok());
  const std::string container = testing::fresh_container_name();
  const Status created = (*store)->create_container(container);
  EXPECT_EQ(created.code(), StatusCode::kPermissionDenied) << created.to_string();
  EXPECT_NE(created.message().find("403"), std::string::npos) << created.message();
  EXPECT_NE(created.message().find("AuthorizationFailure"), std::string::npos) << created.message();
  EXPECT_EQ(created.message().find(wrong_key), std::string::npos);
  EXPECT_EQ((*store)->put(container, "a", "x").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ((*store)->list(container).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ((*store)->get(container, "a").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ((*store)->remove(container, "a").code(), StatusCode::kPermissionDenied);
}

TEST(AzureStore, UnsupportedApiVersionIsAnUpstreamError) {
  AzureBlobConfig config = azurite_config();
  ASSERT_FALSE(config.account_name.empty()) << Azurite::error();
  config.api_version = "2099-01-01";
  StatusOr<std::unique_ptr<BlobStore>> store = open_azure_store(config);
  ASSERT_TRUE(store.ok());
  const Status s = (*store)->create_container(testing::fresh_container_name());
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.to_string();
  EXPECT_NE(s.message().find("HTTP 400 InvalidHeaderValue"), std::string::npos) << s.message();
}

TEST(AzureStore, TransportFailureIsUnavailable) {
  AzureBlobConfig config = azurite_config();
  ASSERT_FALSE(config.account_name.empty()) << Azurite::error();
  config.blob_endpoint =
      "http://127.0.0.1:" + std::to_string(testing::free_loopback_port()) + "/devstoreaccount1";
  StatusOr<std::unique_ptr<BlobStore>> store = open_azure_store(config);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->get("abc", "x").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ((*store)->put("abc", "x", "y").status().code(), StatusCode::kUnavailable);
}

TEST(AzureStore, OpenChecksTheConfiguration) {
  AzureBlobConfig good;
  good.account_name = "acct";
  good.account_key = to_secure(as_span("key"));
  good.blob_endpoint = "https://acct.blob.core.windows.net/";
  StatusOr<std::unique_ptr<BlobStore>> store = open_azure_store(good);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  EXPECT_EQ((*store)->describe(), "azure https://acct.blob.core.windows.net");
  EXPECT_EQ((*store)->blob_url("c1c", "a/b c"), "https://acct.blob.core.windows.net/c1c/a/b%20c");

  AzureBlobConfig bad = good;
  bad.account_key.clear();
  EXPECT_EQ(open_azure_store(bad).status().code(), StatusCode::kInvalidArgument);
  bad = good;
  bad.account_name.clear();
  EXPECT_EQ(open_azure_store(bad).status().code(), StatusCode::kInvalidArgument);
  bad = good;
  bad.blob_endpoint = "ftp://example";
  EXPECT_EQ(open_azure_store(bad).status().code(), StatusCode::kInvalidArgument);
  bad = good;
  bad.blob_endpoint = "https://acct.blob.core.windows.net/?sv=2020&sig=x";
  EXPECT_EQ(open_azure_store(bad).status().code(), StatusCode::kInvalidArgument);
  bad = good;
  bad.api_version = "latest";
  EXPECT_EQ(open_azure_store(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(ConnectionString, AzuriteStyle) {
  StatusOr<AzureBlobConfig> c = parse_connection_string(
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + kKeyText +
      ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->account_name, "devstoreaccount1");
  EXPECT_EQ(c->blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
  StatusOr<Bytes> key = crypto::base64_decode(kKeyText);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(Bytes(c->account_key.begin(), c->account_key.end()), *key);
  EXPECT_EQ(c->api_version, "2025-11-05");
}

TEST(ConnectionString, AzureStyleWithEndpointSuffix) {
  StatusOr<AzureBlobConfig> c = parse_connection_string(
      "DefaultEndpointsProtocol=https;AccountName=contosodata;AccountKey=" + kKeyText +
      ";EndpointSuffix=core.chinacloudapi.cn");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->blob_endpoint, "https://contosodata.blob.core.chinacloudapi.cn");
  // Defaults: https and core.windows.net; names are case-insensitive.
  c = parse_connection_string(" accountname=contosodata ; ACCOUNTKEY=" + kKeyText + " ;");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->blob_endpoint, "https://contosodata.blob.core.windows.net");
  // Other services' endpoints are ignored; a trailing '/' is dropped.
  c = parse_connection_string("AccountName=contosodata;AccountKey=" + kKeyText +
                              ";QueueEndpoint=https://q;BlobEndpoint=https://b.example/");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->blob_endpoint, "https://b.example");
}

TEST(ConnectionString, UseDevelopmentStorage) {
  StatusOr<AzureBlobConfig> c = parse_connection_string("UseDevelopmentStorage=true");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->account_name, "devstoreaccount1");
  EXPECT_EQ(c->blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
  EXPECT_EQ(c->account_key.size(), 64u);
  EXPECT_FALSE(parse_connection_string("UseDevelopmentStorage=false").ok());
  EXPECT_FALSE(parse_connection_string("UseDevelopmentStorage=true;AccountName=x").ok());
}

// Every refusal is kInvalidArgument and no message contains key text.
TEST(ConnectionString, ErrorsNameThePartAndNeverTheKey) {
  const std::string k = kKeyText;
  struct Case {
    std::string text;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"AccountName=contosodata", "AccountKey is missing"},
      {"AccountName=contosodata;AccountKey=", "AccountKey is missing"},
      {"AccountName=contosodata;AccountKey=not*base64" + k, "AccountKey is not valid base64"},
      {"AccountKey=" + k, "AccountName is missing"},
      {"AccountName=Bad_Name;AccountKey=" + k, "AccountName must be"},
      {"AccountName=contosodata;AccountKey=" + k + ";Color=blue", "unknown setting 'Color'"},
      {"AccountName=contosodata;" + k.substr(0, 86), "setting number 2 is not Name=Value"},
      {"AccountName=contosodata;" + k + "=x", "unknown setting number 2"},
      {"AccountName=contosodata;AccountName=b;AccountKey=" + k, "given twice"},
      {"AccountName=contosodata;AccountKey=" + k + ";DefaultEndpointsProtocol=ftp",
       "DefaultEndpointsProtocol must be http or https"},
      {"AccountName=contosodata;AccountKey=" + k + ";BlobEndpoint=not a url", "BlobEndpoint"},
      {"AccountName=contosodata;AccountKey=" + k + ";EndpointSuffix=a/b", "EndpointSuffix"},
      {"BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=2020&sig=" + k,
       "not supported"},
  };
  for (const auto& c : cases) {
    StatusOr<AzureBlobConfig> r = parse_connection_string(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find(k.substr(0, 12)), std::string::npos)
        << r.status().message();
    EXPECT_EQ(r.status().message().find("not*base64"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace mpcc::blobstore
