#include "snp/vek_extensions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verifier/test/synthetic_pki.h"
#include "verifier/test/vectors.h"

// Tests snp/vek_extensions with the verifier's synthetic PKI helpers.
namespace mpcc::verifier {
namespace {

using namespace ::mpcc::snp;  // NOLINT: the code under test

using vtest::read_certs;

Bytes counting_bytes(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i);
  return b;
}

TEST(VekExtensions, MilanVcek) {
  auto cert = read_certs("snp/virtee-sev/vcek_milan.der").front();
  auto e = decode_vek_extensions(cert);
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->product_name, "Milan-B0");
  EXPECT_EQ(e->product(), snp::Product::kMilan);
  EXPECT_EQ(e->bl_spl, 3);
  EXPECT_EQ(e->tee_spl, 0);
  EXPECT_EQ(e->snp_spl, 8);
  EXPECT_EQ(e->ucode_spl, 115);
  EXPECT_FALSE(e->fmc_spl.has_value());
  ASSERT_TRUE(e->hw_id.has_value());
  EXPECT_EQ(hex_encode(*e->hw_id).substr(0, 16), "d49554ec717f4e5b");
  EXPECT_EQ(e->hw_id->size(), 64u);
  EXPECT_FALSE(e->csp_id.has_value());
  EXPECT_EQ(leaf_kind(cert, *e).value(), snp::SigningKey::kVcek);
}

TEST(VekExtensions, GenoaVcekHasPlainProductName) {
  auto cert = read_certs("snp/trustee/az-snp-vtpm/vcek-genoa.pem").front();
  auto e = decode_vek_extensions(cert);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->product_name, "Genoa");
  EXPECT_EQ(e->product(), snp::Product::kGenoa);
  EXPECT_EQ(e->bl_spl, 10);
  EXPECT_EQ(e->snp_spl, 23);
  EXPECT_EQ(e->ucode_spl, 84);
}

TEST(VekExtensions, TurinVcekHasFmcAndEightByteHwId) {
  auto cert = read_certs("snp/virtee-sev/vcek_turin.der").front();
  auto e = decode_vek_extensions(cert);
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->struct_version, 1u);
  EXPECT_EQ(e->product_name, "Turin");
  EXPECT_EQ(e->product(), snp::Product::kTurin);
  EXPECT_EQ(e->fmc_spl, 0);
  EXPECT_EQ(e->ucode_spl, 9);
  ASSERT_TRUE(e->hw_id.has_value());
  EXPECT_EQ(hex_encode(*e->hw_id), "1e550a8ee5cf9f4d");
  EXPECT_EQ(leaf_kind(cert, *e).value(), snp::SigningKey::kVcek);
}

TEST(VekExtensions, VlekHasCspIdAndLargeUcodeSpl) {
  auto cert = read_certs("snp/trustee/snp/test-vlek.der").front();
  auto e = decode_vek_extensions(cert);
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->csp_id, "CN=cc-us-east-2.amazonaws.com");
  EXPECT_FALSE(e->hw_id.has_value());
  EXPECT_EQ(e->ucode_spl, 217);  // DER 02 02 00 d9
  EXPECT_EQ(e->snp_spl, 24);
  EXPECT_EQ(e->bl_spl, 4);
  EXPECT_EQ(leaf_kind(cert, *e).value(), snp::SigningKey::kVlek);
}

TEST(VekExtensions, LegacyRawHwId) {
  auto cert = read_certs("snp/trustee/snp/test-vcek-invalid-legacy.der").front();
  auto e = decode_vek_extensions(cert);
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->hw_id, counting_bytes(64));
}

TEST(VekExtensions, OctetStringWrappedHwId) {
  auto cert = read_certs("snp/trustee/snp/test-vcek-invalid-new.der").front();
  ASSERT_EQ(cert.extension_value(oid::kHwId)->size(), 66u);
  auto e = decode_vek_extensions(cert);
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->hw_id, counting_bytes(64));
}

TEST(VekExtensions, MalformedExtensionsAreInvalidArgument) {
  using namespace vtest;  // NOLINT
  auto key = crypto::PrivateKey::generate_ec(crypto::Curve::kP384).value();
  crypto::Certificate ark = make_root("ARK-Synthetic", ark_key());
  auto issue = [&](std::vector<crypto::ExtensionSpec> ext) {
    crypto::CertificateSpec s;
    s.subject = amd_name("SEV-VCEK");
    s.not_before = kNotBefore;
    s.not_after = kNotAfter;
    s.extensions = std::move(ext);
    return crypto::issue_certificate(s, key.public_key(), ark_key(), ark,
                                     crypto::CertSignature::kRsaPssSha384)
        .value();
  };
  struct Case {
    crypto::ExtensionSpec ext;
    const char* message;
  };
  for (const Case& c : {
           Case{{std::string(oid::kBlSpl), crypto::der_integer(256), false},
                "SEV-SNP: certificate extension blSPL is malformed: value 256 exceeds 255"},
           Case{{std::string(oid::kSnpSpl), crypto::der_ia5_string("8"), false},
                "SEV-SNP: certificate extension snpSPL is malformed"},
           Case{{std::string(oid::kHwId), Bytes(63, 1), false},
                "SEV-SNP: certificate extension hwID is malformed: 63 bytes"},
           Case{{std::string(oid::kProductName), crypto::der_integer(1), false},
                "SEV-SNP: certificate extension productName is malformed"},
       }) {
    auto e = decode_vek_extensions(issue({c.ext}));
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(e.status().message(), ::testing::HasSubstr(c.message));
  }
}

TEST(VekExtensions, LeafKindNeedsAConsistentSign) {
  using namespace vtest;  // NOLINT
  auto key = crypto::PrivateKey::generate_ec(crypto::Curve::kP384).value();
  crypto::Certificate ark = make_root("ARK-Synthetic", ark_key());
  auto issue = [&](const std::string& cn, std::vector<crypto::ExtensionSpec> ext) {
    crypto::CertificateSpec s;
    s.subject = amd_name(cn);
    s.not_before = kNotBefore;
    s.not_after = kNotAfter;
    s.extensions = std::move(ext);
    return crypto::issue_certificate(s, key.public_key(), ark_key(), ark,
                                     crypto::CertSignature::kRsaPssSha384)
        .value();
  };
  auto kind_of = [](const crypto::Certificate& c) {
    return leaf_kind(c, decode_vek_extensions(c).value());
  };
  EXPECT_EQ(kind_of(issue("SEV-VLEK", {})).value(), snp::SigningKey::kVlek);
  EXPECT_EQ(kind_of(issue("SEV-VCEK", {})).value(), snp::SigningKey::kVcek);
  auto neither = kind_of(issue("Some Leaf", {}));
  EXPECT_THAT(neither.status().message(),
              ::testing::HasSubstr("is neither a VCEK (no hwID) nor a VLEK (no csp_id)"));
  auto both = kind_of(issue("SEV-VLEK", {{std::string(oid::kHwId), Bytes(64, 1), false}}));
  EXPECT_THAT(both.status().message(), ::testing::HasSubstr("is both VCEK- and VLEK-shaped"));
}

}  // namespace
}  // namespace mpcc::verifier
