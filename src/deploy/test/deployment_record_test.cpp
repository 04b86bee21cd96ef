#include "deploy/deployment_record.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/file_io.h"

namespace mpcc::deploy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(DeploymentRecord, RoundTripsThroughAFile) {
  const fs::path dir = fs::temp_directory_path() / ("mpcc_record_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "deployment.json";

  StatusOr<std::optional<DeploymentRecord>> absent = read_deployment_record(file);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());

  DeploymentRecord r;
  r.ports = {{"identity", 40000}, {"attestation", 40001}, {"vault-contoso", 40002}};
  ASSERT_TRUE(write_deployment_record(file, r).ok());
  StatusOr<std::optional<DeploymentRecord>> back = read_deployment_record(file);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, r);
  fs::remove_all(dir);
}

TEST(DeploymentRecord, RefusesAWrongFormatOrPort) {
  EXPECT_FALSE(
      deployment_record_from_json({{"format", "other"}, {"components", json::object()}}).ok());
  EXPECT_FALSE(deployment_record_from_json({{"format", kDeploymentFormat}}).ok());
  StatusOr<DeploymentRecord> r = deployment_record_from_json(
      {{"format", kDeploymentFormat}, {"components", {{"identity", {{"port", 70000}}}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("identity.port"), std::string::npos) << r.status().message();
  EXPECT_FALSE(deployment_record_from_json(
                   {{"format", kDeploymentFormat}, {"components", {{"identity", {{"port", "1"}}}}}})
                   .ok());
}

}  // namespace
}  // namespace mpcc::deploy
