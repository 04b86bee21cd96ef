// The four-pane view's configuration and routes.
#include <gtest/gtest.h>

#include "common/testing/must.h"
#include "http/client.h"
#include "web/view_service.h"

namespace mpcc::web {
namespace {

using nlohmann::json;
using testing::must;

json sample() {
  json parties = json::array();
  int port = 9001;
  for (const char* p : {"contoso", "fabrikam", "woodgrove", "snooper"}) {
    parties.push_back({{"name", p},
                       {"display_name", p},
                       {"role", "owner"},
                       {"sku", "confidential"},
                       {"app", "https://127.0.0.1:" + std::to_string(port++)},
                       {"vault", "https://127.0.0.1:8000"},
                       {"key", std::string(p) + "-secret-key"},
                       {"host_data", nullptr}});
  }
  return {{"title", "t"},
          {"listen", {{"host", "127.0.0.1"}, {"port", 0}, {"tls_cert", "/c"}, {"tls_key", "/k"}}},
          {"parties", parties}};
}

TEST(ViewConfig, ParsesAndRoundTrips) {
  ViewConfig c = must(parse_view_config(sample()));
  ASSERT_EQ(c.parties.size(), 4u);
  EXPECT_EQ(c.parties[2].app, "https://127.0.0.1:9003");
  EXPECT_FALSE(c.parties[0].host_data.has_value());
  EXPECT_EQ(must(parse_view_config(c.to_json())).to_json(), c.to_json());
  EXPECT_FALSE(c.public_json().contains("listen"));
}

TEST(ViewConfig, RefusesBadFieldsNamingThem) {
  struct Case {
    std::function<void(json&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](json& j) { j.erase("listen"); }, "listen"},
      {[](json& j) { j["listen"]["port"] = 70000; }, "listen.port"},
      {[](json& j) { j["parties"] = json::array(); }, "parties"},
      {[](json& j) { j["parties"][1].erase("key"); }, "parties[1].key"},
      {[](json& j) { j["parties"][0]["app"] = "https://127.0.0.1:9/x"; }, "parties[0].app"},
      {[](json& j) { j["parties"][3]["host_data"] = 5; }, "parties[3].host_data"},
  };
  for (const Case& c : cases) {
    json j = sample();
    c.edit(j);
    Status s = parse_view_config(j).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.field;
    EXPECT_NE(s.message().find(c.field), std::string::npos) << s.message();
  }
  EXPECT_EQ(load_view_config("/nonexistent/view.json").status().code(), StatusCode::kNotFound);
}

TEST(ViewService, ServesConfigWithoutSecretsAndFramesOnlyTheApps) {
  ViewConfig c = must(parse_view_config(sample()));
  http::Server server(http::ServerOptions{});
  ASSERT_TRUE(register_view_routes(server, c, Assets::embedded()).ok());
  ASSERT_TRUE(server.start().ok());
  http::Client client;
  auto config = must(must(client.get(server.base_url() + "/view/config")).json());
  EXPECT_EQ(config, c.public_json());
  auto page = must(client.get(server.base_url() + "/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.header("Content-Security-Policy")
                .value_or("")
                .find("frame-src https://127.0.0.1:9001 https://127.0.0.1:9002 "
                      "https://127.0.0.1:9003 https://127.0.0.1:9004"),
            std::string::npos);
  EXPECT_EQ(must(client.get(server.base_url() + "/health")).status, 200);
}

}  // namespace
}  // namespace mpcc::web
