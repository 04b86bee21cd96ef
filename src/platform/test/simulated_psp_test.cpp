#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "crypto/hash.h"
#include "platform/sim/simulated_attester.h"
#include "platform/sim/simulated_psp.h"
#include "platform/test/test_support.h"
#include "snp/report.h"

namespace mpcc::platform::sim {
namespace {

namespace fs = std::filesystem;
using testing::shared_test_chip;
using testing::test_launch_params;
using testing::test_report_data;

TEST(SimulatedPsp, ReportHasTheRealLayoutAndVerifiesWithTheVcek) {
  auto chip = shared_test_chip();
  SimulatedPsp psp(chip);
  const LaunchParams params = test_launch_params();
  const auto data = test_report_data();
  auto signed_report = psp.sign_report(params, data);
  ASSERT_TRUE(signed_report.ok()) << signed_report.status().to_string();

  auto r = snp::AttestationReport::parse(signed_report->raw);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->version, 3u);
  EXPECT_EQ(r->signature_algo, 1u);
  EXPECT_EQ(r->policy, 0x30000u);
  EXPECT_EQ(r->vmpl, 0u);
  EXPECT_EQ(r->report_data, data);
  EXPECT_EQ(r->measurement, params.measurement);
  EXPECT_EQ(r->host_data, params.host_data);
  EXPECT_EQ(r->report_id, params.report_id);
  EXPECT_TRUE(std::all_of(r->report_id_ma.begin(), r->report_id_ma.end(),
                          [](uint8_t b) { return b == 0xFF; }));
  EXPECT_EQ(r->chip_id, chip->chip_id());
  EXPECT_EQ(r->reported_tcb.tcbm(), "7308000000000003");
  EXPECT_EQ(r->current_tcb, chip->tcb());
  EXPECT_EQ(r->committed_tcb, chip->tcb());
  EXPECT_EQ(r->launch_tcb, chip->tcb());
  EXPECT_EQ(r->key_info.signing_key, snp::SigningKey::kVcek);
  EXPECT_FALSE(r->key_info.mask_chip_key);
  EXPECT_EQ(r->cpuid_fam_id, 0x19);
  EXPECT_EQ(r->cpuid_mod_id, 0x01);
  EXPECT_EQ(snp::product_from_cpuid(r->cpuid_fam_id, r->cpuid_mod_id), snp::Product::kMilan);
  EXPECT_EQ(r->current_major, 1);
  EXPECT_EQ(r->current_minor, 55);
  EXPECT_EQ(r->platform_info, 1u);
  // Raw offsets, independently of the parser.
  EXPECT_EQ(signed_report->raw[0], 3);
  EXPECT_EQ(signed_report->raw[0x08 + 2], 0x03);  // policy 0x30000, little-endian
  EXPECT_TRUE(std::equal(data.begin(), data.end(), signed_report->raw.begin() + 0x50));

  EXPECT_TRUE(testing::verify_report_signature(signed_report->raw, chip->vcek()).ok());
  // One flipped bit in the signed part breaks it.
  auto tampered = signed_report->raw;
  tampered[0x90] ^= 1;
  EXPECT_EQ(testing::verify_report_signature(tampered, chip->vcek()).code(),
            StatusCode::kPermissionDenied);
}

TEST(SimulatedPsp, EvidenceCarriesTheChainAndTheSimulatedTag) {
  auto chip = shared_test_chip();
  SimulatedPsp psp(chip);
  auto e = psp.evidence(test_launch_params(), test_report_data());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->format, EvidenceFormat::kSimSevSnpV1);
  EXPECT_TRUE(e->is_simulated());
  EXPECT_EQ(e->report.size(), snp::kReportSize);
  ASSERT_EQ(e->endorsements.size(), 3u);
  EXPECT_EQ(e->endorsements[0], chip->vcek());
  EXPECT_EQ(e->endorsements[1], chip->ask());
  EXPECT_EQ(e->endorsements[2], chip->ark());
  EXPECT_EQ(e->endorsements_pem(), chip->vcek().pem() + chip->ask().pem() + chip->ark().pem());
}

TEST(SimulatedPsp, LaunchParametersAreValidated) {
  SimulatedPsp psp(shared_test_chip());
  LaunchParams p = test_launch_params();
  p.policy = 0x10000;  // reserved bit 17 clear
  auto r = psp.sign_report(p, test_report_data());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("bit 17"), std::string::npos);
  p = test_launch_params();
  p.policy = 0x30000 | (1ull << 40);
  EXPECT_FALSE(psp.sign_report(p, test_report_data()).ok());
  p = test_launch_params();
  p.vmpl = 4;
  EXPECT_FALSE(psp.sign_report(p, test_report_data()).ok());
}

// Report versions 2 and 5 from the same keys: chip.json says which version
// the firmware speaks (the consistency check covers keys, not the version).
TEST(SimulatedPsp, ReportVersionsTwoAndFive) {
  testing::TempDir tmp;
  ASSERT_TRUE(shared_test_chip()->save(tmp.path(), false).ok());
  for (uint32_t version : {2u, 5u}) {
    auto text = read_text_file(tmp.path() / kChipFile);
    ASSERT_TRUE(text.ok());
    nlohmann::json j = nlohmann::json::parse(*text);
    j["report_version"] = version;
    ASSERT_TRUE(write_file_atomic(tmp.path() / kChipFile, as_span(j.dump())).ok());
    auto chip = SimulatedChip::load(tmp.path());
    ASSERT_TRUE(chip.ok()) << chip.status().to_string();
    SimulatedPsp psp(std::make_shared<const SimulatedChip>(*chip));
    auto report = psp.sign_report(test_launch_params(), test_report_data());
    ASSERT_TRUE(report.ok());
    auto parsed = snp::AttestationReport::parse(report->raw);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->version, version);
    // v2 has no CPUID fields.
    EXPECT_EQ(report->raw[snp::offset::kCpuidFamId], version == 2 ? 0 : 0x19);
    EXPECT_TRUE(testing::verify_report_signature(report->raw, chip->vcek()).ok());
  }
}

TEST(InProcessSimulatedAttester, ReturnsEvidenceForTheFixedLaunch) {
  auto psp = std::make_shared<const SimulatedPsp>(shared_test_chip());
  InProcessSimulatedAttester attester(psp, test_launch_params());
  EXPECT_EQ(attester.platform(), "sim");
  auto e = attester.get_report(test_report_data(7));
  ASSERT_TRUE(e.ok());
  auto r = snp::AttestationReport::parse(e->report);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->report_data, test_report_data(7));
  EXPECT_EQ(r->measurement, test_launch_params().measurement);
}

TEST(LaunchParams, HostDataIsSha256OfThePolicyText) {
  const std::string policy = "package policy\napi_version := \"0.10.0\"\n";
  auto hd = host_data_for_policy(as_span(policy));
  Bytes expected = crypto::sha256(policy);
  EXPECT_TRUE(std::equal(hd.begin(), hd.end(), expected.begin()));
}

TEST(LaunchParams, ParsesHexFieldsAndNumbers) {
  EXPECT_TRUE(parse_measurement(std::string(96, 'a')).ok());
  EXPECT_EQ(parse_measurement(std::string(94, 'a')).status().message(),
            "measurement: expected 96 hex digits");
  EXPECT_FALSE(parse_host_data(std::string(64, 'g')).ok());
  EXPECT_TRUE(parse_host_data(std::string(64, 'F')).ok());
  EXPECT_EQ(*parse_u64("0x30000"), 0x30000u);
  EXPECT_EQ(*parse_u64("196608"), 0x30000u);
  EXPECT_FALSE(parse_u64("0x").ok());
  EXPECT_FALSE(parse_u64("-1").ok());
  EXPECT_FALSE(parse_u64("12abc").ok());
  EXPECT_FALSE(parse_u64("0x1ffffffffffffffff").ok());
}

TEST(LaunchParams, RandomReportIdsDiffer) {
  LaunchParams a, b;
  assign_random_report_id(a);
  assign_random_report_id(b);
  EXPECT_NE(a.report_id, b.report_id);
  EXPECT_EQ(to_json_view(a).at("policy").get<std::string>(), "0x30000");
}

}  // namespace
}  // namespace mpcc::platform::sim
