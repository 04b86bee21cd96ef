// The request endpoints (maa_endpoint, akv_endpoint) and the allowlist.
#include "skr/endpoint.h"

#include <gtest/gtest.h>

namespace mpcc::skr {
namespace {

TEST(ParseEndpoint, HostAloneMeansHttps443) {
  auto e = parse_endpoint("sharedeus.eus.attest.azure.net", "maa_endpoint");
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->host, "sharedeus.eus.attest.azure.net");
  EXPECT_EQ(e->port, 443);
  EXPECT_EQ(e->authority(), "sharedeus.eus.attest.azure.net:443");
  EXPECT_EQ(e->https_url("/keys/k/release?api-version=7.4"),
            "https://sharedeus.eus.attest.azure.net:443/keys/k/release?api-version=7.4");
}

TEST(ParseEndpoint, HostPortIpv4Ipv6AndCase) {
  auto a = parse_endpoint("127.0.0.1:8443", "akv_endpoint");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8443);
  auto b = parse_endpoint("[::1]:9000", "akv_endpoint");
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->authority(), "[::1]:9000");
  auto c = parse_endpoint("MyVault.Vault.Azure.NET", "akv_endpoint");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "myvault.vault.azure.net");
}

TEST(ParseEndpoint, RefusesAnythingButHostPortAndNamesTheField) {
  for (const char* bad : {"",
                          "https://127.0.0.1:8443",
                          "127.0.0.1:8443/keys",
                          "host?x=1",
                          "host#frag",
                          "user@host",
                          "user:pw@host:1",
                          "host name",
                          "host\t",
                          "host:",
                          "host:0",
                          "host:65536",
                          "host:abc",
                          "host:80:80",
                          "a..b",
                          ".host",
                          "host.",
                          "ho$t",
                          "[::1",
                          "[zz::1]:4",
                          "[::1]x",
                          "[]:4",
                          "h\xc3\xa9st"}) {
    auto e = parse_endpoint(bad, "akv_endpoint");
    ASSERT_FALSE(e.ok()) << "accepted '" << bad << "'";
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(e.status().message().rfind("akv_endpoint: ", 0), 0u) << e.status().message();
  }
}

TEST(EndpointAllowlist, EmptyAllowsEverything) {
  EndpointAllowlist list;
  EXPECT_TRUE(list.empty());
  EXPECT_TRUE(list.allows(*parse_endpoint("anything:1", "x")));
}

TEST(EndpointAllowlist, AllowsExactlyItsEntriesWithDefaultPortAndCaseFolding) {
  auto list = EndpointAllowlist::create({"127.0.0.1:8443", "Vault.Example"});
  ASSERT_TRUE(list.ok()) << list.status().to_string();
  EXPECT_TRUE(list->allows(*parse_endpoint("127.0.0.1:8443", "x")));
  EXPECT_TRUE(list->allows(*parse_endpoint("vault.example:443", "x")));
  EXPECT_TRUE(list->allows(*parse_endpoint("VAULT.example", "x")));
  EXPECT_FALSE(list->allows(*parse_endpoint("127.0.0.1:8444", "x")));
  EXPECT_FALSE(list->allows(*parse_endpoint("127.0.0.1", "x")));
  EXPECT_FALSE(list->allows(*parse_endpoint("vault.example.evil", "x")));
}

TEST(EndpointAllowlist, RefusesAMalformedEntry) {
  auto list = EndpointAllowlist::create({"127.0.0.1:8443", "https://vault"});
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(list.status().message().find("https://vault"), std::string::npos);
}

}  // namespace
}  // namespace mpcc::skr
