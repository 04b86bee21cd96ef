#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "crypto/signature.h"
#include "crypto/x509.h"

namespace mpcc::crypto {
namespace {

constexpr UnixSeconds kStart = 1700000000;
constexpr UnixSeconds kEnd = 2000000000;

std::vector<std::pair<std::string, std::string>> amd_name(const std::string& cn) {
  return {{"OU", "Engineering"},           {"C", "US"}, {"L", "Santa Clara"}, {"ST", "CA"},
          {"O", "Advanced Micro Devices"}, {"CN", cn}};
}

struct Chain {
  PrivateKey root_key = PrivateKey::generate_rsa(2048).value();
  PrivateKey mid_key = PrivateKey::generate_rsa(2048).value();
  PrivateKey leaf_key = PrivateKey::generate_ec(Curve::kP384).value();
  std::optional<Certificate> root, mid, leaf;

  Chain() {
    CertificateSpec r;
    r.subject = amd_name("ARK-Test");
    r.serial = {0x01, 0x00, 0x00};
    r.not_before = kStart;
    r.not_after = kEnd;
    r.is_ca = true;
    r.key_cert_sign = true;
    root = issue_certificate(r, root_key.public_key(), root_key, std::nullopt,
                             CertSignature::kRsaPssSha384)
               .value();
    CertificateSpec m = r;
    m.subject = amd_name("SEV-Test");
    m.serial = {0x01, 0x00, 0x01};
    m.path_len = 0;
    mid = issue_certificate(m, mid_key.public_key(), root_key, root, CertSignature::kRsaPssSha384)
              .value();
    CertificateSpec l;
    l.subject = amd_name("SEV-VCEK");
    l.not_before = kStart;
    l.not_after = kEnd;
    l.extensions = {
        {"1.3.6.1.4.1.3704.1.1", der_integer(0), false},
        {"1.3.6.1.4.1.3704.1.2", der_ia5_string("Milan-B0"), false},
        {"1.3.6.1.4.1.3704.1.3.8", der_integer(209), false},
        {"1.3.6.1.4.1.3704.1.4", Bytes(64, 0xab), false},  // raw, like AMD's hwID
    };
    leaf = issue_certificate(l, leaf_key.public_key(), mid_key, mid, CertSignature::kRsaPssSha384)
               .value();
  }
};

const Chain& chain() {
  static const Chain c;
  return c;
}

TEST(CertBuilder, AmdShapedChainVerifies) {
  const Chain& c = chain();
  EXPECT_TRUE(c.root->is_self_signed());
  EXPECT_TRUE(c.mid->verify_signed_by(*c.root).ok());
  EXPECT_TRUE(c.leaf->verify_signed_by(*c.mid).ok());
  EXPECT_EQ(c.leaf->verify_signed_by(*c.root).code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(c.mid->is_self_signed());
  EXPECT_EQ(c.root->signature_algorithm(), "RSASSA-PSS");
  EXPECT_EQ(c.leaf->signature_algorithm(), "RSASSA-PSS");
}

TEST(CertBuilder, FieldsReadBack) {
  const Chain& c = chain();
  EXPECT_EQ(c.root->subject(),
            "CN=ARK-Test,O=Advanced Micro Devices,ST=CA,L=Santa Clara,C=US,OU=Engineering");
  EXPECT_EQ(c.root->issuer(), c.root->subject());
  EXPECT_EQ(c.mid->issuer_common_name(), "ARK-Test");
  EXPECT_EQ(c.leaf->issuer_common_name(), "SEV-Test");
  EXPECT_EQ(hex_encode(c.root->serial()), "010000");
  EXPECT_TRUE(c.leaf->serial().empty());
  EXPECT_EQ(c.leaf->not_before(), kStart);
  EXPECT_EQ(c.leaf->not_after(), kEnd);
  EXPECT_TRUE(c.root->is_ca());
  EXPECT_TRUE(c.mid->is_ca());
  EXPECT_FALSE(c.leaf->is_ca());
  EXPECT_TRUE(c.leaf->public_key().equals(c.leaf_key.public_key()));
  EXPECT_EQ(c.leaf->public_key().curve(), Curve::kP384);
  // Standard extensions: basicConstraints with pathlen 0 (30 06 01 01 ff 02 01 00).
  EXPECT_EQ(hex_encode(c.mid->extension_value("2.5.29.19").value()), "30060101ff020100");
  EXPECT_EQ(hex_encode(c.root->extension_value("2.5.29.19").value()), "30030101ff");
  EXPECT_TRUE(c.root->extension_value("2.5.29.15").has_value());  // keyUsage
  EXPECT_TRUE(c.leaf->extension_value("2.5.29.14").has_value());  // subjectKeyIdentifier
  EXPECT_FALSE(c.leaf->extension_value("2.5.29.19").has_value());
}

TEST(CertBuilder, CustomExtensionsReadBack) {
  const Chain& c = chain();
  EXPECT_EQ(*der_parse_integer(c.leaf->extension_value("1.3.6.1.4.1.3704.1.1").value()), 0u);
  EXPECT_EQ(*der_parse_string(c.leaf->extension_value("1.3.6.1.4.1.3704.1.2").value()), "Milan-B0");
  EXPECT_EQ(*der_parse_integer(c.leaf->extension_value("1.3.6.1.4.1.3704.1.3.8").value()), 209u);
  EXPECT_EQ(c.leaf->extension_value("1.3.6.1.4.1.3704.1.4").value(), Bytes(64, 0xab));
}

TEST(CertBuilder, SurvivesPemRoundTrip) {
  const Chain& c = chain();
  auto bundle = Certificate::from_pem_bundle(c.leaf->pem() + c.mid->pem() + c.root->pem());
  ASSERT_TRUE(bundle.ok());
  ASSERT_EQ(bundle->size(), 3u);
  EXPECT_TRUE((*bundle)[0].verify_signed_by((*bundle)[1]).ok());
  EXPECT_TRUE((*bundle)[1].verify_signed_by((*bundle)[2]).ok());
}

TEST(CertBuilder, EcdsaAndPkcs1Signatures) {
  auto ec_root = PrivateKey::generate_ec(Curve::kP384).value();
  CertificateSpec s;
  s.subject = {{"CN", "EC Root"}};
  s.not_before = kStart;
  s.not_after = kEnd;
  s.is_ca = true;
  s.key_cert_sign = true;
  s.digital_signature = true;
  auto ec_cert = issue_certificate(s, ec_root.public_key(), ec_root, std::nullopt,
                                   CertSignature::kEcdsaSha384);
  ASSERT_TRUE(ec_cert.ok()) << ec_cert.status().to_string();
  EXPECT_EQ(ec_cert->signature_algorithm(), "ecdsa-with-SHA384");
  EXPECT_TRUE(ec_cert->is_self_signed());

  const Chain& c = chain();
  s.subject = {{"CN", "RSA leaf"}};
  s.is_ca = false;
  s.key_cert_sign = false;
  auto rsa_cert = issue_certificate(s, c.leaf_key.public_key(), c.root_key, c.root,
                                    CertSignature::kRsaPkcs1Sha256);
  ASSERT_TRUE(rsa_cert.ok());
  EXPECT_EQ(rsa_cert->signature_algorithm(), "sha256WithRSAEncryption");
  EXPECT_TRUE(rsa_cert->verify_signed_by(*c.root).ok());
}

TEST(CertBuilder, ValidityOfIssuedCertificate) {
  const Chain& c = chain();
  EXPECT_TRUE(c.leaf->check_validity(kStart).ok());
  EXPECT_EQ(c.leaf->check_validity(kStart - 1).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(c.leaf->check_validity(kEnd + 1).code(), StatusCode::kPermissionDenied);
}

TEST(CertBuilder, RejectsBadSpecs) {
  const Chain& c = chain();
  CertificateSpec s;
  s.subject = {{"CN", "x"}};
  s.not_before = kEnd;
  s.not_after = kStart;
  EXPECT_EQ(
      issue_certificate(s, c.leaf_key.public_key(), c.mid_key, c.mid, CertSignature::kRsaPssSha384)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  s.not_before = kStart;
  s.not_after = kEnd;
  // Algorithm / key mismatch.
  EXPECT_EQ(
      issue_certificate(s, c.leaf_key.public_key(), c.mid_key, c.mid, CertSignature::kEcdsaSha384)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  // Issuer key that does not belong to the issuer certificate.
  EXPECT_EQ(
      issue_certificate(s, c.leaf_key.public_key(), c.root_key, c.mid, CertSignature::kRsaPssSha384)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  // Self-signed with a foreign key.
  EXPECT_EQ(issue_certificate(s, c.leaf_key.public_key(), c.root_key, std::nullopt,
                              CertSignature::kRsaPssSha384)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // Bad OID, empty subject, path_len without CA.
  CertificateSpec bad_oid = s;
  bad_oid.extensions = {{"1.2.x", der_integer(1), false}};
  EXPECT_EQ(issue_certificate(bad_oid, c.leaf_key.public_key(), c.mid_key, c.mid,
                              CertSignature::kRsaPssSha384)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  CertificateSpec empty = s;
  empty.subject.clear();
  EXPECT_EQ(issue_certificate(empty, c.leaf_key.public_key(), c.mid_key, c.mid,
                              CertSignature::kRsaPssSha384)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  CertificateSpec pl = s;
  pl.path_len = 1;
  EXPECT_EQ(
      issue_certificate(pl, c.leaf_key.public_key(), c.mid_key, c.mid, CertSignature::kRsaPssSha384)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
}

TEST(CertDer, Encoders) {
  EXPECT_EQ(hex_encode(der_integer(0)), "020100");
  EXPECT_EQ(hex_encode(der_integer(0x73)), "020173");
  EXPECT_EQ(hex_encode(der_integer(0x80)), "02020080");
  EXPECT_EQ(hex_encode(der_integer(UINT64_MAX)), "020900ffffffffffffffff");
  EXPECT_EQ(hex_encode(der_ia5_string("Milan-B0")), "16084d696c616e2d4230");
  EXPECT_EQ(hex_encode(der_octet_string(Bytes{1, 2})), "04020102");
  EXPECT_THROW(der_ia5_string("\xc3\xa9"), std::logic_error);
}

TEST(CertDer, Parsers) {
  for (uint64_t v : std::vector<uint64_t>{0, 1, 127, 128, 255, 65536, UINT64_MAX}) {
    EXPECT_EQ(*der_parse_integer(der_integer(v)), v);
  }
  EXPECT_EQ(*der_parse_string(der_ia5_string("Genoa")), "Genoa");
  EXPECT_EQ(*der_parse_string(Bytes{0x0c, 0x02, 'h', 'i'}), "hi");  // UTF8String
  EXPECT_EQ(*der_parse_string(Bytes{0x13, 0x02, 'U', 'S'}), "US");  // PrintableString
  // Negative, too wide, non-minimal, wrong type, trailing data, truncated.
  EXPECT_EQ(der_parse_integer(Bytes{0x02, 0x01, 0xff}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(der_parse_integer(Bytes{0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(der_parse_integer(Bytes{0x02, 0x02, 0x00, 0x01}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(der_parse_integer(der_ia5_string("1")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(der_parse_integer(Bytes{0x02, 0x01, 0x01, 0x00}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(der_parse_integer(Bytes{0x02, 0x02, 0x01}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(der_parse_string(der_integer(5)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(der_parse_string(der_octet_string(Bytes{'a'})).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(der_parse_string(Bytes{0x16, 0x05, 'a'}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mpcc::crypto
