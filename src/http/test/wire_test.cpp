// What the server does with requests no well-behaved client sends, checked
// with exact bytes on a raw socket (plain HTTP; the TLS layer is the same
// httplib code path).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/errors.h"
#include "http/server.h"
#include "http/test/test_util.h"

namespace mpcc::http {
namespace {

using testing::raw_exchange;
using testing::RawResponse;

class WireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.max_body_bytes = 1024;
    server_ = std::make_unique<Server>(o);
    server_->route(Method::kGet, "/inspect", [](const Request& r) {
      nlohmann::json q = nlohmann::json::object();
      for (const auto& [k, v] : r.query) q[k] = v;
      nlohmann::json h = nlohmann::json::array();
      for (const auto& [k, v] : r.headers) h.push_back({k, v});
      return Response::json(200, {{"path", r.path},
                                  {"query", q},
                                  {"x_first", r.query_param("x").value_or("<none>")},
                                  {"x_count", r.query.count("x")},
                                  {"headers", h},
                                  {"scheme_host", r.scheme_host},
                                  {"x_test", r.header("X-Test").value_or("<none>")}});
    });
    server_->route(Method::kPost, "/size", [](const Request& r) {
      return Response::json(200, {{"size", r.body.size()}, {"body", r.body}});
    });
    server_->route(Method::kGet, "/a/([^/]+)", [](const Request& r) {
      return Response::json(200, {{"param", r.path_params.at(0)}});
    });
    ASSERT_TRUE(server_->start().ok());
  }
  RawResponse send(const std::string& request) { return raw_exchange(server_->port(), request); }
  static nlohmann::json json(const RawResponse& r) { return nlohmann::json::parse(r.body); }
  std::unique_ptr<Server> server_;
};

TEST_F(WireTest, PostWithoutLengthOrChunkingHasAnEmptyBody) {
  // What `curl -X POST` sends: no Content-Length, no Transfer-Encoding (RFC
  // 9112 6.3: no body), on a connection the client keeps open.
  RawResponse r = send("POST /size HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(r.status, 200) << r.head;
  EXPECT_EQ(json(r)["size"], 0);
}

TEST_F(WireTest, PercentEncodedQueryNamesAndValuesAreDecoded) {
  RawResponse r = send(
      "GET /inspect?api%2Dversion=7.4&x=a%20b&x=c&plus=1+2 HTTP/1.1\r\nHost: h\r\n"
      "Connection: close\r\n\r\n");
  ASSERT_EQ(r.status, 200) << r.head;
  nlohmann::json j = json(r);
  EXPECT_EQ(j["query"]["api-version"], "7.4");
  EXPECT_EQ(j["x_first"], "a b");  // query_param: the first of repeated values
  EXPECT_EQ(j["x_count"], 2);
  EXPECT_TRUE(j["query"].contains("plus"));
}

TEST_F(WireTest, PathIsDecodedBeforeRouting) {
  RawResponse r = send("GET /a/k%31 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json(r)["param"], "k1");
}

TEST_F(WireTest, HeadersAreCaseInsensitiveAndHttplibPseudoHeadersHidden) {
  RawResponse r = send("GET /inspect HTTP/1.1\r\nHost: h\r\nx-TeSt: v1\r\nREMOTE_ADDR: 6.6.6.6\r\n"
                       "Connection: close\r\n\r\n");
  ASSERT_EQ(r.status, 200);
  nlohmann::json j = json(r);
  EXPECT_EQ(j["x_test"], "v1");
  for (const auto& h : j["headers"]) {
    std::string name = h[0];
    EXPECT_NE(name, "REMOTE_ADDR");
    EXPECT_NE(name, "REMOTE_PORT");
    EXPECT_NE(name, "LOCAL_ADDR");
    EXPECT_NE(name, "LOCAL_PORT");
  }
}

TEST_F(WireTest, SchemeHostComesFromTheHostHeader) {
  RawResponse r =
      send("GET /inspect HTTP/1.1\r\nHost: contoso.vault.localhost:8444\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(json(r)["scheme_host"], "http://contoso.vault.localhost:8444");
}

TEST_F(WireTest, ImplausibleOrMissingHostFallsBackToTheLocalAddress) {
  std::string local = "http://127.0.0.1:" + std::to_string(server_->port());
  RawResponse bad =
      send("GET /inspect HTTP/1.1\r\nHost: evil.test/x?y\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(json(bad)["scheme_host"], local);
  RawResponse none = send("GET /inspect HTTP/1.0\r\n\r\n");
  EXPECT_EQ(json(none)["scheme_host"], local);
}

TEST_F(WireTest, MalformedRequestLineIs400Json) {
  RawResponse r = send("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json(r)["error"]["code"], "BadRequest");
  EXPECT_EQ(json(r)["error"]["message"], "malformed HTTP request");
}

TEST_F(WireTest, UnknownMethodIs400Json) {
  RawResponse r = send("BREW /inspect HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json(r)["error"]["code"], "BadRequest");
}

TEST_F(WireTest, OptionsAndHeadOnKnownPaths) {
  RawResponse o = send("OPTIONS /size HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(o.status, 405);
  EXPECT_NE(o.head.find("Allow: POST"), std::string::npos) << o.head;
  RawResponse h = send("HEAD /inspect HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(h.status, 200);
}

TEST_F(WireTest, ContentLengthOverLimitIs413) {
  RawResponse r = send("POST /size HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n"
                       "Content-Length: 2000\r\nConnection: close\r\n\r\n" +
                       std::string(2000, 'a'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(json(r)["error"]["code"], "PayloadTooLarge");
}

TEST_F(WireTest, ChunkedBodyOverLimitIs413) {
  std::string req =
      "POST /size HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n";
  for (int i = 0; i < 3; ++i) req += "200\r\n" + std::string(512, 'b') + "\r\n";
  req += "0\r\n\r\n";
  RawResponse r = send(req);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(json(r)["error"]["code"], "PayloadTooLarge");
  EXPECT_NE(r.head.find("Connection: close"), std::string::npos);
}

TEST_F(WireTest, ChunkedBodyWithinLimitIsAccepted) {
  std::string req =
      "POST /size HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  RawResponse r = send(req);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json(r)["body"], "hello world");
}

TEST_F(WireTest, FormBodiesStayInTheBodyNotTheQuery) {
  RawResponse r = send("POST /size HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: 7\r\nConnection: close\r\n\r\na=1&b=2");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json(r)["body"], "a=1&b=2");
}

TEST_F(WireTest, MultipartIsRefused) {
  RawResponse r = send("POST /size HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                       "Content-Length: 4\r\nConnection: close\r\n\r\n--x\n");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(json(r)["error"]["code"], "UnsupportedMediaType");
}

TEST(WireTimeout, BodyThatStopsArrivingIs400AfterTheReadTimeout) {
  ServerOptions o;
  o.read_timeout_seconds = 1;
  Server s(o);
  s.route(Method::kPost, "/size", [](const Request& r) {
    return Response::json(200, {{"size", r.body.size()}});
  });
  ASSERT_TRUE(s.start().ok());
  int fd = testing::connect_loopback(s.port());
  testing::send_all(fd, "POST /size HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nshort");
  auto t0 = std::chrono::steady_clock::now();
  RawResponse r = testing::read_response(fd);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ::close(fd);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["message"], "cannot read the request body");
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(elapsed, std::chrono::seconds(4));
}

TEST_F(WireTest, LongPathIs404NotACrash) {
  std::string path = "/" + std::string(8000, 'p');
  RawResponse r = send("GET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status, 404);
  RawResponse too_long =
      send("GET /" + std::string(9000, 'p') + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(too_long.status, 414);
  EXPECT_EQ(json(too_long)["error"]["code"], "UriTooLong");
}

TEST_F(WireTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  int fd = testing::connect_loopback(server_->port());
  for (int i = 0; i < 3; ++i) {
    testing::send_all(fd, "GET /a/" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n");
    RawResponse r = testing::read_response(fd);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(json(r)["param"], std::to_string(i));
  }
  ::close(fd);
}

}  // namespace
}  // namespace mpcc::http
