// internal/target.h: percent-decoding and query splitting of request targets.
#include "http/internal/target.h"

#include <gtest/gtest.h>

namespace mpcc::http::internal {
namespace {

TEST(PercentDecode, DecodesEscapesAndKeepsBrokenOnes) {
  EXPECT_EQ(percent_decode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percent_decode("%41%6a", false), "Aj");
  EXPECT_EQ(percent_decode("100%", false), "100%");
  EXPECT_EQ(percent_decode("%zz%4", false), "%zz%4");
  EXPECT_EQ(percent_decode("1+2", false), "1+2");
  EXPECT_EQ(percent_decode("1+2", true), "1 2");
}

TEST(ParseQuery, SplitsDecodesAndKeepsRepeats) {
  std::multimap<std::string, std::string> q;
  parse_query("api%2Dversion=7.4&x=a%20b&x=c&flag&&empty=&plus=1+2", q);
  EXPECT_EQ(q.find("api-version")->second, "7.4");
  EXPECT_EQ(q.count("x"), 2u);
  EXPECT_EQ(q.find("x")->second, "a b");
  EXPECT_EQ(q.find("flag")->second, "");
  EXPECT_EQ(q.find("empty")->second, "");
  EXPECT_EQ(q.find("plus")->second, "1 2");
  EXPECT_EQ(q.size(), 6u);
}

TEST(Host, PlausibleHostsAndUrlForms) {
  EXPECT_TRUE(plausible_host("contoso.vault.localhost:8444"));
  EXPECT_TRUE(plausible_host("[::1]:443"));
  EXPECT_FALSE(plausible_host(""));
  EXPECT_FALSE(plausible_host("evil.test/x?y"));
  EXPECT_EQ(host_for_url("0.0.0.0", 80), "127.0.0.1:80");
  EXPECT_EQ(host_for_url("::", 80), "[::1]:80");
  EXPECT_EQ(host_for_url("10.0.0.1", 8443), "10.0.0.1:8443");
}

}  // namespace
}  // namespace mpcc::http::internal
