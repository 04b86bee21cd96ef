// One negative test per checklist step, each changing exactly one thing in a
// synthetic chain + report that otherwise verifies (trusted as a configured,
// i.e. simulated, anchor).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/signature.h"
#include "verifier/snp_verifier.h"
#include "verifier/test/synthetic_pki.h"

namespace mpcc::verifier {
namespace {

using ::testing::HasSubstr;
using namespace vtest;  // NOLINT: synthetic PKI helpers

std::shared_ptr<TrustStore> trusting(const crypto::Certificate& root) {
  auto store = std::make_shared<TrustStore>();
  Status s = store->add_configured_anchor(root, "simulated PSP");
  if (!s.ok()) throw std::runtime_error(s.to_string());
  return store;
}

class Checklist : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chain_ = new SyntheticChain(make_chain()); }
  static void TearDownTestSuite() {
    delete chain_;
    chain_ = nullptr;
  }

  // The baseline report, with `mutate` applied before signing.
  template <typename F>
  snp::AttestationReport signed_report(F mutate) {
    snp::AttestationReport r = chain_->report_template();
    mutate(r);
    sign_report(r, chain_->leaf_key);
    return r;
  }
  snp::AttestationReport signed_report() {
    return signed_report([](snp::AttestationReport&) {});
  }

  StatusOr<Verdict> verify(const snp::AttestationReport& r,
                           std::vector<crypto::Certificate> certs = {},
                           const AppraisalPolicy& policy = {}, UnixSeconds now = kNow) {
    if (certs.empty()) certs = chain_->certs();
    SnpVerifier verifier(trusting(chain_->ark));
    return verifier.verify(r, certs, FixedClock(now), policy);
  }
  void expect_refused(const StatusOr<Verdict>& v, std::string_view message,
                      StatusCode code = StatusCode::kPermissionDenied) {
    ASSERT_FALSE(v.ok()) << "verified, expected: " << message;
    EXPECT_EQ(v.status().code(), code) << v.status().to_string();
    EXPECT_THAT(v.status().message(), HasSubstr(std::string(message)));
    EXPECT_THAT(v.status().message(), ::testing::StartsWith("SEV-SNP: "));
  }

  static SyntheticChain* chain_;
};
SyntheticChain* Checklist::chain_ = nullptr;

TEST_F(Checklist, BaselineVerifiesAsSimulated) {
  auto v = verify(signed_report());
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_TRUE(v->simulated);
  EXPECT_EQ(v->anchor_kind, AnchorKind::kConfigured);
  EXPECT_EQ(v->trust_anchor, "simulated PSP");
  EXPECT_EQ(v->product, snp::Product::kMilan);
  EXPECT_EQ(v->signing_key, snp::SigningKey::kVcek);
  EXPECT_EQ(v->to_json()["simulated"], true);
  EXPECT_EQ(v->to_json()["trust_anchor"]["kind"], "configured");
  EXPECT_THAT(v->checks_passed,
              ::testing::ElementsAre("report_size", "version", "signature_algo", "signing_key",
                                     "mask_chip_key", "policy_reserved_bits", "leaf_certificate",
                                     "product", "intermediate", "root", "root_pinned",
                                     "root_self_signed", "intermediate_signed_by_root",
                                     "leaf_signed_by_intermediate", "validity", "report_signature",
                                     "reported_tcb", "chip_id", "debug_disabled"));
}

TEST_F(Checklist, UntrustedRootIsRefusedAtPinCheck) {
  SnpVerifier amd_only;  // the synthetic ARK is not an anchor
  auto v = amd_only.verify(signed_report(), chain_->certs(), FixedClock(kNow));
  expect_refused(v, "SEV-SNP: ARK is not a trusted root: ");
  EXPECT_THAT(v.status().message(), HasSubstr("CN=ARK-Synthetic"));
}

TEST_F(Checklist, ConfiguredRootFoundByNameWhenOmitted) {
  auto v = verify(signed_report(), {chain_->leaf, chain_->ask});
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_TRUE(v->simulated);
}

TEST_F(Checklist, ConfiguredRootNotOmittableWithoutAnchor) {
  SnpVerifier amd_only;
  auto v = amd_only.verify(signed_report(), std::vector{chain_->leaf, chain_->ask}, FixedClock(kNow));
  // No anchor carries the ASK's issuer name: the built-in Milan ARK is used.
  expect_refused(v, "SEV-SNP: ASK (SEV-Synthetic) is not signed by the ARK (ARK-Milan)");
}

// ---- 1-5: structure --------------------------------------------------------

TEST_F(Checklist, SupportedVersionsVerify) {
  for (uint32_t version : {2u, 3u, 5u}) {
    auto v = verify(signed_report([&](auto& r) {
      r.version = version;
      if (version == 2) r.cpuid_fam_id = r.cpuid_mod_id = r.cpuid_step = 0;
    }));
    EXPECT_TRUE(v.ok()) << version << ": " << v.status().to_string();
  }
}

TEST_F(Checklist, UnsupportedVersionsAreRefused) {
  for (uint32_t version : {0u, 1u, 4u, 6u, 0xFFFFFFFFu}) {
    expect_refused(verify(signed_report([&](auto& r) { r.version = version; })),
                   "SEV-SNP: unsupported report version " + std::to_string(version) +
                       " (supported: 2, 3, 5)");
  }
}

TEST_F(Checklist, SignatureAlgoMustBeEcdsaP384) {
  expect_refused(verify(signed_report([](auto& r) { r.signature_algo = 2; })),
                 "SEV-SNP: unsupported SIGNATURE_ALGO 2");
  expect_refused(verify(signed_report([](auto& r) { r.signature_algo = 0; })),
                 "SEV-SNP: unsupported SIGNATURE_ALGO 0");
}

TEST_F(Checklist, SigningKeyNoneIsRefused) {
  expect_refused(verify(signed_report([](auto& r) { r.key_info.signing_key = snp::SigningKey::kNone; })),
                 "SEV-SNP: unsupported SIGNING_KEY 7 in KEY_INFO");
}

TEST_F(Checklist, ReservedSigningKeyIsRefused) {
  expect_refused(verify(signed_report([](auto& r) { r.key_info.signing_key = static_cast<snp::SigningKey>(2); })),
                 "SEV-SNP: unsupported SIGNING_KEY 2 in KEY_INFO");
}

TEST_F(Checklist, MaskChipKeyIsRefusedForVcek) {
  expect_refused(verify(signed_report([](auto& r) { r.key_info.mask_chip_key = true; })),
                 "SEV-SNP: MASK_CHIP_KEY is set in KEY_INFO");
}

TEST_F(Checklist, PolicyBit17MustBeSet) {
  expect_refused(verify(signed_report([](auto& r) { r.policy &= ~(1ull << 17); })),
                 "SEV-SNP: guest POLICY bit 17 (reserved, must be 1) is clear");
}

TEST_F(Checklist, PolicyHighBitsMustBeZero) {
  expect_refused(verify(signed_report([](auto& r) { r.policy |= 1ull << 26; })),
                 "SEV-SNP: guest POLICY bits 63:26 (reserved, must be 0) are set: 0x4030000");
  expect_refused(verify(signed_report([](auto& r) { r.policy |= 1ull << 63; })),
                 "SEV-SNP: guest POLICY bits 63:26");
}

// ---- 6-13: chain -----------------------------------------------------------

TEST_F(Checklist, MissingLeafIsInvalidArgument) {
  expect_refused(verify(signed_report(), {chain_->ask, chain_->ark}),
                 "SEV-SNP: no VCEK certificate given", StatusCode::kInvalidArgument);
}

TEST_F(Checklist, TwoLeavesAreInvalidArgument) {
  SyntheticChain other = make_chain();
  expect_refused(verify(signed_report(), {chain_->leaf, other.leaf, chain_->ask, chain_->ark}),
                 "SEV-SNP: 2 leaf (non-CA) certificates given", StatusCode::kInvalidArgument);
}

TEST_F(Checklist, DuplicateCertificatesAreHarmless) {
  auto v = verify(signed_report(), {chain_->leaf, chain_->leaf, chain_->ask, chain_->ark, chain_->ark});
  EXPECT_TRUE(v.ok()) << v.status().to_string();
}

TEST_F(Checklist, LeafKindMustMatchKeyInfo) {
  expect_refused(verify(signed_report([](auto& r) { r.key_info.signing_key = snp::SigningKey::kVlek; })),
                 "SEV-SNP: KEY_INFO says the report is signed by the VLEK but the leaf certificate is a VCEK");
}

TEST_F(Checklist, ProductMismatchBetweenLeafAndCpuid) {
  expect_refused(verify(signed_report([](auto& r) { r.cpuid_mod_id = 0x11; })),  // Genoa
                 "SEV-SNP: product mismatch: the VCEK productName says Milan, the report CPUID "
                 "(family 0x19 model 0x11) says Genoa");
}

TEST_F(Checklist, UnknownProductIsRefused) {
  LeafSpec spec;
  spec.product_name = "Venice";
  SyntheticChain c = make_chain(spec);
  snp::AttestationReport r = c.report_template();
  r.version = 2;
  r.cpuid_fam_id = r.cpuid_mod_id = r.cpuid_step = 0;
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  expect_refused(verifier.verify(r, c.certs(), FixedClock(kNow)),
                 "SEV-SNP: cannot determine the product: VCEK productName \"Venice\" is not known");
}

TEST_F(Checklist, ProductFromCpuidWhenLeafHasNoProductName) {
  LeafSpec spec;
  spec.product_name.reset();
  SyntheticChain c = make_chain(spec);
  snp::AttestationReport r = c.report_template();
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  auto v = verifier.verify(r, c.certs(), FixedClock(kNow));
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->product, snp::Product::kMilan);
}

TEST_F(Checklist, RootNotSelfSignedButPinnedBySpki) {
  // Same subject and key as the trusted ARK, but signed by another key.
  crypto::Certificate imposter_issuer = make_root("ARK-Synthetic", other_rsa_key());
  crypto::CertificateSpec s;
  s.subject = amd_name("ARK-Synthetic");
  s.not_before = kNotBefore;
  s.not_after = kNotAfter;
  s.is_ca = true;
  s.key_cert_sign = true;
  auto forged = crypto::issue_certificate(s, ark_key().public_key(), other_rsa_key(),
                                          imposter_issuer, crypto::CertSignature::kRsaPssSha384);
  ASSERT_TRUE(forged.ok()) << forged.status().to_string();
  expect_refused(verify(signed_report(), {chain_->leaf, chain_->ask, *forged}),
                 "SEV-SNP: ARK (ARK-Synthetic) is not self-signed");
}

TEST_F(Checklist, IntermediateNotSignedByRoot) {
  crypto::Certificate imposter_root = make_root("ARK-Synthetic", other_rsa_key());
  crypto::Certificate ask = make_intermediate("SEV-Synthetic", ask_key(), imposter_root, other_rsa_key());
  expect_refused(verify(signed_report(), {chain_->leaf, ask, chain_->ark}),
                 "SEV-SNP: ASK (SEV-Synthetic) is not signed by the ARK (ARK-Synthetic)");
}

TEST_F(Checklist, LeafNotSignedByIntermediate) {
  crypto::Certificate imposter_ask = make_intermediate("SEV-Synthetic", other_rsa_key(), chain_->ark, ark_key());
  crypto::Certificate leaf = make_leaf(chain_->spec, chain_->leaf_key, imposter_ask, other_rsa_key());
  expect_refused(verify(signed_report(), {leaf, chain_->ask, chain_->ark}),
                 "SEV-SNP: VCEK is not signed by the ASK (SEV-Synthetic)");
}

// ---- 14: validity ----------------------------------------------------------

TEST_F(Checklist, NotYetValidChainFailsAtArkFirst) {
  expect_refused(verify(signed_report(), {}, {}, kNotBefore - 1),
                 "SEV-SNP: ARK certificate (ARK-Synthetic) is not valid at 2023-12-31T23:59:59Z: "
                 "valid from 2024-01-01T00:00:00Z to 2034-01-01T00:00:00Z");
}

TEST_F(Checklist, ExpiredLeafOnly) {
  LeafSpec spec;
  spec.not_after = kNow - 1;
  SyntheticChain c = make_chain(spec);
  snp::AttestationReport r = c.report_template();
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  expect_refused(verifier.verify(r, c.certs(), FixedClock(kNow)),
                 "SEV-SNP: VCEK certificate (SEV-VCEK) is not valid at 2025-01-01T00:00:00Z");
}

TEST_F(Checklist, ExpiredIntermediate) {
  crypto::Certificate ask = make_intermediate("SEV-Synthetic", ask_key(), chain_->ark, ark_key(),
                                              kNotBefore, kNow - 1);
  expect_refused(verify(signed_report(), {chain_->leaf, ask, chain_->ark}),
                 "SEV-SNP: ASK certificate (SEV-Synthetic) is not valid at");
}

TEST_F(Checklist, ExpiredRoot) {
  crypto::Certificate ark = make_root("ARK-Synthetic", ark_key(), kNotBefore, kNow - 1);
  crypto::Certificate ask = make_intermediate("SEV-Synthetic", ask_key(), ark, ark_key());
  crypto::Certificate leaf = make_leaf(chain_->spec, chain_->leaf_key, ask, ask_key());
  // Pinned by SPKI (same key as the configured anchor).
  expect_refused(verify(signed_report(), {leaf, ask, ark}),
                 "SEV-SNP: ARK certificate (ARK-Synthetic) is not valid at");
}

// ---- 15-17: report ---------------------------------------------------------

TEST_F(Checklist, TamperedReportFailsSignature) {
  snp::AttestationReport r = signed_report();
  r.measurement[0] ^= 1;
  r.serialize();  // keeps the old signature
  expect_refused(verify(r), "SEV-SNP: report signature does not verify with the VCEK");
}

TEST_F(Checklist, ReportSignedByAnotherKeyFailsSignature) {
  snp::AttestationReport r = chain_->report_template();
  sign_report(r, crypto::PrivateKey::generate_ec(crypto::Curve::kP384).value());
  expect_refused(verify(r), "SEV-SNP: report signature does not verify with the VCEK");
}

TEST_F(Checklist, LeafKeyMustBeP384) {
  LeafSpec spec;
  spec.curve = crypto::Curve::kP256;
  SyntheticChain c = make_chain(spec);
  snp::AttestationReport r = c.report_template();
  r.serialize();
  SnpVerifier verifier(trusting(c.ark));
  expect_refused(verifier.verify(r, c.certs(), FixedClock(kNow)),
                 "SEV-SNP: VCEK public key is not ECDSA P-384");
}

TEST_F(Checklist, ReportedTcbMustMatchLeaf) {
  expect_refused(verify(signed_report([](auto& r) { r.reported_tcb.raw += 1; })),  // bootloader 4
                 "SEV-SNP: REPORTED_TCB 7308000000000004 (bl 4, tee 0, snp 8, ucode 115) does not "
                 "match the VCEK TCB 7308000000000003 (bl 3, tee 0, snp 8, ucode 115)");
}

TEST_F(Checklist, ReportedTcbReservedBytesMustMatch) {
  expect_refused(verify(signed_report([](auto& r) { r.reported_tcb.raw |= 1ull << 24; })),
                 "SEV-SNP: REPORTED_TCB 7308000001000003");
}

TEST_F(Checklist, CurrentTcbIsNotComparedWithLeaf) {
  auto v = verify(signed_report([](auto& r) { r.current_tcb.raw += 0x0100000000000000ull; }));
  EXPECT_TRUE(v.ok()) << v.status().to_string();
}

TEST_F(Checklist, LeafWithoutUcodeSplIsRefused) {
  LeafSpec spec;
  spec.omit_ucode_spl = true;
  SyntheticChain c = make_chain(spec);
  snp::AttestationReport r = c.report_template();
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  expect_refused(verifier.verify(r, c.certs(), FixedClock(kNow)),
                 "SEV-SNP: VCEK has no ucodeSPL extension");
}

TEST_F(Checklist, ChipIdMustMatchHwId) {
  expect_refused(verify(signed_report([](auto& r) { r.chip_id[63] ^= 1; })),
                 "SEV-SNP: CHIP_ID a5a5");
  expect_refused(verify(signed_report([](auto& r) { r.chip_id[0] = 0; })),
                 "does not match the VCEK hwID a5a5");
}

TEST_F(Checklist, ZeroChipIdWithVcekIsRefused) {
  expect_refused(verify(signed_report([](auto& r) { r.chip_id.fill(0); })),
                 "does not match the VCEK hwID");
}

// ---- VLEK and Turin --------------------------------------------------------

TEST_F(Checklist, SyntheticVlekVerifiesWithoutChipId) {
  LeafSpec spec;
  spec.vlek = true;
  SyntheticChain c = make_chain(spec);
  snp::AttestationReport r = c.report_template();
  r.key_info.mask_chip_key = true;  // allowed with a VLEK
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  auto v = verifier.verify(r, c.certs(), FixedClock(kNow));
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->signing_key, snp::SigningKey::kVlek);
  EXPECT_EQ(v->csp_id, "CN=cc-test.example");
  EXPECT_THAT(v->checks_passed, ::testing::Not(::testing::Contains("chip_id")));
  EXPECT_EQ(v->to_json()["certificates"]["leaf"]["csp_id"], "CN=cc-test.example");
}

TEST_F(Checklist, VcekReportWithVlekLeafIsWrongKind) {
  LeafSpec spec;
  spec.vlek = true;
  SyntheticChain c = make_chain(spec);
  snp::AttestationReport r = c.report_template();
  r.key_info.signing_key = snp::SigningKey::kVcek;
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  expect_refused(verifier.verify(r, c.certs(), FixedClock(kNow)),
                 "KEY_INFO says the report is signed by the VCEK but the leaf certificate is a VLEK");
}

SyntheticChain turin_chain() {
  LeafSpec spec;
  spec.product = snp::Product::kTurin;
  spec.product_name = "Turin";
  spec.tcb = snp::TcbParts{5, 3, 0, 9, 0x48};
  spec.hw_id = Bytes{0x1e, 0x55, 0x0a, 0x8e, 0xe5, 0xcf, 0x9f, 0x4d};
  return make_chain(spec);
}

TEST_F(Checklist, SyntheticTurinVerifiesWithEightByteHwId) {
  SyntheticChain c = turin_chain();
  snp::AttestationReport r = c.report_template();
  for (std::size_t i = 8; i < r.chip_id.size(); ++i) r.chip_id[i] = 0x77;  // beyond the hwID
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  auto v = verifier.verify(r, c.certs(), FixedClock(kNow));
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->product, snp::Product::kTurin);
  EXPECT_EQ(v->to_json()["report"]["reported_tcb"]["fmc"], 5);
}

TEST_F(Checklist, TurinFmcMismatchIsTcbMismatch) {
  SyntheticChain c = turin_chain();
  snp::AttestationReport r = c.report_template();
  r.reported_tcb.raw += 1;  // FMC 6
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  expect_refused(verifier.verify(r, c.certs(), FixedClock(kNow)),
                 "(fmc 6, bl 3, tee 0, snp 9, ucode 72) does not match the VCEK TCB");
}

TEST_F(Checklist, TurinChipIdPrefixMismatch) {
  SyntheticChain c = turin_chain();
  snp::AttestationReport r = c.report_template();
  r.chip_id[7] ^= 0xFF;
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  expect_refused(verifier.verify(r, c.certs(), FixedClock(kNow)),
                 "SEV-SNP: CHIP_ID 1e550a8ee5cf9fb2 does not match the VCEK hwID 1e550a8ee5cf9f4d");
}

TEST_F(Checklist, EightByteHwIdIsOnlyValidOnTurin) {
  LeafSpec spec;
  spec.hw_id = Bytes(8, 0xA5);
  SyntheticChain c = make_chain(spec);
  snp::AttestationReport r = c.report_template();
  sign_report(r, c.leaf_key);
  SnpVerifier verifier(trusting(c.ark));
  expect_refused(verifier.verify(r, c.certs(), FixedClock(kNow)),
                 "SEV-SNP: VCEK hwID is 8 bytes, not valid for Milan");
}

// ---- 18: appraisal ---------------------------------------------------------

TEST_F(Checklist, DebugIsRefusedUnlessAllowed) {
  auto r = signed_report([](auto& rep) { rep.policy |= 1ull << 19; });
  expect_refused(verify(r), "SEV-SNP: guest POLICY allows debugging (bit 19)");
  AppraisalPolicy allow;
  allow.allow_debug = true;
  EXPECT_TRUE(verify(r, {}, allow).ok());
}

TEST_F(Checklist, MinimumTcbAgainstReportedTcb) {
  AppraisalPolicy p;
  p.min_tcb = snp::TcbVersion::from_parts(snp::Product::kMilan, {std::nullopt, 3, 0, 9, 0});
  expect_refused(verify(signed_report(), {}, p),
                 "SEV-SNP: REPORTED_TCB 7308000000000003 (bl 3, tee 0, snp 8, ucode 115) is below "
                 "the minimum TCB 0009000000000003 (bl 3, tee 0, snp 9, ucode 0)");
  p.min_tcb = snp::TcbVersion::from_parts(snp::Product::kMilan, {std::nullopt, 3, 0, 8, 115});
  auto v = verify(signed_report(), {}, p);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_THAT(v->checks_passed, ::testing::Contains("min_tcb"));
}

TEST_F(Checklist, MinimumTcbAgainstCurrentTcb) {
  AppraisalPolicy p;
  p.min_tcb = snp::TcbVersion::from_parts(snp::Product::kMilan, {std::nullopt, 3, 0, 8, 115});
  auto r = signed_report([](auto& rep) { rep.current_tcb.raw -= 1; });  // bootloader 2
  expect_refused(verify(r, {}, p), "SEV-SNP: CURRENT_TCB 7308000000000002");
}

TEST_F(Checklist, MaximumVmpl) {
  auto r = signed_report([](auto& rep) { rep.vmpl = 2; });
  AppraisalPolicy p;
  p.max_vmpl = 1;
  expect_refused(verify(r, {}, p), "SEV-SNP: VMPL 2 is above the maximum allowed 1");
  p.max_vmpl = 2;
  EXPECT_TRUE(verify(r, {}, p).ok());
}

TEST_F(Checklist, ExactVmpl) {
  AppraisalPolicy p;
  p.exact_vmpl = 1;
  expect_refused(verify(signed_report(), {}, p), "SEV-SNP: VMPL 0 is not the expected 1");
}

TEST_F(Checklist, ExpectedMeasurement) {
  AppraisalPolicy p;
  p.expected_measurement.emplace();
  p.expected_measurement->fill(0x4D);
  auto v = verify(signed_report(), {}, p);
  ASSERT_TRUE(v.ok());
  EXPECT_THAT(v->checks_passed, ::testing::Contains("measurement"));
  (*p.expected_measurement)[47] = 0;
  expect_refused(verify(signed_report(), {}, p), "SEV-SNP: MEASUREMENT 4d4d");
}

TEST_F(Checklist, ExpectedHostData) {
  AppraisalPolicy p;
  p.expected_host_data.emplace();
  p.expected_host_data->fill(0x48);
  EXPECT_TRUE(verify(signed_report(), {}, p).ok());
  p.expected_host_data->fill(0);
  expect_refused(verify(signed_report(), {}, p), "SEV-SNP: HOST_DATA 4848");
}

TEST_F(Checklist, ExpectedReportData) {
  AppraisalPolicy p;
  p.expected_report_data.emplace();
  for (std::size_t i = 0; i < 64; ++i) (*p.expected_report_data)[i] = static_cast<uint8_t>(i);
  EXPECT_TRUE(verify(signed_report(), {}, p).ok());
  (*p.expected_report_data)[0] = 1;
  expect_refused(verify(signed_report(), {}, p),
                 "SEV-SNP: REPORT_DATA 000102");
}

TEST_F(Checklist, AppraisalRunsAfterAuthentication) {
  // A report failing both the signature and the measurement: the signature wins.
  snp::AttestationReport r = signed_report();
  r.measurement[0] ^= 1;
  r.serialize();
  AppraisalPolicy p;
  p.expected_measurement.emplace();
  expect_refused(verify(r, {}, p), "report signature does not verify");
}

}  // namespace
}  // namespace mpcc::verifier
