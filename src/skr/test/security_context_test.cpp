// Loading an ACI-style security context: files, environment fallbacks,
// absent parts, malformed content.
#include "skr/security_context.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "common/testing/temp_dir.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "http/tls.h"

namespace mpcc::skr {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Environment no_environment() {
  return [](const std::string&) { return std::optional<std::string>(); };
}

Environment environment(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::string b64(const std::string& s) { return crypto::base64_encode(as_span(s)); }

class SecurityContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Any certificate will do for the THIM members: the local CA's.
    auto ca = http::ensure_local_ca(tmp_.path() / "ca");
    ASSERT_TRUE(ca.ok()) << ca.status().to_string();
    cert_pem_ = *read_text_file(ca->ca_cert);
    thim_ = {{"vcekCert", cert_pem_},
             {"certificateChain", cert_pem_ + cert_pem_},
             {"tcbm", "7308000000000003"},
             {"cacheControl", "86400"}};
    dir_ = tmp_.path() / "security-context";
    fs::create_directories(dir_);
  }

  testing::TempDir tmp_{"mpcc-skr-ctx"};
  fs::path dir_;
  std::string cert_pem_;
  json thim_;
  const std::string policy_ = "package policy\napi_version := \"0.10.0\"\n";
};

TEST_F(SecurityContextTest, LoadsEveryFile) {
  write(dir_ / kSecurityPolicyFile, b64(policy_) + "\n");
  write(dir_ / kHostAmdCertFile, b64(thim_.dump()) + "\n");
  write(dir_ / kReferenceInfoFile, b64("cose-sign1-bytes"));
  auto ctx = SecurityContext::load(dir_, no_environment());
  ASSERT_TRUE(ctx.ok()) << ctx.status().to_string();
  EXPECT_FALSE(ctx->empty());
  EXPECT_EQ(ctx->policy(), policy_);
  const Bytes digest = crypto::sha256(policy_);
  ASSERT_TRUE(ctx->host_data());
  EXPECT_EQ(Bytes(ctx->host_data()->begin(), ctx->host_data()->end()), digest);
  ASSERT_TRUE(ctx->host_amd_certification());
  EXPECT_EQ(ctx->host_amd_certification()->tcbm, "7308000000000003");
  EXPECT_EQ(ctx->host_amd_certification()->cache_control, "86400");
  EXPECT_EQ(ctx->host_amd_certification()->endorsements_pem(), cert_pem_ + cert_pem_ + cert_pem_);
  EXPECT_EQ(ctx->reference_info_base64(), b64("cose-sign1-bytes"));
  EXPECT_EQ(ctx->reference_info(), to_bytes("cose-sign1-bytes"));
}

TEST_F(SecurityContextTest, NoDirectoryNoEnvironmentIsAnEmptyContext) {
  auto missing = SecurityContext::load(tmp_.path() / "nope", no_environment());
  ASSERT_TRUE(missing.ok()) << missing.status().to_string();
  EXPECT_TRUE(missing->empty());
  EXPECT_FALSE(missing->host_data());
  auto none = SecurityContext::load(std::nullopt, no_environment());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto empty_dir = SecurityContext::load(dir_, no_environment());
  ASSERT_TRUE(empty_dir.ok());
  EXPECT_TRUE(empty_dir->empty());
}

TEST_F(SecurityContextTest, MissingFilesComeFromTheEnvironment) {
  write(dir_ / kSecurityPolicyFile, b64(policy_));
  auto ctx =
      SecurityContext::load(dir_, environment({{kSecurityPolicyEnv, b64("ignored: the file wins")},
                                               {kHostAmdCertEnv, b64(thim_.dump())},
                                               {kReferenceInfoEnv, b64("ref")}}));
  ASSERT_TRUE(ctx.ok()) << ctx.status().to_string();
  EXPECT_EQ(ctx->policy(), policy_);
  ASSERT_TRUE(ctx->host_amd_certification());
  EXPECT_EQ(ctx->reference_info(), to_bytes("ref"));

  auto env_only =
      SecurityContext::load(std::nullopt, environment({{kSecurityPolicyEnv, b64("p")}}));
  ASSERT_TRUE(env_only.ok());
  EXPECT_EQ(env_only->policy(), "p");
  EXPECT_FALSE(env_only->host_amd_certification());
}

TEST_F(SecurityContextTest, MalformedContentNamesTheFile) {
  struct Case {
    const char* file;
    std::string content;
    const char* mentions;
  };
  json no_vcek = thim_;
  no_vcek.erase("vcekCert");
  json bad_pem = thim_;
  bad_pem["certificateChain"] =
      "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n";
  json bad_tcbm = thim_;
  bad_tcbm["tcbm"] = "73080000";
  json bad_cache = thim_;
  bad_cache["cacheControl"] = json::array();
  const std::vector<Case> cases = {
      {kSecurityPolicyFile, "not base64!", "not base64"},
      {kHostAmdCertFile, "%%%", "not base64"},
      {kHostAmdCertFile, b64("not json"), "not a THIM JSON object"},
      {kHostAmdCertFile, b64(no_vcek.dump()), "vcekCert"},
      {kHostAmdCertFile, b64(bad_pem.dump()), "certificateChain"},
      {kHostAmdCertFile, b64(bad_tcbm.dump()), "tcbm"},
      {kHostAmdCertFile, b64(bad_cache.dump()), "cacheControl"},
      {kReferenceInfoFile, "a b", "not base64"},
  };
  for (const Case& c : cases) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write(dir_ / c.file, c.content);
    auto ctx = SecurityContext::load(dir_, no_environment());
    ASSERT_FALSE(ctx.ok()) << c.file << " " << c.content;
    EXPECT_EQ(ctx.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(ctx.status().message().find(c.file), std::string::npos) << ctx.status().message();
    EXPECT_NE(ctx.status().message().find(c.mentions), std::string::npos) << ctx.status().message();
  }
}

TEST_F(SecurityContextTest, MalformedEnvironmentNamesTheVariable) {
  auto ctx = SecurityContext::load(std::nullopt, environment({{kHostAmdCertEnv, "??"}}));
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find(kHostAmdCertEnv), std::string::npos);
}

}  // namespace
}  // namespace mpcc::skr
