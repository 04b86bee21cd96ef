// view_access: the view's URL with the operators' tokens in the fragment,
// and the certificates a browser started by `up --open` trusts.
#include <gtest/gtest.h>

#include <fstream>

#include "common/file_io.h"
#include "common/testing/must.h"
#include "common/testing/temp_dir.h"
#include "crypto/encoding.h"
#include "crypto/x509.h"
#include "deploy/provisioning.h"
#include "deploy/view_access.h"

namespace mpcc::deploy {
namespace {

using nlohmann::json;
using testing::must;

TEST(ViewAccess, TokensGoInTheFragmentOnly) {
  mpcc::testing::TempDir dir("mpcc-view");
  Endpoints e;
  e.view = {{"url", "https://127.0.0.1:9443"}};
  for (const char* p : {"contoso", "snooper"}) {
    const auto file = dir.path() / (std::string(p) + "-token");
    std::ofstream(file) << "tok-" << p << "\n";
    e.parties[p] = {{"credential_file", file.string()}};
  }
  const std::string url = must(view_url_with_tokens(Layout(dir.path()), e));
  EXPECT_EQ(url, "https://127.0.0.1:9443/#contoso=tok-contoso&snooper=tok-snooper");

  e.parties["fabrikam"] = {{"credential_file", (dir.path() / "missing").string()}};
  Status missing = view_url_with_tokens(Layout(dir.path()), e).status();
  EXPECT_EQ(missing.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.message().find("fabrikam"), std::string::npos) << missing.message();
  e.view = nullptr;
  EXPECT_EQ(view_url_with_tokens(Layout(dir.path()), e).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(ViewAccess, TheBrowserTrustsTheCaTheViewAndTheAppsOnly) {
  mpcc::testing::TempDir dir("mpcc-view");
  const Layout layout(dir.path());
  const http::LocalCaFiles ca = must(ensure_ca(layout));
  for (const char* c : {"view", "party-contoso", "vault-contoso"}) {
    must(ensure_service_certificate(layout, ca, c));
  }
  const std::vector<std::string> hashes = must(deployment_spki_hashes(layout));
  auto spki_of = [&](const std::string& file) {
    const std::string pem = must(read_text_file(layout.ca_dir() / file, 1u << 20));
    return crypto::base64_encode(must(crypto::Certificate::from_pem_bundle(pem)).front().public_key_spki_sha256());
  };
  auto has = [&](const std::string& h) {
    return std::find(hashes.begin(), hashes.end(), h) != hashes.end();
  };
  EXPECT_TRUE(has(spki_of("ca.pem")));
  EXPECT_TRUE(has(spki_of("view.pem")));
  EXPECT_TRUE(has(spki_of("party-contoso.pem")));
  EXPECT_FALSE(has(spki_of("vault-contoso.pem"))) << "the browser needs only the pages' servers";
  for (const std::string& h : hashes) EXPECT_EQ(h.size(), 44u) << h;
}

}  // namespace
}  // namespace mpcc::deploy
