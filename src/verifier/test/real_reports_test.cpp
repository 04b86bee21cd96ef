// Real reports from shared/vectors (README tables): every positive row
// verifies, with the full chain and with the leaf alone; every negative row
// is refused for its own reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "verifier/snp_verifier.h"
#include "verifier/test/vectors.h"

namespace mpcc::verifier {
namespace {

using ::testing::HasSubstr;
using vtest::kOneDay;
using vtest::read_certs;
using vtest::read_leaf;
using vtest::read_report;

struct PositiveCase {
  const char* name;
  const char* report;
  const char* leaf;   // file holding the VCEK/VLEK (possibly with ASK and ARK)
  std::vector<const char*> chain;  // ASK/ASVK and ARK files (README columns)
  snp::Product product;
  snp::SigningKey kind;
  uint32_t version;
  bool debug = false;  // POLICY allows debugging: verified with allow_debug
};

void PrintTo(const PositiveCase& c, std::ostream* os) { *os << c.name; }

constexpr auto kVcek = snp::SigningKey::kVcek;
constexpr auto kVlek = snp::SigningKey::kVlek;
constexpr auto kMilan = snp::Product::kMilan;
constexpr auto kGenoa = snp::Product::kGenoa;
constexpr const char* kMilanAsk = "snp/amd/virtee-sev/milan_ask.pem";
constexpr const char* kMilanArk = "snp/amd/virtee-sev/milan_ark.pem";
constexpr const char* kGenoaAsk = "snp/amd/virtee-sev/genoa_ask.pem";
constexpr const char* kGenoaArk = "snp/amd/virtee-sev/genoa_ark.pem";
constexpr const char* kMilanAsvkArk = "snp/amd/go-sev-guest/ask_ark_milan_vlek.pem";

std::vector<PositiveCase> positive_cases() {
  return {
      {"go_sev_guest", "snp/go-sev-guest/attestation.bin", "snp/go-sev-guest/vcek.testcer",
       {kMilanAsk, kMilanArk}, kMilan, kVcek, 2, /*debug=*/true},
      {"virtee_milan", "snp/virtee-sev/derived/report_milan.bin", "snp/virtee-sev/vcek_milan.der",
       {kMilanAsk, kMilanArk}, kMilan, kVcek, 2},
      {"trustee_vcek", "snp/trustee/snp/test-report.bin", "snp/trustee/snp/test-vcek.der",
       {kMilanAsk, kMilanArk}, kMilan, kVcek, 2},
      {"trustee_vlek", "snp/trustee/snp/test-vlek-report.bin", "snp/trustee/snp/test-vlek.der",
       {kMilanAsvkArk}, kMilan, kVlek, 3},
      {"trustee_az_hcl", "snp/trustee/derived/az-hcl-report.report.bin",
       "snp/trustee/az-snp-vtpm/vcek.pem", {"snp/trustee/az-snp-vtpm/vcek.pem"}, kMilan, kVcek, 2},
      {"trustee_az_v0", "snp/trustee/derived/az-evidence-v0.report.bin",
       "snp/trustee/derived/az-evidence-v0.vcek.pem", {kMilanAsk, kMilanArk}, kMilan, kVcek, 3},
      {"trustee_az_v1", "snp/trustee/derived/az-evidence-v1.report.bin",
       "snp/trustee/derived/az-evidence-v0.vcek.pem", {kMilanAsk, kMilanArk}, kMilan, kVcek, 3},
      {"trustee_az_v2", "snp/trustee/derived/az-evidence-v2.report.bin",
       "snp/trustee/derived/az-evidence-v2.vcek.der", {kMilanAsk, kMilanArk}, kMilan, kVcek, 3},
      {"trustee_az_genoa", "snp/trustee/derived/az-evidence-genoa.report.bin",
       "snp/trustee/az-snp-vtpm/vcek-genoa.pem", {kGenoaAsk, kGenoaArk}, kGenoa, kVcek, 3},
      {"trustee_e2e_genoa", "snp/trustee/derived/e2e-evidence.report.reconstructed.bin",
       "snp/trustee/derived/e2e-evidence.vcek.der", {kGenoaAsk, kGenoaArk}, kGenoa, kVcek, 3},
      {"constellation_azure", "snp/constellation/derived/attestation.report.bin",
       "snp/constellation/snp/vcek.pem", {"snp/constellation/snp/certchain.pem"}, kMilan, kVcek, 2},
      {"constellation_aws_vlek", "snp/constellation/derived/aws-report.bin",
       "snp/constellation/aws-snp/vlek.pem", {"snp/constellation/aws-snp/certchain.pem"}, kMilan,
       kVlek, 3},
      {"sidecar_aci", "snp/confidential-sidecar-containers/snp_report.bin",
       "snp/confidential-sidecar-containers/uvm_host_amd_certificate.pem",
       {"snp/confidential-sidecar-containers/uvm_host_amd_certificate.pem"}, kMilan, kVcek, 2},
      {"teekit_gcp", "snp/teekit/sev-gcp.bin", "snp/teekit/sev-gcp-vcek.pem",
       {"snp/teekit/sev-gcp-cert-chain.pem"}, kMilan, kVcek, 5},
      {"teekit_gcp_reportdata", "snp/teekit/sev-gcp-reportdata.bin", "snp/teekit/sev-gcp-vcek.pem",
       {"snp/teekit/sev-gcp-cert-chain.pem"}, kMilan, kVcek, 5},
      {"teekit_gcp_x25519", "snp/teekit/sev-gcp-x25519-bound.bin",
       "snp/teekit/sev-gcp-x25519-vcek.pem", {"snp/teekit/sev-gcp-cert-chain.pem"}, kMilan, kVcek,
       5},
      {"automata", "snp/automata/derived/report.bin", "snp/automata/derived/vek_cert.der",
       {kMilanAsk, kMilanArk}, kMilan, kVcek, 2},
  };
}

class PositiveReport : public ::testing::TestWithParam<PositiveCase> {
 protected:
  static AppraisalPolicy policy() {
    AppraisalPolicy p;
    p.allow_debug = GetParam().debug;
    return p;
  }
  static FixedClock clock_for(const std::vector<crypto::Certificate>& leaf) {
    return FixedClock(leaf.front().not_before() + kOneDay);
  }
  void expect_verdict(const StatusOr<Verdict>& v) {
    const PositiveCase& c = GetParam();
    ASSERT_TRUE(v.ok()) << v.status().to_string();
    EXPECT_EQ(v->product, c.product);
    EXPECT_EQ(v->signing_key, c.kind);
    EXPECT_FALSE(v->simulated);
    EXPECT_EQ(v->anchor_kind, AnchorKind::kAmd);
    EXPECT_EQ(v->report.version, c.version);
    EXPECT_EQ(v->to_json()["simulated"], false);
    EXPECT_THAT(v->checks_passed, ::testing::Contains("report_signature"));
    EXPECT_THAT(v->checks_passed, ::testing::Contains("reported_tcb"));
    if (c.kind == kVcek) {
      EXPECT_THAT(v->checks_passed, ::testing::Contains("chip_id"));
    } else {
      EXPECT_THAT(v->checks_passed, ::testing::Not(::testing::Contains("chip_id")));
      EXPECT_TRUE(v->csp_id.has_value());
    }
  }
};

TEST_P(PositiveReport, VerifiesWithLeafOnly) {
  const PositiveCase& c = GetParam();
  auto leaf = read_leaf(c.leaf);
  ASSERT_EQ(leaf.size(), 1u);
  SnpVerifier verifier;
  expect_verdict(verifier.verify(read_report(c.report), leaf, clock_for(leaf), policy()));
}

TEST_P(PositiveReport, VerifiesWithFullChain) {
  const PositiveCase& c = GetParam();
  auto leaf = read_leaf(c.leaf);
  std::vector<crypto::Certificate> certs = read_certs(c.leaf);
  for (const char* f : c.chain) {
    auto more = read_certs(f);
    certs.insert(certs.end(), more.begin(), more.end());
  }
  SnpVerifier verifier;
  auto v = verifier.verify(read_report(c.report), certs, clock_for(leaf), policy());
  expect_verdict(v);
  // The same chain again comes from the cache and still verifies.
  auto again = verifier.verify(read_report(c.report), certs, clock_for(leaf), policy());
  expect_verdict(again);
  EXPECT_FALSE(v->chain_cached);
  EXPECT_TRUE(again->chain_cached);
}

TEST_P(PositiveReport, VerifiesFromRawBytes) {
  const PositiveCase& c = GetParam();
  auto leaf = read_leaf(c.leaf);
  snp::AttestationReport r = read_report(c.report);
  SnpVerifier verifier;
  expect_verdict(verifier.verify(ByteSpan(r.raw), leaf, clock_for(leaf), policy()));
}

INSTANTIATE_TEST_SUITE_P(Vectors, PositiveReport, ::testing::ValuesIn(positive_cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// go-sev-guest's report comes from a guest launched with debugging allowed
// (POLICY 0xb0000): genuine, but refused by the default appraisal.
TEST(PositiveReport, DebugGuestIsRefusedByDefault) {
  auto leaf = read_leaf("snp/go-sev-guest/vcek.testcer");
  SnpVerifier verifier;
  auto v = verifier.verify(read_report("snp/go-sev-guest/attestation.bin"), leaf,
                           FixedClock(leaf.front().not_before() + kOneDay));
  EXPECT_EQ(v.status().message(),
            "SEV-SNP: guest POLICY allows debugging (bit 19) and debug is not allowed");
}

TEST(PositiveReport, AllSeventeenReadmeRowsAreCovered) {
  EXPECT_EQ(positive_cases().size(), 17u);
}

// ---- Negative table -------------------------------------------------------

Status verify_at_leaf_time(const char* report, const std::vector<crypto::Certificate>& certs) {
  SnpVerifier verifier;
  UnixSeconds t = 0;
  for (const auto& c : certs) {
    if (!c.is_ca()) t = c.not_before() + kOneDay;
  }
  auto v = verifier.verify(read_report(report), certs, FixedClock(t));
  return v.status();
}

TEST(NegativeReport, TrusteeInvalidLegacyVcekIsNotSignedByAsk) {
  Status s = verify_at_leaf_time("snp/trustee/snp/test-report.bin",
                                 read_certs("snp/trustee/snp/test-vcek-invalid-legacy.der"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("SEV-SNP: VCEK is not signed by the ASK (SEV-Milan)"));
}

TEST(NegativeReport, TrusteeInvalidNewVcekIsNotSignedByAsk) {
  Status s = verify_at_leaf_time("snp/trustee/snp/test-report.bin",
                                 read_certs("snp/trustee/snp/test-vcek-invalid-new.der"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("SEV-SNP: VCEK is not signed by the ASK (SEV-Milan)"));
}

TEST(NegativeReport, ConstellationVlekReportSignatureFails) {
  Status s = verify_at_leaf_time("snp/constellation/derived/AttestationReportVLEK.bin",
                                 read_certs("snp/constellation/snp/vlek.pem"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("SEV-SNP: report signature does not verify with the VLEK"));
}

TEST(NegativeReport, SidecarCorruptedVersionIsUnsupportedVersionZero) {
  Status s = verify_at_leaf_time(
      "snp/confidential-sidecar-containers/derived/CorruptedProductionSNPReportBytes.bin",
      read_leaf("snp/confidential-sidecar-containers/uvm_host_amd_certificate.pem"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("SEV-SNP: unsupported report version 0"));
}

TEST(NegativeReport, SidecarCorruptedSignatureFails) {
  Status s = verify_at_leaf_time(
      "snp/confidential-sidecar-containers/derived/CorruptedProductionSigSNPReportBytes.bin",
      read_leaf("snp/confidential-sidecar-containers/uvm_host_amd_certificate.pem"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("SEV-SNP: report signature does not verify with the VCEK"));
}

// The only VCEK in the kinvolk repository belongs to another chip (its hwID
// differs from CHIP_ID, the TCB is the same): the key does not match, and the
// signature check comes before the CHIP_ID check.
TEST(NegativeReport, KinvolkOtherChipVcekFailsAtSignature) {
  auto certs = read_certs("snp/azure-cvm-tooling/certs.pem");
  snp::AttestationReport r = read_report("snp/azure-cvm-tooling/derived/hcl-report-snp.report.bin");
  auto leaf = read_leaf("snp/azure-cvm-tooling/certs.pem");
  ASSERT_EQ(leaf.size(), 1u);
  auto hwid = leaf.front().extension_value("1.3.6.1.4.1.3704.1.4");
  ASSERT_TRUE(hwid.has_value());
  EXPECT_FALSE(std::equal(hwid->begin(), hwid->end(), r.chip_id.begin()));
  Status s = verify_at_leaf_time("snp/azure-cvm-tooling/derived/hcl-report-snp.report.bin", certs);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("SEV-SNP: report signature does not verify with the VCEK"));
}

// The same kinvolk report loaded from the original 2048-byte HCL blob.
TEST(NegativeReport, KinvolkHclBlobLoadsTheSameReport) {
  EXPECT_EQ(read_report("snp/azure-cvm-tooling/hcl-report-snp.bin").raw,
            read_report("snp/azure-cvm-tooling/derived/hcl-report-snp.report.bin").raw);
}

TEST(NegativeReport, AutomataWrongChipVcekFailsAtSignature) {
  Status s = verify_at_leaf_time("snp/automata/derived/report.bin",
                                 read_certs("snp/automata/vcek.pem"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("SEV-SNP: report signature does not verify with the VCEK"));
}

// ---- One change to a real, verifying input ---------------------------------

TEST(RealMutation, MilanReportAgainstGenoaAskIsNotSignedByAsk) {
  auto certs = read_certs("snp/virtee-sev/vcek_milan.der");
  auto genoa = read_certs(kGenoaAsk);
  certs.insert(certs.end(), genoa.begin(), genoa.end());
  Status s = verify_at_leaf_time("snp/virtee-sev/derived/report_milan.bin", certs);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("SEV-SNP: VCEK is not signed by the ASK (SEV-Genoa)"));
}

TEST(RealMutation, MilanChainWithGenoaArkFailsAskSignedByArk) {
  auto certs = read_certs("snp/virtee-sev/vcek_milan.der");
  for (const char* f : {kMilanAsk, kGenoaArk}) {
    auto more = read_certs(f);
    certs.insert(certs.end(), more.begin(), more.end());
  }
  Status s = verify_at_leaf_time("snp/virtee-sev/derived/report_milan.bin", certs);
  EXPECT_THAT(s.message(), HasSubstr("SEV-SNP: ASK (SEV-Milan) is not signed by the ARK (ARK-Genoa)"));
}

TEST(RealMutation, VlekReportWithVcekLeafIsWrongKind) {
  Status s = verify_at_leaf_time("snp/trustee/snp/test-vlek-report.bin",
                                 read_certs("snp/trustee/snp/test-vcek.der"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("KEY_INFO says the report is signed by the VLEK but the leaf "
                                     "certificate is a VCEK"));
}

TEST(RealMutation, VcekReportWithoutAnyCertificateIsInvalid) {
  SnpVerifier verifier;
  auto v = verifier.verify(read_report("snp/trustee/snp/test-report.bin"), {}, FixedClock(1700000000));
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), HasSubstr("SEV-SNP: no VCEK certificate given"));
}

// Both AWS VLEKs expired on 2025-12-10: verifying "now" (the system clock,
// after that date) fails the leaf validity check; inside the window it passes.
TEST(RealMutation, ExpiredVlekFailsValidityWithoutPinnedTime) {
  SnpVerifier verifier;
  auto certs = read_certs("snp/trustee/snp/test-vlek.der");
  snp::AttestationReport r = read_report("snp/trustee/snp/test-vlek-report.bin");
  ASSERT_GT(SystemClock().now(), certs.front().not_after());
  auto v = verifier.verify(r, certs, SystemClock());
  EXPECT_EQ(v.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(v.status().message(),
              HasSubstr("SEV-SNP: VLEK certificate (SEV-VLEK) is not valid at"));
  EXPECT_THAT(v.status().message(),
              HasSubstr("valid from 2024-12-10T22:14:21Z to 2025-12-10T22:14:21Z"));
  // A cached chain does not bypass the clock.
  ASSERT_TRUE(verifier.verify(r, certs, FixedClock(certs.front().not_before() + kOneDay)).ok());
  auto again = verifier.verify(r, certs, FixedClock(certs.front().not_after() + 1));
  EXPECT_THAT(again.status().message(), HasSubstr("is not valid at 2025-12-10T22:14:22Z"));
}

TEST(RealMutation, LeafNotYetValidFails) {
  SnpVerifier verifier;
  auto certs = read_certs("snp/virtee-sev/vcek_milan.der");
  auto v = verifier.verify(read_report("snp/virtee-sev/derived/report_milan.bin"), certs,
                           FixedClock(certs.front().not_before() - 1));
  EXPECT_THAT(v.status().message(), HasSubstr("SEV-SNP: VCEK certificate (SEV-VCEK) is not valid at"));
}

// Origin mutations (virtee: byte 21 bit 0x80; trustee: byte 42 += 1 and
// byte 384 += 1): all inside the signed area, so the signature fails first.
TEST(RealMutation, OriginMutationsFailAtSignature) {
  struct M {
    const char* report;
    const char* vcek;
    std::size_t offset;
    uint8_t xor_mask;
  };
  for (const M& m : {M{"snp/virtee-sev/derived/report_milan.bin", "snp/virtee-sev/vcek_milan.der", 21, 0x80},
                     M{"snp/trustee/snp/test-report.bin", "snp/trustee/snp/test-vcek.der", 42, 0x01},
                     M{"snp/trustee/snp/test-report.bin", "snp/trustee/snp/test-vcek.der", 384, 0x07}}) {
    snp::AttestationReport r = read_report(m.report);
    Bytes raw(r.raw.begin(), r.raw.end());
    raw[m.offset] ^= m.xor_mask;
    auto certs = read_certs(m.vcek);
    SnpVerifier verifier;
    auto v = verifier.verify(ByteSpan(raw), certs, FixedClock(certs.front().not_before() + kOneDay));
    EXPECT_THAT(v.status().message(), HasSubstr("SEV-SNP: report signature does not verify"))
        << m.report << " @" << m.offset;
  }
}

}  // namespace
}  // namespace mpcc::verifier

namespace mpcc::verifier {
namespace {

// No Turin report exists: a report shaped like one for the Turin VCEK (TCB,
// CHIP_ID prefix, CPUID) with a made-up signature passes every chain check
// with the built-in Turin ASK/ARK and fails exactly at the report signature.
TEST(TurinVcek, ChainVerifiesAndOnlyTheSignatureFails) {
  auto certs = read_certs("snp/virtee-sev/vcek_turin.der");
  snp::AttestationReport r;
  r.version = 3;
  r.policy = 0x30000;
  r.signature_algo = 1;
  r.cpuid_fam_id = 0x1A;
  r.cpuid_mod_id = 0x02;
  r.reported_tcb = snp::TcbVersion::from_parts(snp::Product::kTurin, {0, 0, 0, 0, 9});
  r.current_tcb = r.reported_tcb;
  const Bytes hwid = {0x1e, 0x55, 0x0a, 0x8e, 0xe5, 0xcf, 0x9f, 0x4d};
  std::copy(hwid.begin(), hwid.end(), r.chip_id.begin());
  r.signature_r[47] = 1;
  r.signature_s[47] = 1;
  r.serialize();
  SnpVerifier verifier;
  auto v = verifier.verify(r, certs, FixedClock(certs.front().not_before() + kOneDay));
  EXPECT_EQ(v.status().message(), "SEV-SNP: report signature does not verify with the VCEK");
  // The chain was verified (and cached) on the way.
  EXPECT_EQ(verifier.chain_cache().size(), 1u);
  // With a Milan CPUID the product check refuses it first.
  r.cpuid_mod_id = 0x01;
  r.cpuid_fam_id = 0x19;
  r.serialize();
  auto m = verifier.verify(r, certs, FixedClock(certs.front().not_before() + kOneDay));
  EXPECT_THAT(m.status().message(), HasSubstr("SEV-SNP: product mismatch: the VCEK productName says "
                                              "Turin, the report CPUID (family 0x19 model 0x1) says Milan"));
}

}  // namespace
}  // namespace mpcc::verifier
