// Parsing the sidecar's request bodies: every refusal names its field.
#include "skr/sidecar_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"

namespace mpcc::skr {
namespace {

using nlohmann::json;

std::string b64(const std::string& s) { return crypto::base64_encode(as_span(s)); }

void expect_refused(const Status& s, const std::string& starts_with) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
  EXPECT_EQ(s.message().rfind(starts_with, 0), 0u) << s.message();
}

TEST(RuntimeDataRequest, DecodesStandardBase64) {
  auto r = parse_runtime_data_request(json{{"runtime_data", b64("{\"nonce\":\"1234\"}")}}.dump());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->runtime_data, to_bytes("{\"nonce\":\"1234\"}"));
  // Unknown members are ignored.
  EXPECT_TRUE(
      parse_runtime_data_request(json{{"runtime_data", b64("x")}, {"other", 1}}.dump()).ok());
}

TEST(RuntimeDataRequest, Refusals) {
  expect_refused(parse_runtime_data_request("{not json").status(), "request body is not JSON");
  expect_refused(parse_runtime_data_request("[1]").status(), "request body is not a JSON object");
  expect_refused(parse_runtime_data_request("{}").status(), "runtime_data: missing");
  expect_refused(parse_runtime_data_request(R"({"runtime_data":null})").status(),
                 "runtime_data: missing");
  expect_refused(parse_runtime_data_request(R"({"runtime_data":42})").status(),
                 "runtime_data: not a string");
  expect_refused(parse_runtime_data_request(R"({"runtime_data":""})").status(),
                 "runtime_data: empty");
  expect_refused(parse_runtime_data_request(R"({"runtime_data":"not base64!"})").status(),
                 "runtime_data: not standard base64");
  // The URL-safe alphabet is not standard base64.
  expect_refused(parse_runtime_data_request(R"({"runtime_data":"-_-_"})").status(),
                 "runtime_data: not standard base64");
}

TEST(MaaRequest, ParsesEndpointAndJsonRuntimeData) {
  auto r = parse_maa_request(
      json{{"maa_endpoint", "127.0.0.1:8443"}, {"runtime_data", b64(R"({"a":1})")}}.dump());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->maa.authority(), "127.0.0.1:8443");
  EXPECT_EQ(r->runtime_data, to_bytes(R"({"a":1})"));
}

TEST(MaaRequest, Refusals) {
  expect_refused(parse_maa_request(json{{"runtime_data", b64("{}")}}.dump()).status(),
                 "maa_endpoint: missing");
  expect_refused(
      parse_maa_request(json{{"maa_endpoint", "https://maa"}, {"runtime_data", b64("{}")}}.dump())
          .status(),
      "maa_endpoint: ");
  expect_refused(parse_maa_request(json{{"maa_endpoint", "maa"}}.dump()).status(),
                 "runtime_data: missing");
  expect_refused(
      parse_maa_request(json{{"maa_endpoint", "maa"}, {"runtime_data", b64("not json")}}.dump())
          .status(),
      "runtime_data: must decode to a JSON object");
  expect_refused(
      parse_maa_request(json{{"maa_endpoint", "maa"}, {"runtime_data", b64("[1,2]")}}.dump())
          .status(),
      "runtime_data: must decode to a JSON object");
}

json release_body() {
  return {{"maa_endpoint", "127.0.0.1:1"}, {"akv_endpoint", "127.0.0.1:2"}, {"kid", "contoso-key"}};
}

TEST(ReleaseRequest, ParsesFieldsAndOptionalAccessToken) {
  auto r = parse_release_request(release_body().dump());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->maa.port, 1);
  EXPECT_EQ(r->akv.port, 2);
  EXPECT_EQ(r->kid, "contoso-key");
  EXPECT_FALSE(r->access_token);

  json with_version = release_body();
  with_version["kid"] = "contoso-key/0123456789abcdef0123456789abcdef";
  with_version["access_token"] = "eyJ.token";
  auto v = parse_release_request(with_version.dump());
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->access_token, "eyJ.token");

  json empty_token = release_body();
  empty_token["access_token"] = "";
  auto e = parse_release_request(empty_token.dump());
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->access_token);
}

TEST(ReleaseRequest, Refusals) {
  for (const char* field : {"maa_endpoint", "akv_endpoint", "kid"}) {
    json b = release_body();
    b.erase(field);
    expect_refused(parse_release_request(b.dump()).status(), std::string(field) + ": missing");
  }
  json scheme = release_body();
  scheme["akv_endpoint"] = "https://vault.azure.net";
  expect_refused(parse_release_request(scheme.dump()).status(), "akv_endpoint: ");
  for (const char* kid : {"../other", "k/v/x", "k?x=1", "k/", "/v", "k%2F", "k y"}) {
    json b = release_body();
    b["kid"] = kid;
    expect_refused(parse_release_request(b.dump()).status(), "kid: ");
  }
  json long_kid = release_body();
  long_kid["kid"] = std::string(128, 'k');
  expect_refused(parse_release_request(long_kid.dump()).status(), "kid: ");
  json token = release_body();
  token["access_token"] = 7;
  expect_refused(parse_release_request(token.dump()).status(), "access_token: not a string");
}

}  // namespace
}  // namespace mpcc::skr
