// SidecarClient's transport behaviour against small local servers, the
// released-key parser, and the sidecar's loopback-only server options.
#include "skr/sidecar_client.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "crypto/keys.h"
#include "http/server.h"
#include "skr/sidecar.h"

namespace mpcc::skr {
namespace {

using nlohmann::json;

const jose::Jwk& private_jwk() {
  static const jose::Jwk* jwk = new jose::Jwk(
      jose::Jwk::from_private_key(*crypto::PrivateKey::generate_ec(crypto::Curve::kP256)).value());
  return *jwk;
}

TEST(ParseReleasedKey, DoubleEncodedObjectAndNestedForms) {
  const json jwk = private_jwk().to_json();
  for (const json& body : {json{{"key", jwk.dump()}}, json{{"key", jwk}},
                           json{{"key", {{"key", jwk}, {"attributes", json::object()}}}}}) {
    auto parsed = parse_released_key(body.dump());
    ASSERT_TRUE(parsed.ok()) << body.dump() << ": " << parsed.status().to_string();
    EXPECT_EQ(*parsed, private_jwk());
  }
}

TEST(ParseReleasedKey, Refusals) {
  const json public_jwk = private_jwk().public_only().to_json();
  for (const std::string& body :
       {std::string("not json"), std::string("[]"), json{{"value", "x"}}.dump(),
        json{{"key", "not a jwk text"}}.dump(), json{{"key", 5}}.dump(),
        json{{"key", {{"kty", "RSA"}}}}.dump(), json{{"key", public_jwk.dump()}}.dump()}) {
    auto parsed = parse_released_key(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << body;
    EXPECT_EQ(parsed.status().message().rfind("release answer: ", 0), 0u)
        << parsed.status().message();
  }
}

TEST(SidecarServerOptions, LoopbackOnly) {
  auto v4 = sidecar_server_options("127.0.0.1", 0);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_FALSE(v4->tls);
  EXPECT_EQ(sidecar_server_options("localhost", 8080)->host, "127.0.0.1");
  EXPECT_EQ(sidecar_server_options("::1", 8080)->host, "::1");
  for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "example.com", ""}) {
    auto o = sidecar_server_options(host, 8080);
    ASSERT_FALSE(o.ok()) << host;
    EXPECT_NE(o.status().message().find("the sidecar listens on loopback only"), std::string::npos);
  }
  EXPECT_FALSE(sidecar_server_options("127.0.0.1", 70000).ok());
}

// A port nothing listens on: one a server had and gave back.
int closed_port() {
  http::Server s(http::ServerOptions{});
  EXPECT_TRUE(s.start().ok());
  const int port = s.port();
  s.stop();
  return port;
}

TEST(SidecarClient, NothingListeningIsUnavailable) {
  SidecarClient client("http://127.0.0.1:" + std::to_string(closed_port()), std::nullopt);
  auto r = client.status();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot reach the SKR sidecar"), std::string::npos);
  EXPECT_NE(r.status().message().find("cannot connect"), std::string::npos) << r.status().message();
  EXPECT_EQ(client.release("m:1", "v:1", "k").status().code(), StatusCode::kUnavailable);
}

TEST(SidecarClient, SendsTheGroupTokenAndBodiesAndReturnsAnyAnswer) {
  http::Server server(http::ServerOptions{});
  std::mutex mu;
  std::vector<json> seen;
  server.route(http::Method::kPost, "/(attest/raw|attest/combined|attest/maa|key/release)",
               [&](const http::Request& r) {
                 std::lock_guard lock(mu);
                 seen.push_back({{"path", r.path},
                                 {"token", r.header(kGroupTokenHeader).value_or("<none>")},
                                 {"body", json::parse(r.body)}});
                 return http::Response::json(403, {{"error", "no"}, {"step", "request"}});
               });
  server.route(http::Method::kGet, "/status", [&](const http::Request& r) {
    return http::Response::json(200, {{"token", r.header(kGroupTokenHeader).value_or("<none>")}});
  });
  ASSERT_TRUE(server.start().ok());

  SidecarClient with_token(server.base_url() + "/", std::string("group-secret"));
  EXPECT_EQ(with_token.base_url(), server.base_url());
  auto st = with_token.status();
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  EXPECT_EQ(st->status, 200);
  EXPECT_EQ((*st->json())["token"], "group-secret");
  EXPECT_EQ((*SidecarClient(server.base_url(), std::nullopt).status()->json())["token"], "<none>");

  ASSERT_TRUE(with_token.attest_raw("cnVudGltZQ==").ok());
  ASSERT_TRUE(with_token.attest_combined("cnVudGltZQ==").ok());
  ASSERT_TRUE(with_token.attest_maa("maa:1", "e30=").ok());
  auto released = with_token.release("maa:1", "vault:2", "contoso-key");
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->status, 403);  // an answer, not an error
  EXPECT_EQ((*released->json())["step"], "request");

  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 4u);
  for (const json& s : seen) EXPECT_EQ(s["token"], "group-secret");
  EXPECT_EQ(seen[0]["body"], (json{{"runtime_data", "cnVudGltZQ=="}}));
  EXPECT_EQ(seen[1]["path"], "/attest/combined");
  EXPECT_EQ(seen[2]["body"], (json{{"maa_endpoint", "maa:1"}, {"runtime_data", "e30="}}));
  EXPECT_EQ(seen[3]["body"],
            (json{{"maa_endpoint", "maa:1"}, {"akv_endpoint", "vault:2"}, {"kid", "contoso-key"}}));
  server.stop();
}

TEST(SidecarClient, NoAnswerWithinTheTimeoutIsDeadlineExceeded) {
  http::Server server(http::ServerOptions{});
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  server.route(http::Method::kGet, "/status", [&](const http::Request&) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return released; });
    return http::Response::json(200, {{"message", "late"}});
  });
  ASSERT_TRUE(server.start().ok());
  auto r = SidecarClient(server.base_url(), std::nullopt).status(std::chrono::milliseconds(300));
  {
    std::lock_guard lock(mu);
    released = true;
  }
  cv.notify_all();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().to_string();
  EXPECT_NE(r.status().message().find("within 300 ms"), std::string::npos);
  server.stop();
}

}  // namespace
}  // namespace mpcc::skr
