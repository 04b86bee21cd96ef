#include "http/errors.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>
#include <vector>

namespace mpcc::http {
namespace {

nlohmann::json body_of(const Response& r) { return nlohmann::json::parse(r.body); }

TEST(HttpStatusFor, EveryStatusCode) {
  const std::vector<std::pair<StatusCode, int>> expected = {
      {StatusCode::kOk, 200},
      {StatusCode::kCancelled, 500},
      {StatusCode::kUnknown, 500},
      {StatusCode::kInvalidArgument, 400},
      {StatusCode::kDeadlineExceeded, 500},
      {StatusCode::kNotFound, 404},
      {StatusCode::kAlreadyExists, 409},
      {StatusCode::kPermissionDenied, 403},
      {StatusCode::kResourceExhausted, 429},
      {StatusCode::kFailedPrecondition, 400},
      {StatusCode::kAborted, 409},
      {StatusCode::kOutOfRange, 500},
      {StatusCode::kUnimplemented, 501},
      {StatusCode::kInternal, 500},
      {StatusCode::kUnavailable, 503},
      {StatusCode::kDataLoss, 500},
      {StatusCode::kUnauthenticated, 401},
  };
  ASSERT_EQ(expected.size(), 17u);  // every code of common/status.h
  for (const auto& [code, status] : expected) {
    EXPECT_EQ(http_status_for(code), status) << status_code_name(code);
  }
}

TEST(DefaultErrorCode, ClosedList) {
  EXPECT_EQ(default_error_code(400), "BadRequest");
  EXPECT_EQ(default_error_code(401), "Unauthorized");
  EXPECT_EQ(default_error_code(403), "Forbidden");
  EXPECT_EQ(default_error_code(404), "NotFound");
  EXPECT_EQ(default_error_code(405), "MethodNotAllowed");
  EXPECT_EQ(default_error_code(409), "Conflict");
  EXPECT_EQ(default_error_code(413), "PayloadTooLarge");
  EXPECT_EQ(default_error_code(415), "UnsupportedMediaType");
  EXPECT_EQ(default_error_code(429), "TooManyRequests");
  EXPECT_EQ(default_error_code(500), "InternalError");
  EXPECT_EQ(default_error_code(501), "NotImplemented");
  EXPECT_EQ(default_error_code(503), "ServiceUnavailable");
  EXPECT_EQ(default_error_code(418), "BadRequest");
  EXPECT_EQ(default_error_code(502), "InternalError");
}

TEST(ErrorResponse, EveryNonOkCodeGivesItsStatusAndODataBody) {
  for (int c = 1; c <= 16; ++c) {
    auto code = static_cast<StatusCode>(c);
    Status s(code, "message for " + std::string(status_code_name(code)));
    Response r = error_response(s);
    EXPECT_EQ(r.status, http_status_for(code));
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    nlohmann::json j = body_of(r);
    ASSERT_EQ(j.size(), 1u);
    ASSERT_EQ(j["error"].size(), 2u);
    EXPECT_EQ(j["error"]["code"], default_error_code(r.status));
    EXPECT_EQ(j["error"]["message"], s.message());
  }
}

TEST(ErrorResponse, ExactBody) {
  Response r = error_response(not_found("A key with (name/id) x was not found in this key vault."),
                              "KeyNotFound");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            R"({"error":{"code":"KeyNotFound","message":"A key with (name/id) x was not found in this key vault."}})");
}

TEST(ErrorResponse, InnerError) {
  Response r = error_response(permission_denied("policy refused"), "Forbidden",
                              nlohmann::json{{"code", "PolicyMismatch"}});
  nlohmann::json j = body_of(r);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(j["error"]["innererror"]["code"], "PolicyMismatch");
  EXPECT_EQ(j["error"]["code"], "Forbidden");
}

TEST(ErrorResponse, OkStatusIsABug) {
  EXPECT_THROW((void)error_response(ok_status()), std::logic_error);
}

TEST(ErrorResponse, InvalidUtf8InMessageIsReplacedNotThrown) {
  Response r = error_response(not_found("key 'a\xff' not found"));
  EXPECT_EQ(r.status, 404);
  nlohmann::json j = body_of(r);
  EXPECT_EQ(j["error"]["message"], "key 'a\xEF\xBF\xBD' not found");
}

TEST(HttpErrorResponse, StatusWithoutStatusCode) {
  Response r = http_error_response(405, "method DELETE is not allowed");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, R"({"error":{"code":"MethodNotAllowed","message":"method DELETE is not allowed"}})");
  EXPECT_EQ(body_of(http_error_response(400, "m", "BadParameter"))["error"]["code"], "BadParameter");
  EXPECT_THROW((void)http_error_response(200, "ok"), std::logic_error);
  EXPECT_THROW((void)http_error_response(600, "x"), std::logic_error);
}

}  // namespace
}  // namespace mpcc::http
