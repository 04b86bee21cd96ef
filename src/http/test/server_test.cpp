// Server + Client over TLS and plain HTTP on 127.0.0.1 with ephemeral ports.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"
#include "http/errors.h"
#include "http/test/test_util.h"
#include "http/tls.h"

namespace mpcc::http {
namespace {

using testing::TempDir;

// One CA and server certificate for the whole suite (key generation is the slow part).
struct Pki {
  TempDir dir;
  LocalCaFiles ca;
  TlsFiles server;
  TempDir other_dir;
  LocalCaFiles other_ca;
  TlsFiles wrong_name;  // issued by `ca` for names that are not 127.0.0.1/localhost
  Pki()
      : ca(ensure_local_ca(dir.path()).value()),
        server(ensure_server_certificate(ca, dir.path(), "server", {"localhost"}, {"127.0.0.1"})
                   .value()),
        other_ca(ensure_local_ca(other_dir.path()).value()),
        wrong_name(ensure_server_certificate(ca, dir.path(), "elsewhere", {"elsewhere.test"},
                                             {"10.9.9.9"})
                       .value()) {}
};

const Pki& pki() {
  static const Pki* p = new Pki();
  return *p;
}

void add_routes(Server& s) {
  s.route(Method::kGet, "/hello", [](const Request&) {
    return Response::json(200, {{"hello", "world"}});
  });
  s.route(Method::kPost, R"(/echo/([^/]+)(?:/([^/]+))?/?)", [](const Request& r) {
    StatusOr<nlohmann::json> body = r.json_body();
    if (!body.ok()) return error_response(body.status(), "BadParameter");
    nlohmann::json out = {
        {"method", "POST"},
        {"path", r.path},
        {"params", r.path_params},
        {"api_version", r.query_param("api-version").value_or("<none>")},
        {"x_test", r.header("x-test").value_or("<none>")},
        {"x_test_upper", r.header("X-TEST").value_or("<none>")},
        {"body", *body},
        {"scheme_host", r.scheme_host},
        {"remote_addr", r.remote_addr},
    };
    return Response::json(200, out).with_header("X-Reply", "yes");
  });
  s.route(Method::kGet, "/query", [](const Request& r) {
    nlohmann::json q = nlohmann::json::object();
    for (const auto& [k, v] : r.query) q[k] = v;
    nlohmann::json h = nlohmann::json::object();
    for (const auto& [k, v] : r.headers) h[k] = v;
    return Response::json(200, {{"query", q}, {"headers", h}, {"scheme_host", r.scheme_host}});
  });
  s.route(Method::kGet, "/throw", [](const Request&) -> Response {
    throw std::runtime_error("boom with secret body");
  });
  s.route(Method::kGet, "/throw-int", [](const Request&) -> Response { throw 42; });
  s.route(Method::kGet, "/bad-status", [](const Request&) { return Response::text(999, "x"); });
  s.route(Method::kGet, "/big/([0-9]+)", [](const Request& r) {
    return Response::text(200, std::string(std::stoul(r.path_params[0]), 'x'));
  });
  s.route(Method::kGet, "/keys/([^/]+)", [](const Request& r) {
    return error_response(not_found("A key with (name/id) " + r.path_params[0] +
                                    " was not found in this key vault."),
                          "KeyNotFound");
  });
  s.route(Method::kGet, "/unauthorized", [](const Request&) {
    return error_response(unauthenticated("AKV10000: Request is missing a Bearer or PoP token."),
                          "Unauthorized")
        .with_header("WWW-Authenticate",
                     R"(Bearer authorization="https://login.microsoftonline.com/t", resource="https://vault.azure.net")");
  });
  s.route(Method::kGet, "/content-type", [](const Request&) {
    return Response::text(200, "<a/>").with_header("content-type", "application/xml");
  });
  s.route(Method::kPost, "/only-post", [](const Request& r) {
    return Response::json(200, {{"size", r.body.size()}});
  });
  s.route(Method::kPut, "/only-post", [](const Request&) { return Response::json(200, {}); });
  s.route(Method::kDelete, "/hello", [](const Request&) { return Response::json(200, {}); });
  s.route(Method::kGet, "/stream/([0-9]+)", [](const Request& r) {
    const int n = std::stoi(r.path_params[0]);
    return Response::streamed(200, "text/event-stream", [n](const StreamWriter& write) {
                             for (int i = 0; i < n; ++i) {
                               if (!write("data: {\"i\":" + std::to_string(i) + "}\n\n")) return;
                             }
                           })
        .with_header("Cache-Control", "no-cache");
  });
  s.route(Method::kGet, "/stream-throws", [](const Request&) {
    return Response::streamed(200, "text/plain", [](const StreamWriter& write) {
      write("partial ");
      throw std::runtime_error("producer failed");
    });
  });
  s.route(Method::kPatch, "/patch", [](const Request& r) {
    return Response::json(200, {{"body", r.body}});
  });
}

std::unique_ptr<Server> start_server(bool tls, std::size_t max_body = 1u << 20) {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  if (tls) o.tls = pki().server;
  o.max_body_bytes = max_body;
  auto s = std::make_unique<Server>(o);
  add_routes(*s);
  Status st = s->start();
  if (!st.ok()) throw std::runtime_error(st.to_string());
  return s;
}

template <typename F>
ClientOptions client_options(F set) {
  ClientOptions o;
  set(o);
  return o;
}

Client trusting_client() { return Client(ClientOptions{.ca_cert_path = pki().ca.ca_cert.string()}); }

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = start_server(true, 1024); }
  std::string url(const std::string& path) const { return server_->base_url() + path; }
  std::unique_ptr<Server> server_;
};

TEST_F(TlsServerTest, StreamedBodyArrivesWholeWithItsHeaders) {
  auto r = trusting_client().get(url("/stream/500"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type").value_or(""), "text/event-stream");
  EXPECT_EQ(r->header("Cache-Control").value_or(""), "no-cache");
  EXPECT_EQ(r->header("Transfer-Encoding").value_or(""), "chunked");
  std::string expected;
  for (int i = 0; i < 500; ++i) expected += "data: {\"i\":" + std::to_string(i) + "}\n\n";
  EXPECT_EQ(r->body, expected);
}

TEST_F(TlsServerTest, AProducerThatThrowsEndsTheStreamAndTheServerGoesOn) {
  auto r = trusting_client().get(url("/stream-throws"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->body, "partial ");
  auto again = trusting_client().get(url("/hello"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
}

TEST_F(TlsServerTest, BaseUrlIsHttpsOnTheBoundPort) {
  EXPECT_GT(server_->port(), 0);
  EXPECT_EQ(server_->base_url(), "https://127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(TlsServerTest, GetWithTrustedCa) {
  ClientResponse r = trusting_client().get(url("/hello")).value();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json().value(), (nlohmann::json{{"hello", "world"}}));
  EXPECT_EQ(r.header("content-type").value(), "application/json; charset=utf-8");
}

TEST_F(TlsServerTest, LocalhostNameAlsoVerifies) {
  ClientResponse r =
      trusting_client()
          .get("https://localhost:" + std::to_string(server_->port()) + "/hello")
          .value();
  EXPECT_EQ(r.status, 200);
}

TEST_F(TlsServerTest, PostJsonRoundTripWithParamsQueryAndHeaders) {
  ClientResponse r = trusting_client()
                         .post_json(url("/echo/k1/v2?api%2Dversion=7.4"), {{"kty", "RSA"}},
                                    {{"x-TeSt", "value-1"}})
                         .value();
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json j = r.json().value();
  EXPECT_EQ(j["path"], "/echo/k1/v2");
  EXPECT_EQ(j["params"], (nlohmann::json{"k1", "v2"}));
  EXPECT_EQ(j["api_version"], "7.4");  // percent-decoded name
  EXPECT_EQ(j["x_test"], "value-1");
  EXPECT_EQ(j["x_test_upper"], "value-1");
  EXPECT_EQ(j["body"], (nlohmann::json{{"kty", "RSA"}}));
  EXPECT_EQ(j["scheme_host"], "https://127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(j["remote_addr"], "127.0.0.1");
  EXPECT_EQ(r.header("x-reply").value(), "yes");
}

TEST_F(TlsServerTest, OptionalCaptureIsEmptyAndTrailingSlashMatches) {
  ClientResponse r = trusting_client().post_json(url("/echo/k1/"), nlohmann::json::object()).value();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().value()["params"], (nlohmann::json{"k1", ""}));
}

TEST_F(TlsServerTest, HandlerErrorResponsesKeepTheirBodyAndHeaders) {
  ClientResponse r = trusting_client().get(url("/keys/missing")).value();
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            R"({"error":{"code":"KeyNotFound","message":"A key with (name/id) missing was not found in this key vault."}})");
  ClientResponse u = trusting_client().get(url("/unauthorized")).value();
  EXPECT_EQ(u.status, 401);
  EXPECT_EQ(u.json().value()["error"]["code"], "Unauthorized");
  EXPECT_EQ(u.header("www-authenticate").value(),
            R"(Bearer authorization="https://login.microsoftonline.com/t", resource="https://vault.azure.net")");
}

TEST_F(TlsServerTest, HandlerMayOverrideContentType) {
  ClientResponse r = trusting_client().get(url("/content-type")).value();
  EXPECT_EQ(r.header("Content-Type").value(), "application/xml");
  EXPECT_EQ(r.body, "<a/>");
}

TEST_F(TlsServerTest, ClientWithoutTheCaIsRefused) {
  Client system_roots;  // no ca_cert_path: the system's roots, which do not include ours
  StatusOr<ClientResponse> r = system_roots.get(url("/hello?secret=s3cr3t"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("SSLServerVerification"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("certificate verify failed"), std::string::npos);
  EXPECT_NE(r.status().message().find("GET " + url("/hello")), std::string::npos);
  EXPECT_EQ(r.status().message().find("s3cr3t"), std::string::npos);  // no query in messages
}

TEST_F(TlsServerTest, ClientWithAnotherCaIsRefused) {
  Client c(ClientOptions{.ca_cert_path = pki().other_ca.ca_cert.string()});
  StatusOr<ClientResponse> r = c.post_json(url("/echo/x"), {{"a", 1}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("SSLServerVerification"), std::string::npos);
  EXPECT_NE(r.status().message().find("POST " + url("/echo/x")), std::string::npos);
}

TEST_F(TlsServerTest, UnreadableCaFileIsAnError) {
  Client c(ClientOptions{.ca_cert_path = "/nonexistent/ca.pem"});
  StatusOr<ClientResponse> r = c.get(url("/hello"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("SSLLoadingCerts"), std::string::npos);
}

TEST_F(TlsServerTest, PlainHttpClientAgainstTlsServerFails) {
  StatusOr<ClientResponse> r =
      Client().get("http://127.0.0.1:" + std::to_string(server_->port()) + "/hello");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST_F(TlsServerTest, NotFoundIsJson) {
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    ClientResponse r =
        trusting_client().request(method, url("/no/such/thing"), "{}", "application/json").value();
    EXPECT_EQ(r.status, 404) << method;
    nlohmann::json j = r.json().value();
    EXPECT_EQ(j["error"]["code"], "NotFound") << method;
    EXPECT_EQ(j["error"]["message"], "no such resource: /no/such/thing");
    EXPECT_EQ(r.header("content-type").value(), "application/json; charset=utf-8");
  }
}

TEST_F(TlsServerTest, WrongMethodIs405WithAllow) {
  ClientResponse r = trusting_client().get(url("/only-post")).value();
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.json().value()["error"]["code"], "MethodNotAllowed");
  EXPECT_EQ(r.json().value()["error"]["message"], "method GET is not allowed on /only-post");
  EXPECT_EQ(r.header("Allow").value(), "POST, PUT");
  ClientResponse p = trusting_client().request("PATCH", url("/hello"), "", "").value();
  EXPECT_EQ(p.status, 405);
  EXPECT_EQ(p.header("allow").value(), "GET, DELETE");
}

TEST_F(TlsServerTest, ThrowingHandlerGives500AndServerKeepsServing) {
  for (const char* path : {"/throw", "/throw-int", "/bad-status"}) {
    ClientResponse r = trusting_client().get(url(path)).value();
    EXPECT_EQ(r.status, 500) << path;
    EXPECT_EQ(r.body, R"({"error":{"code":"InternalError","message":"internal error"}})");
    EXPECT_EQ(r.header("content-type").value(), "application/json; charset=utf-8");
  }
  EXPECT_EQ(trusting_client().get(url("/hello")).value().status, 200);
}

TEST_F(TlsServerTest, BodyLimitIs413AndExactLimitPasses) {
  ClientResponse big =
      trusting_client().request("POST", url("/only-post"), std::string(1025, 'a'), "text/plain").value();
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.json().value()["error"]["code"], "PayloadTooLarge");
  EXPECT_EQ(big.json().value()["error"]["message"], "request body larger than 1024 bytes");
  ClientResponse ok =
      trusting_client().request("POST", url("/only-post"), std::string(1024, 'a'), "text/plain").value();
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.json().value()["size"], 1024);
  // Unknown paths are bounded too.
  EXPECT_EQ(trusting_client()
                .request("PUT", url("/nowhere"), std::string(5000, 'a'), "text/plain")
                .value()
                .status,
            413);
  EXPECT_EQ(trusting_client().get(url("/hello")).value().status, 200);
}

TEST_F(TlsServerTest, PatchAndDeleteCarryBodies) {
  ClientResponse r =
      trusting_client().request("PATCH", url("/patch"), R"({"a":1})", "application/json").value();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json().value()["body"], R"({"a":1})");
  EXPECT_EQ(trusting_client().request("DELETE", url("/hello"), "", "").value().status, 200);
}

TEST_F(TlsServerTest, ResponseLargerThanTheClientBoundIsResourceExhausted) {
  Client small(ClientOptions{.ca_cert_path = pki().ca.ca_cert.string(), .max_response_bytes = 1000});
  StatusOr<ClientResponse> r = small.get(url("/big/1001"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("larger than 1000 bytes"), std::string::npos);
  ClientResponse exact = small.get(url("/big/1000")).value();
  EXPECT_EQ(exact.body.size(), 1000u);
}

TEST_F(TlsServerTest, ConcurrentRequestsAllSucceed) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  Client c = trusting_client();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        StatusOr<ClientResponse> r = c.post_json(url("/echo/" + id), {{"i", i}});
        if (r.ok() && r->status == 200 && r->json().ok() && r->json().value()["params"][0] == id &&
            r->json().value()["body"]["i"] == i) {
          ok.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
}

TEST(TlsServer, CertificateForOtherNamesIsRefusedByHostCheck) {
  ServerOptions o;
  o.tls = pki().wrong_name;
  Server s(o);
  s.route(Method::kGet, "/hello", [](const Request&) { return Response::json(200, {}); });
  ASSERT_TRUE(s.start().ok());
  StatusOr<ClientResponse> r = trusting_client().get(s.base_url() + "/hello");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("does not name host 127.0.0.1"), std::string::npos)
      << r.status().message();
}

TEST(TlsServer, MissingOrMismatchedTlsFilesFailToStart) {
  ServerOptions missing;
  missing.tls = TlsFiles{"/nonexistent/cert.pem", pki().server.key_pem_path};
  Status s = Server(missing).start();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("/nonexistent/cert.pem"), std::string::npos);

  ServerOptions mismatched;
  mismatched.tls = TlsFiles{pki().server.cert_pem_path, pki().wrong_name.key_pem_path};
  Status m = Server(mismatched).start();
  EXPECT_EQ(m.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.message().find("cannot load TLS certificate"), std::string::npos);
}

TEST(PlainServer, HttpWorksWithoutTls) {
  std::unique_ptr<Server> s = start_server(false);
  EXPECT_EQ(s->base_url(), "http://127.0.0.1:" + std::to_string(s->port()));
  Client c;
  EXPECT_EQ(c.get(s->base_url() + "/hello").value().json().value()["hello"], "world");
  ClientResponse r = c.post_json(s->base_url() + "/echo/a?api%2Dversion=2025-07-01", {{"x", 1}}).value();
  EXPECT_EQ(r.json().value()["api_version"], "2025-07-01");
  EXPECT_EQ(r.json().value()["scheme_host"], s->base_url());
}

TEST(PlainServer, HttpsClientAgainstPlainServerFails) {
  std::unique_ptr<Server> s = start_server(false);
  StatusOr<ClientResponse> r =
      trusting_client().get("https://127.0.0.1:" + std::to_string(s->port()) + "/hello");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("SSLConnection"), std::string::npos) << r.status().message();
}

TEST(ServerLifecycle, StopIsIdempotentAndFreesThePort) {
  std::unique_ptr<Server> s = start_server(false);
  int port = s->port();
  std::string base = s->base_url();
  s->stop();
  s->stop();
  StatusOr<ClientResponse> gone = Client(client_options([](ClientOptions& o) { o.connect_timeout_ms = 1000; })).get(base + "/hello");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(gone.status().message().find("GET " + base + "/hello"), std::string::npos);

  ServerOptions o;
  o.port = port;
  Server again(o);
  again.route(Method::kGet, "/hello", [](const Request&) { return Response::json(200, {}); });
  ASSERT_TRUE(again.start().ok());
  EXPECT_EQ(again.port(), port);
  EXPECT_EQ(Client().get(base + "/hello").value().status, 200);
  again.stop();
  s.reset();  // destructor after stop() is fine
}

TEST(ServerLifecycle, PortInUseIsUnavailable) {
  std::unique_ptr<Server> first = start_server(false);
  ServerOptions o;
  o.port = first->port();
  Server second(o);
  Status s = second.start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("cannot bind 127.0.0.1:" + std::to_string(first->port())),
            std::string::npos)
      << s.message();
  EXPECT_EQ(Client().get(first->base_url() + "/hello").value().status, 200);
}

TEST(ServerLifecycle, StartTwiceAndRouteAfterStartAreRefused) {
  std::unique_ptr<Server> s = start_server(false);
  EXPECT_EQ(s->start().code(), StatusCode::kFailedPrecondition);
  EXPECT_THROW(s->route(Method::kGet, "/late", [](const Request&) { return Response{}; }),
               std::logic_error);
}

TEST(ServerLifecycle, InvalidPatternOrOptionsAreRefused) {
  Server s(ServerOptions{});
  EXPECT_THROW(s.route(Method::kGet, "/(unclosed", [](const Request&) { return Response{}; }),
               std::logic_error);
  EXPECT_THROW(s.route(Method::kGet, "/x", Handler{}), std::logic_error);
  ServerOptions bad;
  bad.port = 70000;
  EXPECT_EQ(Server(bad).start().code(), StatusCode::kInvalidArgument);
  ServerOptions zero;
  zero.max_body_bytes = 0;
  EXPECT_EQ(Server(zero).start().code(), StatusCode::kInvalidArgument);
}

TEST(ServerLifecycle, DestructorStopsARunningServer) {
  int port = 0;
  {
    std::unique_ptr<Server> s = start_server(false);
    port = s->port();
  }
  StatusOr<ClientResponse> r = Client().get("http://127.0.0.1:" + std::to_string(port) + "/hello");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST(ClientBounds, ChunkedResponseWithoutLengthIsBounded) {
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  for (int i = 0; i < 10; ++i) chunked += "64\r\n" + std::string(100, 'z') + "\r\n";
  chunked += "0\r\n\r\n";
  {
    testing::OneShotServer raw(chunked);
    Client c(client_options([](ClientOptions& o) { o.max_response_bytes = 999; }));
    StatusOr<ClientResponse> r = c.get("http://127.0.0.1:" + std::to_string(raw.port()) + "/");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  }
  {
    testing::OneShotServer raw(chunked);
    Client c(client_options([](ClientOptions& o) { o.max_response_bytes = 1000; }));
    ClientResponse r = c.get("http://127.0.0.1:" + std::to_string(raw.port()) + "/").value();
    EXPECT_EQ(r.body, std::string(1000, 'z'));
  }
}

TEST(ClientBounds, ClosedWithoutAnswerIsUnavailable) {
  testing::OneShotServer raw("");
  StatusOr<ClientResponse> r = Client().get("http://127.0.0.1:" + std::to_string(raw.port()) + "/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("Read"), std::string::npos) << r.status().message();
}

TEST(ClientBounds, ReadTimeoutIsUnavailable) {
  // A listening socket nobody accepts on: the kernel completes the handshake,
  // the request is buffered, no answer ever comes.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  Client c(client_options([](ClientOptions& o) { o.read_timeout_ms = 300; }));
  auto t0 = std::chrono::steady_clock::now();
  StatusOr<ClientResponse> r = c.get("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/");
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST(ClientBounds, RedirectsAreNotFollowed) {
  testing::OneShotServer raw(
      "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n");
  ClientResponse r = Client().get("http://127.0.0.1:" + std::to_string(raw.port()) + "/").value();
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.header("location").value(), "http://127.0.0.1:1/elsewhere");
}

// ---- Server::handle: the same routing and firewall, in process -----------

class InProcessServerTest : public ::testing::Test {
 protected:
  InProcessServerTest() : server_(small_bodies()) { add_routes(server_); }
  static ServerOptions small_bodies() {
    ServerOptions o;
    o.max_body_bytes = 64;
    return o;
  }
  static Request request(Method method, std::string path, std::string body = "") {
    Request r;
    r.method = method;
    r.path = std::move(path);
    r.body = std::move(body);
    return r;
  }
  static nlohmann::json body_of(const Response& r) { return nlohmann::json::parse(r.body); }
  Server server_;
};

TEST_F(InProcessServerTest, RunsTheMatchingRouteWithItsCapturesWithoutStarting) {
  Response r = server_.handle(request(Method::kPost, "/echo/a/b", R"({"x":1})"));
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json j = body_of(r);
  EXPECT_EQ(j["params"], nlohmann::json::array({"a", "b"}));
  EXPECT_EQ(j["body"]["x"], 1);
  EXPECT_EQ(server_.port(), 0);  // no socket was bound
}

TEST_F(InProcessServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Response missing = server_.handle(request(Method::kGet, "/nowhere"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body_of(missing)["error"]["code"], "NotFound");
  Response wrong = server_.handle(request(Method::kPatch, "/only-post"));
  EXPECT_EQ(wrong.status, 405);
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0].first, "Allow");
  EXPECT_EQ(wrong.headers[0].second, "POST, PUT");
}

TEST_F(InProcessServerTest, ThrowingHandlersAndBadStatusesGiveTheGeneric500) {
  for (const char* path : {"/throw", "/throw-int", "/bad-status"}) {
    Response r = server_.handle(request(Method::kGet, path));
    EXPECT_EQ(r.status, 500) << path;
    EXPECT_EQ(body_of(r)["error"]["code"], "InternalError") << path;
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << path;
  }
}

TEST_F(InProcessServerTest, BodyOverTheLimitIs413AndTheLimitItselfPasses) {
  EXPECT_EQ(server_.handle(request(Method::kPost, "/only-post", std::string(65, 'x'))).status, 413);
  Response at_limit = server_.handle(request(Method::kPost, "/only-post", std::string(64, 'x')));
  EXPECT_EQ(at_limit.status, 200);
  EXPECT_EQ(body_of(at_limit)["size"], 64);
}

TEST(ResponseJson, InvalidUtf8IsReplacedNotThrown) {
  // A message quoting a client's bytes (the party app's /decrypt answered 500
  // for a body with a stray 0xF3 before this; fuzz_party_http found it).
  Response r = Response::json(400, {{"message", std::string("bad byte \xf3 here")}});
  EXPECT_EQ(r.status, 400);
  nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["message"], "bad byte \xef\xbf\xbd here");
}

}  // namespace
}  // namespace mpcc::http
