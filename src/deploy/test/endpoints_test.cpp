#include "deploy/endpoints.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "common/file_io.h"

namespace mpcc::deploy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Endpoints sample() {
  Endpoints e;
  e.ca_cert = "/srv/dep/ca/ca.pem";
  e.attestation = "https://127.0.0.1:40001";
  e.identity = "https://127.0.0.1:40000";
  e.vaults = {{"contoso", "https://127.0.0.1:40002"},
              {"fabrikam", "https://127.0.0.1:40003"},
              {"woodgrove", "https://127.0.0.1:40004"}};
  e.identities["deployer"] = {"11111111-1111-4111-8111-111111111111",
                              "22222222-2222-4222-8222-222222222222",
                              "/srv/dep/identity/credentials/deployer"};
  e.identities["contoso"] = {"33333333-3333-4333-8333-333333333333",
                             "44444444-4444-4444-8444-444444444444",
                             "/srv/dep/identity/credentials/contoso"};
  e.psp_state_dir = "/srv/dep/psp";
  e.psp_chain = "/srv/dep/psp/chain.pem";
  return e;
}

class EndpointsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mpcc_endpoints_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(Endpoints, JsonHasEveryFieldOfTheContract) {
  json j = endpoints_to_json(sample());
  EXPECT_EQ(j.at("ca_cert"), "/srv/dep/ca/ca.pem");
  EXPECT_EQ(j.at("attestation"), "https://127.0.0.1:40001");
  EXPECT_EQ(j.at("identity"), "https://127.0.0.1:40000");
  EXPECT_EQ(j.at("vaults").at("fabrikam"), "https://127.0.0.1:40003");
  EXPECT_EQ(j.at("identities").at("contoso").at("client_id"),
            "33333333-3333-4333-8333-333333333333");
  EXPECT_EQ(j.at("identities").at("contoso").at("object_id"),
            "44444444-4444-4444-8444-444444444444");
  EXPECT_EQ(j.at("identities").at("deployer").at("credential_file"),
            "/srv/dep/identity/credentials/deployer");
  EXPECT_EQ(j.at("psp").at("state_dir"), "/srv/dep/psp");
  EXPECT_EQ(j.at("psp").at("chain"), "/srv/dep/psp/chain.pem");
  EXPECT_EQ(j.at("parties"), json::object());
  EXPECT_TRUE(j.at("view").is_null());
}

TEST(Endpoints, RoundTripsThroughJson) {
  Endpoints e = sample();
  e.parties = {{"contoso", {{"url", "http://127.0.0.1:8001"}}}};
  e.view = "http://127.0.0.1:8000";
  StatusOr<Endpoints> back = endpoints_from_json(endpoints_to_json(e));
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, e);
}

TEST(Endpoints, NamesTheMissingOrMistypedField) {
  json j = endpoints_to_json(sample());
  j.erase("attestation");
  StatusOr<Endpoints> r = endpoints_from_json(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("\"attestation\" is missing"), std::string::npos)
      << r.status().message();

  j = endpoints_to_json(sample());
  j["identities"]["contoso"]["object_id"] = 7;
  r = endpoints_from_json(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("identities.contoso.object_id"), std::string::npos)
      << r.status().message();

  j = endpoints_to_json(sample());
  j["vaults"] = json::array();
  r = endpoints_from_json(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"vaults\" must be an object"), std::string::npos);

  EXPECT_FALSE(endpoints_from_json(json::array()).ok());
}

TEST(Endpoints, ParsesWithoutTheLaterStagesFields) {
  json j = endpoints_to_json(sample());
  j.erase("parties");
  j.erase("view");
  StatusOr<Endpoints> r = endpoints_from_json(j);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->parties, json::object());
  EXPECT_TRUE(r->view.is_null());
}

TEST_F(EndpointsFileTest, WritesPrivatelyAndReadsBack) {
  const fs::path file = dir_ / "endpoints.json";
  ASSERT_TRUE(write_endpoints(file, sample()).ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  StatusOr<Endpoints> back = read_endpoints(file);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, sample());
  // No temporary left behind by the atomic write.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(EndpointsFileTest, ReadFailuresSayWhy) {
  StatusOr<Endpoints> absent = read_endpoints(dir_ / "none.json");
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), StatusCode::kNotFound);

  const fs::path bad = dir_ / "bad.json";
  ASSERT_TRUE(write_file_atomic(bad, as_span(std::string("{not json"))).ok());
  StatusOr<Endpoints> r = read_endpoints(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not JSON"), std::string::npos);
}

}  // namespace
}  // namespace mpcc::deploy
