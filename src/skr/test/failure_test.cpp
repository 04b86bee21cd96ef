// Failure -> HTTP answers, and upstream answers -> Failures.
#include "skr/failure.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "skr/upstream.h"

namespace mpcc::skr {
namespace {

using nlohmann::json;

TEST(Failure, StatusPerStepAndCode) {
  EXPECT_EQ(fail(Step::kRequest, invalid_argument("x")).http_status(), 400);
  EXPECT_EQ(fail(Step::kRequest, permission_denied("x")).http_status(), 403);
  EXPECT_EQ(fail(Step::kDevice, failed_precondition("x")).http_status(), 500);
  EXPECT_EQ(fail(Step::kDevice, unavailable("x")).http_status(), 500);
  for (Step s : {Step::kAttest, Step::kIdentity, Step::kRelease, Step::kUnwrap}) {
    EXPECT_EQ(fail(s, permission_denied("x")).http_status(), 403);
    EXPECT_EQ(fail(s, unavailable("x")).http_status(), 503);
    EXPECT_EQ(fail(s, Status(StatusCode::kDeadlineExceeded, "x")).http_status(), 503);
    EXPECT_EQ(fail(s, invalid_argument("x")).http_status(), 403);
    EXPECT_EQ(fail(s, failed_precondition("x")).http_status(), 500);
    EXPECT_EQ(fail(s, internal_error("x")).http_status(), 500);
  }
  EXPECT_THROW((void)fail(Step::kRequest, ok_status()), std::logic_error);
}

TEST(Failure, ResponseBody) {
  http::Response plain = fail(Step::kDevice, failed_precondition("no device")).to_response();
  EXPECT_EQ(plain.status, 500);
  EXPECT_EQ(json::parse(plain.body), (json{{"error", "no device"}, {"step", "device"}}));

  Failure upstream = fail(Step::kRelease, permission_denied("vault said no"));
  upstream.upstream_status = 403;
  upstream.detail = {{"error", {{"code", "Forbidden"}}}};
  const json body = json::parse(upstream.to_response().body);
  EXPECT_EQ(body["error"], "vault said no");
  EXPECT_EQ(body["step"], "release");
  EXPECT_EQ(body["upstream_status"], 403);
  EXPECT_EQ(body["detail"]["error"]["code"], "Forbidden");

  Failure binary = fail(Step::kAttest, unavailable("x"));
  binary.detail = std::string("\xff\xfe bytes");
  const json parsed = json::parse(binary.to_response().body, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded());
}

TEST(Failure, UnavailableUpstreamIs503WithRetryAfter) {
  Failure down = fail(Step::kRelease, unavailable("key vault v:1: connection refused"));
  http::Response r = down.to_response();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["retry_after_s"], 1);
  down.retry_after_s = 8;
  r = down.to_response();
  EXPECT_EQ(json::parse(r.body)["retry_after_s"], 8);
  bool has_header = false;
  for (const auto& [name, value] : r.headers) {
    if (name == "Retry-After") has_header = value == "8";
  }
  EXPECT_TRUE(has_header);
}

TEST(Outcome, ValueOrFailure) {
  Outcome<int> v = 3;
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.value(), 3);
  EXPECT_THROW((void)v.failure(), std::logic_error);
  Outcome<int> f = fail(Step::kUnwrap, internal_error("x"));
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(f.failure().step, Step::kUnwrap);
  EXPECT_THROW((void)f.value(), std::logic_error);
}

http::ClientResponse answer(int status, std::string body) {
  http::ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(Upstream, TheMemberOfA200) {
  auto out = expect_string_member(Step::kAttest, "attestation service a:1",
                                  answer(200, R"({"token":"eyJ.x.y"})"), "token");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value(), "eyJ.x.y");
}

TEST(Upstream, ARefusalKeepsStatusDetailAndReason) {
  const std::string vault_error = json{{"error",
                                        {{"code", "Forbidden"},
                                         {"message", "policy: hostdata differs"},
                                         {"innererror", {{"layer", "release_policy"}}}}}}
                                      .dump();
  auto out =
      expect_string_member(Step::kRelease, "key vault v:1", answer(403, vault_error), "value");
  ASSERT_FALSE(out.ok());
  const Failure& f = out.failure();
  EXPECT_EQ(f.step, Step::kRelease);
  EXPECT_EQ(f.status.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(f.status.message(), "key vault v:1 answered HTTP 403: policy: hostdata differs");
  EXPECT_EQ(f.upstream_status, 403);
  EXPECT_EQ(f.detail["error"]["innererror"]["layer"], "release_policy");
  EXPECT_EQ(f.http_status(), 403);

  auto imds = expect_string_member(
      Step::kIdentity, "identity service i",
      answer(401, R"({"error":"invalid_client","error_description":"bad credential"})"),
      "access_token");
  ASSERT_FALSE(imds.ok());
  EXPECT_EQ(imds.failure().status.message(),
            "identity service i answered HTTP 401: invalid_client: bad credential");

  auto missing = expect_string_member(Step::kRelease, "key vault v", answer(404, "{}"), "value");
  EXPECT_EQ(missing.failure().status.code(), StatusCode::kNotFound);
  auto bad = expect_string_member(Step::kRelease, "key vault v", answer(400, "{}"), "value");
  EXPECT_EQ(bad.failure().status.code(), StatusCode::kInvalidArgument);
  auto down = expect_string_member(Step::kRelease, "key vault v", answer(503, "{}"), "value");
  EXPECT_EQ(down.failure().status.code(), StatusCode::kUnavailable);
}

TEST(Upstream, TextBodiesAreCut) {
  auto out = expect_string_member(Step::kAttest, "m", answer(502, std::string(5000, 'x')), "token");
  ASSERT_FALSE(out.ok());
  ASSERT_TRUE(out.failure().detail.is_string());
  EXPECT_EQ(out.failure().detail.get<std::string>().size(), kMaxDetailChars);
  EXPECT_EQ(out.failure().status.message(), "m answered HTTP 502");
}

TEST(Upstream, TransportFailureAndA200WithoutTheMember) {
  auto down = expect_string_member(
      Step::kIdentity, "identity service i",
      StatusOr<http::ClientResponse>(unavailable("connection refused")), "access_token");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.failure().status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(down.failure().status.message(), "identity service i: connection refused");
  EXPECT_FALSE(down.failure().upstream_status);

  for (const char* body : {R"({"token":""})", R"({"token":5})", "[]", "nope"}) {
    auto odd = expect_string_member(Step::kAttest, "m", answer(200, body), "token");
    ASSERT_FALSE(odd.ok()) << body;
    EXPECT_EQ(odd.failure().upstream_status, 200);
    EXPECT_EQ(odd.failure().http_status(), 403);
  }
}

}  // namespace
}  // namespace mpcc::skr
