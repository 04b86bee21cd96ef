// UpstreamBackoff: unavailability opens a window that doubles up to the cap,
// refusals inside it are 503s naming the upstream and the wait, a success
// closes it; refusals by the upstream (4xx) and other upstreams are not
// affected.
#include "skr/upstream_backoff.h"

#include <gtest/gtest.h>

namespace mpcc::skr {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class UpstreamBackoffTest : public ::testing::Test {
 protected:
  UpstreamBackoffTest()
      : backoff_(BackoffPolicy{milliseconds(500), milliseconds(4000)}, [this] { return now_; }) {}

  Outcome<std::string> unreachable() {
    return fail(Step::kAttest, unavailable("attestation service a:1: connection refused"));
  }
  void advance(milliseconds d) { now_ += d; }

  steady_clock::time_point now_{};
  UpstreamBackoff backoff_;
};

TEST_F(UpstreamBackoffTest, HealthyUpstreamIsNotRefused) {
  EXPECT_FALSE(backoff_.refusal(Step::kAttest, "attestation service", "a:1"));
  EXPECT_EQ(backoff_.failures("a:1"), 0);
}

TEST_F(UpstreamBackoffTest, UnavailabilityOpensAWindowThatRefusesWith503) {
  Outcome<std::string> out = backoff_.record("a:1", unreachable());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.failure().http_status(), 503);
  EXPECT_EQ(out.failure().retry_after_s.value_or(0), 1);

  std::optional<Failure> refused = backoff_.refusal(Step::kAttest, "attestation service", "a:1");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->http_status(), 503);
  EXPECT_EQ(refused->step, Step::kAttest);
  EXPECT_NE(refused->status.message().find("attestation service a:1 is unavailable"),
            std::string::npos)
      << refused->status.message();
  EXPECT_NE(refused->status.message().find("connection refused"), std::string::npos);
  const http::Response r = refused->to_response();
  EXPECT_EQ(r.status, 503);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["retry_after_s"], 1);
  EXPECT_EQ(body["step"], "attest");

  // Other upstreams are unaffected.
  EXPECT_FALSE(backoff_.refusal(Step::kRelease, "key vault", "v:2"));
  // After the window, requests go through again.
  advance(milliseconds(500));
  EXPECT_FALSE(backoff_.refusal(Step::kAttest, "attestation service", "a:1"));
}

TEST_F(UpstreamBackoffTest, WindowDoublesUpToTheCap) {
  const int expected_ms[] = {500, 1000, 2000, 4000, 4000};
  for (int ms : expected_ms) {
    Outcome<std::string> out = backoff_.record("a:1", unreachable());
    EXPECT_EQ(out.failure().retry_after_s.value_or(0), (ms + 999) / 1000);
    advance(milliseconds(ms - 1));
    EXPECT_TRUE(backoff_.refusal(Step::kAttest, "attestation service", "a:1")) << ms;
    advance(milliseconds(1));
    EXPECT_FALSE(backoff_.refusal(Step::kAttest, "attestation service", "a:1")) << ms;
  }
  EXPECT_EQ(backoff_.failures("a:1"), 5);
}

TEST_F(UpstreamBackoffTest, SuccessClosesTheWindow) {
  (void)backoff_.record("a:1", unreachable());
  (void)backoff_.record("a:1", unreachable());
  advance(milliseconds(1000));
  Outcome<std::string> ok = backoff_.record("a:1", Outcome<std::string>(std::string("token")));
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(backoff_.failures("a:1"), 0);
  // The next failure starts from the initial window again.
  Outcome<std::string> again = backoff_.record("a:1", unreachable());
  advance(milliseconds(500));
  EXPECT_FALSE(backoff_.refusal(Step::kAttest, "attestation service", "a:1"));
}

TEST_F(UpstreamBackoffTest, RefusalsAndLocalErrorsDoNotOpenAWindow) {
  Outcome<std::string> refused = backoff_.record(
      "v:2", Outcome<std::string>(fail(Step::kRelease, permission_denied("key vault answered 403"))));
  EXPECT_EQ(refused.failure().http_status(), 403);
  EXPECT_FALSE(refused.failure().retry_after_s);
  EXPECT_FALSE(backoff_.refusal(Step::kRelease, "key vault", "v:2"));
  Outcome<std::string> local = backoff_.record(
      "v:2", Outcome<std::string>(fail(Step::kRelease, internal_error("crypto"))));
  EXPECT_EQ(local.failure().http_status(), 500);
  EXPECT_EQ(backoff_.failures("v:2"), 0);
}

TEST_F(UpstreamBackoffTest, TimeoutsCountAsUnavailable) {
  Outcome<std::string> out = backoff_.record(
      "v:2", Outcome<std::string>(fail(Step::kRelease, Status(StatusCode::kDeadlineExceeded, "key vault: timed out"))));
  EXPECT_EQ(out.failure().http_status(), 503);
  EXPECT_TRUE(backoff_.refusal(Step::kRelease, "key vault", "v:2"));
}

TEST(UpstreamBackoffPolicy, RejectsANonsensePolicy) {
  EXPECT_THROW(UpstreamBackoff(BackoffPolicy{milliseconds(0), milliseconds(10)}),
               std::logic_error);
  EXPECT_THROW(UpstreamBackoff(BackoffPolicy{milliseconds(100), milliseconds(10)}),
               std::logic_error);
}

}  // namespace
}  // namespace mpcc::skr
