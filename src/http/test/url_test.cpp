#include <gtest/gtest.h>

#include <string>

#include "http/client.h"
#include "http/server.h"

namespace mpcc::http {
namespace {

TEST(Url, ParsesHttpsWithPortPathAndQuery) {
  Url u = Url::parse("https://127.0.0.1:8443/attest/SevSnpVm?api-version=2022-08-01").value();
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.path_and_query, "/attest/SevSnpVm?api-version=2022-08-01");
  EXPECT_EQ(u.origin(), "https://127.0.0.1:8443");
}

TEST(Url, DefaultPortsAndPaths) {
  Url a = Url::parse("https://localhost").value();
  EXPECT_EQ(a.port, 443);
  EXPECT_EQ(a.path_and_query, "/");
  EXPECT_EQ(a.origin(), "https://localhost");
  Url b = Url::parse("HTTP://Example.test?x=1").value();
  EXPECT_EQ(b.scheme, "http");
  EXPECT_EQ(b.port, 80);
  EXPECT_EQ(b.path_and_query, "/?x=1");
  EXPECT_EQ(b.origin(), "http://Example.test");
  EXPECT_EQ(Url::parse("http://h:8080").value().origin(), "http://h:8080");
}

TEST(Url, KeepsPercentEncodingAndDropsFragment) {
  Url u = Url::parse("https://h/keys/k1/?api%2Dversion=7.4#frag").value();
  EXPECT_EQ(u.path_and_query, "/keys/k1/?api%2Dversion=7.4");
}

TEST(Url, Ipv6Literal) {
  Url u = Url::parse("https://[::1]:8443/x").value();
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.origin(), "https://[::1]:8443");
}

TEST(Url, RejectsMalformed) {
  for (const char* bad :
       {"", "127.0.0.1:8443/x", "ftp://h/x", "https://", "https:///x", "https://h:/x",
        "https://h:0/x", "https://h:65536/x", "https://h:12ab/x", "https://user:pw@h/x",
        "https://h/a b", "https://h/\r\nX-Injected: 1", "https://h/caf\xc3\xa9", "https://[::1/x",
        "https://[::1]x/", "https://[zz::1]/", "https://h%2F/x", "https://h/x\x7f"}) {
    StatusOr<Url> u = Url::parse(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ClientRequest, InvalidUrlMethodOrHeaderIsInvalidArgument) {
  Client c;
  EXPECT_EQ(c.get("gopher://h/").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.request("GE T", "http://127.0.0.1:1/", "", "").status().code(),
            StatusCode::kInvalidArgument);
  Status s = c.get("http://127.0.0.1:1/", {{"X-A", "v\r\nX-B: injected"}}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("invalid header 'X-A'"), std::string::npos);
  EXPECT_EQ(c.get("http://127.0.0.1:1/", {{"Bad Name", "v"}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ClientRequest, UnserializableJsonBodyIsInvalidArgument) {
  Client c;
  Status s = c.post_json("http://127.0.0.1:1/", nlohmann::json("bad \xff utf8")).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cannot be serialized"), std::string::npos);
}

TEST(ClientResponse, HeaderIsCaseInsensitiveAndJsonChecked) {
  ClientResponse r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Ms-Request-Id", "1"}};
  r.body = R"({"a":1})";
  EXPECT_EQ(r.header("content-type").value(), "application/json");
  EXPECT_EQ(r.header("x-ms-request-id").value(), "1");
  EXPECT_FALSE(r.header("x-missing").has_value());
  EXPECT_EQ(r.json().value()["a"], 1);
  r.body = "not json";
  Status s = r.json().status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("response body is not JSON"), std::string::npos);
}

TEST(RequestHelpers, HeaderQueryAndJsonBody) {
  Request r;
  r.headers = {{"Authorization", "Bearer t"}, {"X-Ms-Client-Request-Id", "id"}};
  r.query = {{"api-version", "7.4"}, {"x", "1"}, {"x", "2"}};
  EXPECT_EQ(r.header("authorization").value(), "Bearer t");
  EXPECT_EQ(r.header("AUTHORIZATION").value(), "Bearer t");
  EXPECT_FALSE(r.header("Authorization2").has_value());
  EXPECT_EQ(r.query_param("api-version").value(), "7.4");
  EXPECT_EQ(r.query_param("x").value(), "1");
  EXPECT_FALSE(r.query_param("API-VERSION").has_value());
  r.body = R"({"kty":"RSA-HSM"})";
  EXPECT_EQ(r.json_body().value()["kty"], "RSA-HSM");
  r.body = "";
  Status s = r.json_body().status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("request body is not JSON"), std::string::npos);
}

TEST(RequestHelpers, DeeplyNestedJsonDoesNotCrash) {
  Request r;
  r.body = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(r.json_body().ok());
  r.body = std::string(100000, '[');
  EXPECT_EQ(r.json_body().status().code(), StatusCode::kInvalidArgument);
}

TEST(ResponseHelpers, JsonTextAndHeaders) {
  Response j = Response::json(201, {{"a", 1}});
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.body, R"({"a":1})");
  EXPECT_EQ(j.content_type, "application/json; charset=utf-8");
  Response t = Response::text(200, "hi").with_header("X-A", "1").with_header("X-B", "2");
  EXPECT_EQ(t.content_type, "text/plain");
  EXPECT_EQ(t.body, "hi");
  ASSERT_EQ(t.headers.size(), 2u);
  EXPECT_EQ(t.headers[1].first, "X-B");
}

}  // namespace
}  // namespace mpcc::http
