// Simulated SEV-SNP evidence goes through the ONE verifier (src/verifier):
// refused while the simulated root is not trusted, accepted (and labelled
// simulated) once it is added to the TrustStore explicitly.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "common/clock.h"
#include "platform/attester.h"
#include "platform/sim/psp_control_client.h"
#include "platform/sim/psp_daemon.h"
#include "platform/sim/simulated_attester.h"
#include "platform/sim/simulated_psp.h"
#include "platform/test/test_support.h"
#include "snp/report.h"
#include "verifier/snp_verifier.h"
#include "verifier/trust_store.h"

namespace mpcc {
namespace {

using platform::testing::shared_test_chip;
using platform::testing::test_launch_params;
using platform::testing::test_report_data;

std::shared_ptr<const verifier::TrustStore> trusting(const crypto::Certificate& ark) {
  auto store = std::make_shared<verifier::TrustStore>();
  Status s = store->add_configured_anchor(ark, "mpcc simulated PSP (test)");
  if (!s.ok()) throw std::runtime_error(s.to_string());
  return store;
}

platform::Evidence evidence_from(snp::Product product, const platform::sim::LaunchParams& params) {
  platform::sim::SimulatedPsp psp(shared_test_chip(product));
  auto e = psp.evidence(params, test_report_data());
  if (!e.ok()) throw std::runtime_error(e.status().to_string());
  return *e;
}

TEST(SimulatedEvidence, RefusedWhenTheSimulatedRootIsNotTrusted) {
  platform::Evidence e = evidence_from(snp::Product::kMilan, test_launch_params());
  verifier::SnpVerifier amd_only;
  auto verdict = amd_only.verify(e.report, e.endorsements, SystemClock());
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(verdict.status().message().find("SEV-SNP: ARK is not a trusted root"), std::string::npos)
      << verdict.status().message();
}

TEST(SimulatedEvidence, AcceptedWhenTheRootIsAddedAndTheVerdictSaysSimulated) {
  auto chip = shared_test_chip();
  platform::Evidence e = evidence_from(snp::Product::kMilan, test_launch_params());
  verifier::SnpVerifier v(trusting(chip->ark()));
  auto verdict = v.verify(e.report, e.endorsements, SystemClock());
  ASSERT_TRUE(verdict.ok()) << verdict.status().to_string();
  EXPECT_TRUE(verdict->simulated);
  EXPECT_EQ(verdict->anchor_kind, verifier::AnchorKind::kConfigured);
  EXPECT_EQ(verdict->product, snp::Product::kMilan);
  EXPECT_EQ(verdict->signing_key, snp::SigningKey::kVcek);
  EXPECT_TRUE(verdict->to_json().at("simulated").get<bool>());
}

TEST(SimulatedEvidence, TamperedReportIsRefused) {
  auto chip = shared_test_chip();
  platform::Evidence e = evidence_from(snp::Product::kMilan, test_launch_params());
  e.report[snp::offset::kMeasurement] ^= 0x01;  // a guest "improving" its measurement
  verifier::SnpVerifier v(trusting(chip->ark()));
  auto verdict = v.verify(e.report, e.endorsements, SystemClock());
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(verdict.status().message().find("signature"), std::string::npos)
      << verdict.status().message();
}

TEST(SimulatedEvidence, DebugPolicyIsRefusedUnlessAllowed) {
  auto chip = shared_test_chip();
  auto params = test_launch_params();
  params.policy |= 1ull << 19;  // DEBUG
  platform::Evidence e = evidence_from(snp::Product::kMilan, params);
  verifier::SnpVerifier v(trusting(chip->ark()));
  EXPECT_EQ(v.verify(e.report, e.endorsements, SystemClock()).status().code(),
            StatusCode::kPermissionDenied);
  verifier::AppraisalPolicy allow;
  allow.allow_debug = true;
  EXPECT_TRUE(v.verify(e.report, e.endorsements, SystemClock(), allow).ok());
}

TEST(SimulatedEvidence, GenoaAndTurinChipsVerify) {
  for (snp::Product product : {snp::Product::kGenoa, snp::Product::kTurin}) {
    auto chip = shared_test_chip(product);
    platform::Evidence e = evidence_from(product, test_launch_params());
    verifier::SnpVerifier v(trusting(chip->ark()));
    auto verdict = v.verify(e.report, e.endorsements, SystemClock());
    ASSERT_TRUE(verdict.ok()) << snp::product_name(product) << ": " << verdict.status().to_string();
    EXPECT_EQ(verdict->product, product);
    EXPECT_TRUE(verdict->simulated);
  }
}

// The launcher/guest split end to end: daemon, channel from the
// environment, make_attester(auto), verifier with an appraisal policy.
TEST(SimulatedEvidence, DaemonRoundTripAppraisedAgainstTheLaunchParameters) {
  auto chip = shared_test_chip();
  platform::testing::TempDir tmp;
  auto daemon = platform::sim::PspDaemon::open(tmp.path(), chip);
  ASSERT_TRUE(daemon.ok()) << daemon.status().to_string();
  std::thread serving([&] { (void)(*daemon)->run(); });

  platform::sim::LaunchRequest launch;
  launch.guest = "contoso";
  launch.params.measurement.fill(0x5C);
  launch.params.host_data.fill(0x7D);
  auto launched = platform::sim::request_launch((*daemon)->control_socket(), launch);
  ASSERT_TRUE(launched.ok()) << launched.status().to_string();

  ::setenv(platform::kSevGuestChannelEnv, launched->channel.c_str(), 1);
  platform::AttesterConfig config;
  config.sev_guest_device = "/nonexistent/sev-guest";
  auto attester = platform::make_attester(config);
  ::unsetenv(platform::kSevGuestChannelEnv);
  ASSERT_TRUE(attester.ok()) << attester.status().to_string();
  auto e = (*attester)->get_report(test_report_data(3));
  (*daemon)->stop();
  serving.join();
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_TRUE(e->is_simulated());

  verifier::SnpVerifier v(trusting(chip->ark()));
  verifier::AppraisalPolicy policy;
  policy.expected_measurement = launch.params.measurement;
  policy.expected_host_data = launch.params.host_data;
  policy.expected_report_data = test_report_data(3);
  policy.exact_vmpl = 0;
  auto verdict = v.verify(e->report, e->endorsements, SystemClock(), policy);
  ASSERT_TRUE(verdict.ok()) << verdict.status().to_string();
  EXPECT_TRUE(verdict->simulated);

  policy.expected_measurement->fill(0x00);
  auto refused = v.verify(e->report, e->endorsements, SystemClock(), policy);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
}

TEST(SimulatedEvidence, StandardContainerHasNoDevice) {
  platform::AttesterConfig config;
  config.sev_guest_device = "/nonexistent/sev-guest";
  config.read_environment = false;
  auto attester = platform::make_attester(config);
  EXPECT_EQ(attester.status().message(), platform::kNoDeviceMessage);
}

}  // namespace
}  // namespace mpcc
