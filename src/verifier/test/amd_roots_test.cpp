#include "verifier/amd_roots.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verifier/test/vectors.h"
#include "verifier/trust_store.h"

namespace mpcc::verifier {
namespace {

struct Expected {
  snp::Product product;
  const char* ark_cn;
  const char* ask_cn;
  const char* asvk_cn;
  const char* bundle;  // ASK, ARK, ASVK
};

const Expected kExpected[] = {
    {snp::Product::kMilan, "ARK-Milan", "SEV-Milan", "SEV-VLEK-Milan",
     "snp/amd/trustee/milan_ask_ark_asvk.pem"},
    {snp::Product::kGenoa, "ARK-Genoa", "SEV-Genoa", "SEV-VLEK-Genoa",
     "snp/amd/trustee/genoa_ask_ark_asvk.pem"},
    {snp::Product::kTurin, "ARK-Turin", "SEV-Turin", "SEV-VLEK-Turin",
     "snp/amd/trustee/turin_ask_ark_asvk.pem"},
};

TEST(AmdRoots, EveryProductChainsAndMatchesThePublishedCertificates) {
  for (const Expected& e : kExpected) {
    const AmdCertificates* amd = amd_certificates(e.product);
    ASSERT_NE(amd, nullptr);
    EXPECT_EQ(amd->ark.subject_common_name(), e.ark_cn);
    EXPECT_EQ(amd->ask.subject_common_name(), e.ask_cn);
    EXPECT_EQ(amd->asvk.subject_common_name(), e.asvk_cn);
    EXPECT_TRUE(amd->ark.is_self_signed()) << e.ark_cn;
    EXPECT_TRUE(amd->ask.verify_signed_by(amd->ark).ok()) << e.ask_cn;
    EXPECT_TRUE(amd->asvk.verify_signed_by(amd->ark).ok()) << e.asvk_cn;
    auto bundle = vtest::read_certs(e.bundle);
    ASSERT_EQ(bundle.size(), 3u);
    EXPECT_EQ(amd->ask, bundle[0]);
    EXPECT_EQ(amd->ark, bundle[1]);
    EXPECT_EQ(amd->asvk, bundle[2]);
  }
}

TEST(AmdRoots, MilanArkSpkiPin) {
  EXPECT_EQ(hex_encode(amd_certificates(snp::Product::kMilan)->ark.public_key_spki_sha256()),
            "9f056bee44377e29308cb5ffa895bdfb62d18881fa6bed8d6f075b0204089cb9");
}

TEST(AmdRoots, UnknownProductHasNone) {
  EXPECT_EQ(amd_certificates(snp::Product::kUnknown), nullptr);
  EXPECT_FALSE(amd_root_pems(snp::Product::kUnknown).has_value());
  ASSERT_TRUE(amd_root_pems(snp::Product::kGenoa).has_value());
  EXPECT_THAT(std::string(amd_root_pems(snp::Product::kGenoa)->ark),
              ::testing::StartsWith("-----BEGIN CERTIFICATE-----"));
}

TEST(AmdRoots, VirteeCopiesAreTheSameCertificates) {
  EXPECT_EQ(amd_certificates(snp::Product::kTurin)->ark,
            vtest::read_certs("snp/amd/virtee-sev/turin_ark.pem").front());
  EXPECT_EQ(amd_certificates(snp::Product::kGenoa)->ask,
            vtest::read_certs("snp/amd/virtee-sev/genoa_ask.pem").front());
}

// The Turin VCEK (no Turin report exists) chains to the built-in Turin ASK
// and ARK, and the ARK is a pinned AMD anchor.
TEST(AmdRoots, TurinVcekChainsToTurinArk) {
  auto vcek = vtest::read_certs("snp/virtee-sev/vcek_turin.der").front();
  const AmdCertificates* turin = amd_certificates(snp::Product::kTurin);
  EXPECT_TRUE(vcek.verify_signed_by(turin->ask).ok());
  EXPECT_FALSE(vcek.verify_signed_by(amd_certificates(snp::Product::kMilan)->ask).ok());
  TrustStore store;
  const TrustAnchor* anchor = store.find(turin->ark);
  ASSERT_NE(anchor, nullptr);
  EXPECT_EQ(anchor->product, snp::Product::kTurin);
  EXPECT_EQ(anchor->kind, AnchorKind::kAmd);
}

}  // namespace
}  // namespace mpcc::verifier
