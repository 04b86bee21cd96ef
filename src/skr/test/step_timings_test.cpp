// StepTimings: the Server-Timing header a key release answers with.
#include <gtest/gtest.h>

#include "skr/step_timings.h"

namespace mpcc::skr {
namespace {

TEST(StepTimings, HeaderListsStepsInOrderWithTheirTotal) {
  StepTimings t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.header(), "");
  t.add("report", 1.5);
  t.add("token", 10.25);
  { auto s = t.step("vault"); }
  const std::string h = t.header();
  EXPECT_EQ(h.rfind("report;dur=1.500, token;dur=10.250, vault;dur=", 0), 0u) << h;
  const nlohmann::json parsed = parse_server_timing(h);
  EXPECT_DOUBLE_EQ(parsed["report"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(parsed["token"].get<double>(), 10.25);
  ASSERT_TRUE(parsed.contains("vault"));
  EXPECT_GE(parsed["vault"].get<double>(), 0.0);
  EXPECT_NEAR(parsed["total"].get<double>(), 11.75 + parsed["vault"].get<double>(), 0.01);
}

TEST(StepTimings, ParserSkipsWhatIsNotNameAndDuration) {
  const nlohmann::json parsed =
      parse_server_timing("report;dur=2, bogus, Token;dur=3, vault;dur=-1, cache;desc=x, unwrap;dur=0.5");
  EXPECT_EQ(parsed, (nlohmann::json{{"report", 2.0}, {"unwrap", 0.5}}));
  EXPECT_EQ(parse_server_timing(""), nlohmann::json::object());
}

}  // namespace
}  // namespace mpcc::skr
