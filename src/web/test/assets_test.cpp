// Assets (embedded and from a directory) and the page routes' headers.
#include <gtest/gtest.h>

#include <fstream>

#include "common/testing/must.h"
#include "http/client.h"
#include "web/assets.h"
#include "web/page_routes.h"

namespace mpcc::web {
namespace {

namespace fs = std::filesystem;
using testing::must;

class TempWebRoot {
 public:
  TempWebRoot() : root_(fs::temp_directory_path() / ("mpcc-web-" + std::to_string(::getpid()))) {
    fs::create_directories(root_ / "party");
    write("party/index.html", "<!doctype html><title>p</title>");
    write("party/app.js", "console.log(1)");
    write("secret.txt", "outside any area");
  }
  ~TempWebRoot() { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    std::ofstream(root_ / rel) << text;
  }
  const fs::path& path() const { return root_; }

 private:
  fs::path root_;
};

TEST(Assets, SafePathsAreAreaSlashFileOnly) {
  EXPECT_TRUE(is_safe_asset_path("party/index.html"));
  EXPECT_TRUE(is_safe_asset_path("view/view-1.js"));
  EXPECT_FALSE(is_safe_asset_path("index.html"));
  EXPECT_FALSE(is_safe_asset_path("party/../secret.txt"));
  EXPECT_FALSE(is_safe_asset_path("party/.hidden"));
  EXPECT_FALSE(is_safe_asset_path("party/sub/app.js"));
  EXPECT_FALSE(is_safe_asset_path("../party/index.html"));
  EXPECT_FALSE(is_safe_asset_path("party/"));
  EXPECT_FALSE(is_safe_asset_path("party/a b.js"));
}

TEST(Assets, ContentTypesFollowTheExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("blob.bin"), "application/octet-stream");
}

TEST(Assets, EmbeddedHoldsThePartyPageAndTheView) {
  const Assets assets = Assets::embedded();
  EXPECT_EQ(assets.source(), "embedded");
  for (const char* page : {"party/index.html", "view/index.html"}) {
    auto a = assets.find(page);
    ASSERT_TRUE(a.has_value()) << page;
    EXPECT_NE(a->body.find("<html"), std::string::npos) << page;
    EXPECT_EQ(a->content_type, "text/html; charset=utf-8");
  }
  const auto all = assets.list();
  EXPECT_GE(all.size(), 4u);
  for (const std::string& p : all) EXPECT_TRUE(is_safe_asset_path(p)) << p;
  EXPECT_FALSE(assets.find("party/../view/index.html").has_value());
}

TEST(Assets, DirectoryServesItsFilesAndNothingOutsideTheAreas) {
  TempWebRoot root;
  const Assets assets = must(Assets::from_directory(root.path()));
  auto page = assets.find("party/index.html");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->body, "<!doctype html><title>p</title>");
  root.write("party/app.js", "changed");  // read per request: edits show at once
  EXPECT_EQ(assets.find("party/app.js")->body, "changed");
  EXPECT_FALSE(assets.find("party/missing.js").has_value());
  EXPECT_FALSE(assets.find("party/../secret.txt").has_value());
  EXPECT_EQ(assets.list().size(), 2u);
  EXPECT_EQ(Assets::from_directory(root.path() / "nope").status().code(), StatusCode::kNotFound);
}

TEST(PageRoutes, PolicyRefusesWhatIsNotAnOrigin) {
  PagePolicy ok;
  ok.frame_ancestors = {"https://127.0.0.1:9443"};
  EXPECT_TRUE(check_page_policy(ok).ok());
  for (const char* bad : {"https://127.0.0.1:9443/path", "javascript:alert(1)",
                          "https://a.example; script-src *", "*", "127.0.0.1:9443"}) {
    PagePolicy p;
    p.frame_src = {bad};
    EXPECT_EQ(check_page_policy(p).code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(PageRoutes, PagesCarryTheContentSecurityPolicy) {
  TempWebRoot root;
  http::Server server(http::ServerOptions{});
  PagePolicy policy;
  policy.frame_ancestors = {"https://127.0.0.1:9443"};
  register_page_routes(server, must(Assets::from_directory(root.path())), "party", policy);
  ASSERT_TRUE(server.start().ok());
  http::Client client;
  auto page = must(client.get(server.base_url() + "/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<!doctype html><title>p</title>");
  const std::string csp = page.header("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'self' https://127.0.0.1:9443"), std::string::npos);
  EXPECT_EQ(page.header("X-Content-Type-Options").value_or(""), "nosniff");

  auto script = must(client.get(server.base_url() + "/static/app.js"));
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_EQ(must(client.get(server.base_url() + "/static/missing.js")).status, 404);
  EXPECT_EQ(must(client.get(server.base_url() + "/static/..%2Fsecret.txt")).status, 404);
  EXPECT_EQ(must(client.get(server.base_url() + "/secret.txt")).status, 404);
}

}  // namespace
}  // namespace mpcc::web
