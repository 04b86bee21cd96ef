#include "crypto/x509_extensions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/keys.h"
#include "crypto/x509.h"

namespace mpcc::crypto {
namespace {

constexpr UnixSeconds kStart = 1700000000;
constexpr UnixSeconds kEnd = 2000000000;

TEST(SubjectAltName, EncodesDnsAndIpAsDer) {
  // GeneralNames: [2] "localhost", [7] 7f000001.
  Bytes der = der_subject_alt_name({"localhost"}, {"127.0.0.1"}).value();
  EXPECT_EQ(hex_encode(der), "30118209" "6c6f63616c686f7374" "87047f000001");
}

TEST(SubjectAltName, RoundTripsIpv4Ipv6AndSeveralNames) {
  Bytes der = der_subject_alt_name({"localhost", "kv.mpcc.test", "*.vault.localhost"},
                                   {"127.0.0.1", "::1", "10.1.2.3", "fe80::1:2"})
                  .value();
  SubjectAltNames names = parse_subject_alt_name(der).value();
  EXPECT_EQ(names.dns_names,
            (std::vector<std::string>{"localhost", "kv.mpcc.test", "*.vault.localhost"}));
  EXPECT_EQ(names.ip_addresses,
            (std::vector<std::string>{"127.0.0.1", "::1", "10.1.2.3", "fe80::1:2"}));
}

TEST(SubjectAltName, OnlyIpsOrOnlyNames) {
  EXPECT_EQ(parse_subject_alt_name(der_subject_alt_name({}, {"::1"}).value())->ip_addresses,
            std::vector<std::string>{"::1"});
  EXPECT_TRUE(parse_subject_alt_name(der_subject_alt_name({}, {"::1"}).value())->dns_names.empty());
  EXPECT_EQ(parse_subject_alt_name(der_subject_alt_name({"a"}, {}).value())->dns_names,
            std::vector<std::string>{"a"});
}

TEST(SubjectAltName, RejectsEmptyLists) {
  Status s = der_subject_alt_name({}, {}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no DNS name and no IP address"), std::string::npos);
}

TEST(SubjectAltName, RejectsBadDnsNames) {
  for (const std::string& bad : {std::string(""), std::string("a b"), std::string("caf\xc3\xa9"),
                                 std::string("x\ny"), std::string("a/b")}) {
    Status s = der_subject_alt_name({bad}, {}).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("invalid DNS name"), std::string::npos) << bad;
  }
}

TEST(SubjectAltName, RejectsBadIpAddresses) {
  for (const std::string& bad : {std::string("1.2.3"), std::string("1.2.3.4x"),
                                 std::string("256.1.1.1"), std::string("localhost"),
                                 std::string(""), std::string(":::1"), std::string(" 1.2.3.4")}) {
    Status s = der_subject_alt_name({}, {bad}).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("invalid IP address"), std::string::npos) << bad;
  }
}

TEST(SubjectAltName, ParseRejectsMalformedAndTrailingBytes) {
  Bytes der = der_subject_alt_name({"localhost"}, {}).value();
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(parse_subject_alt_name(trailing).status().code(), StatusCode::kInvalidArgument);
  Bytes truncated(der.begin(), der.end() - 1);
  EXPECT_EQ(parse_subject_alt_name(truncated).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_subject_alt_name(Bytes{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(SubjectAltName, ParseRejectsIpOfOddLength) {
  // GeneralNames { [7] 01 02 03 }: a 3-byte iPAddress.
  Bytes der = hex_decode("30058703010203").value();
  Status s = parse_subject_alt_name(der).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("iPAddress of 3 bytes"), std::string::npos);
}

TEST(SubjectAltName, ParseSkipsOtherNameTypes) {
  // GeneralNames { [1] rfc822Name "a@b", [2] "h" }.
  Bytes der = hex_decode("300881036140628201" "68").value();
  SubjectAltNames names = parse_subject_alt_name(der).value();
  EXPECT_EQ(names.dns_names, std::vector<std::string>{"h"});
  EXPECT_TRUE(names.ip_addresses.empty());
}

TEST(ExtendedKeyUsage, ServerAuthDer) {
  Bytes der = der_extended_key_usage({std::string(kOidKpServerAuth)}).value();
  EXPECT_EQ(hex_encode(der), "300a06082b06010505070301");
}

TEST(ExtendedKeyUsage, RoundTrip) {
  std::vector<std::string> oids{std::string(kOidKpServerAuth), std::string(kOidKpClientAuth)};
  EXPECT_EQ(parse_extended_key_usage(der_extended_key_usage(oids).value()).value(), oids);
}

TEST(ExtendedKeyUsage, RejectsEmptyAndBadOids) {
  EXPECT_EQ(der_extended_key_usage({}).status().code(), StatusCode::kInvalidArgument);
  Status s = der_extended_key_usage({"not.an.oid"}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("invalid OID"), std::string::npos);
  EXPECT_EQ(parse_extended_key_usage(hex_decode("300a06082b060105050703").value()).status().code(),
            StatusCode::kInvalidArgument);
}

struct CaAndLeaf {
  PrivateKey ca_key = PrivateKey::generate_ec(Curve::kP256).value();
  PrivateKey leaf_key = PrivateKey::generate_ec(Curve::kP256).value();
  Certificate ca;
  Certificate leaf;

  static Certificate make_ca(const PrivateKey& key) {
    CertificateSpec s;
    s.subject = {{"CN", "test CA"}};
    s.serial = {0x01};
    s.not_before = kStart;
    s.not_after = kEnd;
    s.is_ca = true;
    s.key_cert_sign = true;
    return issue_certificate(s, key.public_key(), key, std::nullopt, CertSignature::kEcdsaSha384)
        .value();
  }
  static Certificate make_leaf(const PrivateKey& key, const PrivateKey& ca_key,
                               const Certificate& ca) {
    CertificateSpec s;
    s.subject = {{"CN", "localhost"}};
    s.serial = {0x02};
    s.not_before = kStart;
    s.not_after = kEnd;
    s.digital_signature = true;
    s.extensions = {
        {std::string(kOidSubjectAltName), der_subject_alt_name({"localhost"}, {"127.0.0.1"}).value(),
         false},
        {std::string(kOidExtendedKeyUsage),
         der_extended_key_usage({std::string(kOidKpServerAuth)}).value(), false},
        {std::string(kOidAuthorityKeyIdentifier), der_authority_key_identifier(ca).value(), false},
    };
    return issue_certificate(s, key.public_key(), ca_key, ca, CertSignature::kEcdsaSha384).value();
  }
  CaAndLeaf() : ca(make_ca(ca_key)), leaf(make_leaf(leaf_key, ca_key, ca)) {}
};

TEST(KeyIdentifiers, AuthorityKeyIdMatchesIssuerSubjectKeyId) {
  CaAndLeaf c;
  Bytes ca_ski = subject_key_identifier(c.ca).value();
  EXPECT_EQ(ca_ski.size(), 20u);  // SHA-1 of the public key ("hash" method)
  Bytes aki = parse_authority_key_identifier(
                  c.leaf.extension_value(kOidAuthorityKeyIdentifier).value())
                  .value();
  EXPECT_EQ(aki, ca_ski);
  EXPECT_NE(subject_key_identifier(c.leaf).value(), ca_ski);
}

TEST(KeyIdentifiers, IssuedLeafCarriesSanAndEku) {
  CaAndLeaf c;
  SubjectAltNames names =
      parse_subject_alt_name(c.leaf.extension_value(kOidSubjectAltName).value()).value();
  EXPECT_EQ(names.dns_names, std::vector<std::string>{"localhost"});
  EXPECT_EQ(names.ip_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(parse_extended_key_usage(c.leaf.extension_value(kOidExtendedKeyUsage).value()).value(),
            std::vector<std::string>{std::string(kOidKpServerAuth)});
  EXPECT_TRUE(c.leaf.verify_signed_by(c.ca).ok());
}

TEST(KeyIdentifiers, AuthorityKeyIdWithoutKeyIdIsNotFound) {
  // An AKI with only authorityCertSerialNumber ([2] 01) has no keyIdentifier.
  Status s = parse_authority_key_identifier(hex_decode("3003820101").value()).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(parse_authority_key_identifier(hex_decode("3003").value()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(VerifyResultText, KnownAndUnknownCodes) {
  EXPECT_EQ(x509_verify_result_text(20), "unable to get local issuer certificate");
  EXPECT_EQ(x509_verify_result_text(18), "self-signed certificate");
  EXPECT_FALSE(x509_verify_result_text(987654).empty());
}

}  // namespace
}  // namespace mpcc::crypto
