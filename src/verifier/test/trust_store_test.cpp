#include "verifier/trust_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verifier/amd_roots.h"
#include "verifier/test/synthetic_pki.h"

namespace mpcc::verifier {
namespace {

using namespace vtest;  // NOLINT

TEST(TrustStore, HoldsTheAmdArks) {
  TrustStore store;
  ASSERT_EQ(store.anchors().size(), 3u);
  for (snp::Product p : kAmdProducts) {
    const TrustAnchor* a = store.find(amd_certificates(p)->ark);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->kind, AnchorKind::kAmd);
    EXPECT_FALSE(a->simulated());
    EXPECT_EQ(a->product, p);
    EXPECT_EQ(a->label, "AMD ARK-" + std::string(snp::product_name(p)));
  }
  EXPECT_EQ(store.find(amd_certificates(snp::Product::kMilan)->ask), nullptr);
}

TEST(TrustStore, NameAloneIsNotTrust) {
  TrustStore store;
  // A self-signed root with AMD's exact subject name but another key.
  crypto::CertificateSpec s;
  s.subject = {{"OU", "Engineering"}, {"C", "US"},  {"L", "Santa Clara"},
               {"ST", "CA"},          {"O", "Advanced Micro Devices"}, {"CN", "ARK-Milan"}};
  s.not_before = kNotBefore;
  s.not_after = kNotAfter;
  s.is_ca = true;
  s.key_cert_sign = true;
  auto fake = crypto::issue_certificate(s, ark_key().public_key(), ark_key(), std::nullopt,
                                        crypto::CertSignature::kRsaPssSha384);
  ASSERT_TRUE(fake.ok());
  EXPECT_EQ(fake->subject(), amd_certificates(snp::Product::kMilan)->ark.subject());
  EXPECT_EQ(store.find(*fake), nullptr);
  EXPECT_EQ(store.find_by_subject(fake->subject()).size(), 1u);  // the real one, by name only
}

TEST(TrustStore, ConfiguredAnchorsAreSimulated) {
  TrustStore store;
  crypto::Certificate root = make_root("ARK-Synthetic", ark_key());
  EXPECT_EQ(store.find(root), nullptr);
  ASSERT_TRUE(store.add_configured_anchor(root, "sim").ok());
  const TrustAnchor* a = store.find(root);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->kind, AnchorKind::kConfigured);
  EXPECT_TRUE(a->simulated());
  EXPECT_EQ(a->label, "sim");
  EXPECT_EQ(anchor_kind_name(a->kind), "configured");
  // Adding it again changes nothing.
  ASSERT_TRUE(store.add_configured_anchor(root, "again").ok());
  EXPECT_EQ(store.anchors().size(), 4u);
}

TEST(TrustStore, ReissuedRootMatchesBySpki) {
  TrustStore store;
  ASSERT_TRUE(store.add_configured_anchor(make_root("ARK-Synthetic", ark_key()), "sim").ok());
  crypto::Certificate reissued = make_root("ARK-Synthetic", ark_key(), kNotBefore + 1, kNotAfter + 1);
  const TrustAnchor* a = store.find(reissued);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->label, "sim");
  EXPECT_EQ(store.find(make_root("ARK-Synthetic", other_rsa_key())), nullptr);
}

TEST(TrustStore, AmdArkAddedAsConfiguredStaysAmd) {
  TrustStore store;
  const crypto::Certificate& ark = amd_certificates(snp::Product::kGenoa)->ark;
  ASSERT_TRUE(store.add_configured_anchor(ark, "--trust-root genoa_ark.pem").ok());
  EXPECT_EQ(store.anchors().size(), 3u);
  EXPECT_EQ(store.find(ark)->kind, AnchorKind::kAmd);
}

TEST(TrustStore, OnlySelfSignedCasCanBeAnchors) {
  TrustStore store;
  crypto::Certificate root = make_root("ARK-Synthetic", ark_key());
  crypto::Certificate ask = make_intermediate("SEV-Synthetic", ask_key(), root, ark_key());
  Status s = store.add_configured_anchor(ask, "ask");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("is not a self-signed CA certificate"));
}

}  // namespace
}  // namespace mpcc::verifier
