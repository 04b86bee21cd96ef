#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "platform/attester.h"
#include "platform/sim/unix_socket.h"
#include "platform/test/test_support.h"

namespace mpcc::platform {
namespace {

namespace fs = std::filesystem;

AttesterConfig isolated(PlatformChoice choice) {
  AttesterConfig c;
  c.platform = choice;
  c.sev_guest_device = "/nonexistent/sev-guest";
  c.read_environment = false;
  return c;
}

TEST(MakeAttester, NoDeviceAndNoChannelIsTheStandardContainerError) {
  auto a = make_attester(isolated(PlatformChoice::kAuto));
  EXPECT_EQ(a.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(a.status().message(),
            "no SEV-SNP guest device (/dev/sev-guest absent and no simulated PSP channel "
            "configured)");
}

TEST(MakeAttester, EnvironmentNamesTheChannel) {
  testing::TempDir tmp;
  const fs::path sock = tmp.path() / "g.sock";
  auto listener = sim::listen_unix(sock);
  ASSERT_TRUE(listener.ok());
  AttesterConfig c = isolated(PlatformChoice::kAuto);
  c.read_environment = true;
  ::setenv(kSevGuestChannelEnv, sock.c_str(), 1);
  auto a = make_attester(c);
  ::unsetenv(kSevGuestChannelEnv);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ((*a)->platform(), "sim");

  // Without the variable (and no explicit channel), the same config fails.
  EXPECT_EQ(make_attester(c).status().message(), kNoDeviceMessage);
}

TEST(MakeAttester, ExplicitChannelMustBeAnExistingSocket) {
  testing::TempDir tmp;
  AttesterConfig c = isolated(PlatformChoice::kSim);
  c.sim_channel = tmp.path() / "absent.sock";
  EXPECT_EQ(make_attester(c).status().code(), StatusCode::kFailedPrecondition);
  const fs::path file = tmp.path() / "file";
  std::ofstream(file) << "x";
  c.sim_channel = file;
  EXPECT_EQ(make_attester(c).status().code(), StatusCode::kInvalidArgument);
}

TEST(MakeAttester, SimWithoutChannelFails) {
  auto a = make_attester(isolated(PlatformChoice::kSim));
  EXPECT_EQ(a.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(a.status().message().find("MPCC_SEV_GUEST"), std::string::npos);
}

TEST(MakeAttester, HardwareRequestNeverFallsBackToTheSimulator) {
  testing::TempDir tmp;
  const fs::path sock = tmp.path() / "g.sock";
  auto listener = sim::listen_unix(sock);
  ASSERT_TRUE(listener.ok());
  AttesterConfig c = isolated(PlatformChoice::kSevGuest);
  c.sim_channel = sock;  // a working simulator is right there
  auto a = make_attester(c);
  EXPECT_EQ(a.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(a.status().message().find("no fallback to the simulator"), std::string::npos);
}

TEST(MakeAttester, AutoPrefersTheDevice) {
  testing::TempDir tmp;
  const fs::path device = tmp.path() / "sev-guest";
  std::ofstream(device) << "";
  const fs::path sock = tmp.path() / "g.sock";
  auto listener = sim::listen_unix(sock);
  ASSERT_TRUE(listener.ok());
  AttesterConfig c = isolated(PlatformChoice::kAuto);
  c.sev_guest_device = device;
  c.sim_channel = sock;
  auto a = make_attester(c);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->platform(), "sev-guest");
  c.platform = PlatformChoice::kSim;
  EXPECT_EQ((*make_attester(c))->platform(), "sim");
}

TEST(PlatformChoice, ParsesTheThreeNames) {
  EXPECT_EQ(*parse_platform_choice("auto"), PlatformChoice::kAuto);
  EXPECT_EQ(*parse_platform_choice("sim"), PlatformChoice::kSim);
  EXPECT_EQ(*parse_platform_choice("sev-guest"), PlatformChoice::kSevGuest);
  EXPECT_FALSE(parse_platform_choice("hardware").ok());
  EXPECT_EQ(platform_choice_name(PlatformChoice::kSevGuest), "sev-guest");
}

TEST(EvidenceFormat, NamesRoundTrip) {
  EXPECT_EQ(evidence_format_name(EvidenceFormat::kAmdSevSnpV1), "amd_sev_snp_v1");
  EXPECT_EQ(evidence_format_name(EvidenceFormat::kSimSevSnpV1), "sim_sev_snp_v1");
  EXPECT_EQ(*evidence_format_from_name("sim_sev_snp_v1"), EvidenceFormat::kSimSevSnpV1);
  EXPECT_FALSE(evidence_format_from_name("insecure_virtual").ok());
}

}  // namespace
}  // namespace mpcc::platform
