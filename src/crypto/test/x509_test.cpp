#include "crypto/x509.h"

#include <gtest/gtest.h>

#include "common/file_io.h"
#include "crypto/hash.h"

namespace mpcc::crypto {
namespace {

const std::string kDir = std::string(MPCC_VECTORS_DIR) + "/snp";

Certificate load_pem(const std::string& rel) {
  return Certificate::from_pem(read_text_file(kDir + "/" + rel).value()).value();
}
Bytes vcek_der() { return read_file(kDir + "/go-sev-guest/vcek.testcer").value(); }
Certificate ark() { return load_pem("amd/virtee-sev/milan_ark.pem"); }
Certificate ask() { return load_pem("amd/virtee-sev/milan_ask.pem"); }
Certificate vcek() { return Certificate::from_der(vcek_der()).value(); }

constexpr UnixSeconds kArkNotBefore = 1603387385;   // 2020-10-22T17:23:05Z
constexpr UnixSeconds kArkNotAfter = 2392305785;    // 2045-10-22T17:23:05Z
constexpr UnixSeconds kVcekNotBefore = 1663980928;  // 2022-09-24T00:55:28Z
constexpr UnixSeconds kVcekNotAfter = 1884905728;   // 2029-09-24T00:55:28Z

TEST(X509, AmdMilanNames) {
  EXPECT_EQ(ark().subject_common_name(), "ARK-Milan");
  EXPECT_EQ(ark().issuer_common_name(), "ARK-Milan");
  EXPECT_EQ(ask().subject_common_name(), "SEV-Milan");
  EXPECT_EQ(ask().issuer_common_name(), "ARK-Milan");
  EXPECT_EQ(vcek().subject_common_name(), "SEV-VCEK");
  EXPECT_EQ(vcek().issuer_common_name(), "SEV-Milan");
  EXPECT_EQ(ark().subject(),
            "CN=ARK-Milan,O=Advanced Micro Devices,ST=CA,L=Santa Clara,C=US,OU=Engineering");
  EXPECT_EQ(vcek().issuer(), ask().subject());
}

TEST(X509, AmdMilanFields) {
  EXPECT_EQ(hex_encode(ark().serial()), "010000");
  EXPECT_EQ(hex_encode(ask().serial()), "010001");
  EXPECT_TRUE(vcek().serial().empty());  // serial 0
  EXPECT_EQ(ark().not_before(), kArkNotBefore);
  EXPECT_EQ(ark().not_after(), kArkNotAfter);
  EXPECT_EQ(vcek().not_before(), kVcekNotBefore);
  EXPECT_EQ(vcek().not_after(), kVcekNotAfter);
  EXPECT_TRUE(ark().is_ca());
  EXPECT_TRUE(ask().is_ca());
  EXPECT_FALSE(vcek().is_ca());
  EXPECT_EQ(ark().signature_algorithm(), "RSASSA-PSS");
  EXPECT_EQ(vcek().signature_algorithm(), "RSASSA-PSS");
  EXPECT_EQ(ark().public_key().type(), KeyType::kRsa);
  EXPECT_EQ(ark().public_key().bits(), 4096u);
  EXPECT_EQ(vcek().public_key().type(), KeyType::kEc);
  EXPECT_EQ(vcek().public_key().curve(), Curve::kP384);
  // Spec 7.1 pin of the Milan ARK key.
  EXPECT_EQ(hex_encode(ark().public_key_spki_sha256()),
            "9f056bee44377e29308cb5ffa895bdfb62d18881fa6bed8d6f075b0204089cb9");
  EXPECT_EQ(hex_encode(vcek().sha256_fingerprint()), hex_encode(sha256(vcek_der())));
}

TEST(X509, AmdMilanChain) {
  EXPECT_TRUE(ark().is_self_signed());
  EXPECT_TRUE(ark().verify_signed_by(ark()).ok());
  EXPECT_TRUE(ask().verify_signed_by(ark()).ok());
  EXPECT_TRUE(vcek().verify_signed_by(ask()).ok());
  EXPECT_FALSE(ask().is_self_signed());
  EXPECT_FALSE(vcek().is_self_signed());
  Status s = vcek().verify_signed_by(ark());
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("X509:"), std::string::npos);
  EXPECT_EQ(ark().verify_signed_by(ask()).code(), StatusCode::kPermissionDenied);
}

TEST(X509, VcekExtensions) {
  auto product = vcek().extension_value("1.3.6.1.4.1.3704.1.2");
  ASSERT_TRUE(product.has_value());
  EXPECT_EQ(*der_parse_string(*product), "Milan-B0");
  auto version = vcek().extension_value("1.3.6.1.4.1.3704.1.1");
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(*der_parse_integer(*version), 0u);
  auto bl = vcek().extension_value("1.3.6.1.4.1.3704.1.3.1");
  ASSERT_TRUE(bl.has_value());
  EXPECT_TRUE(der_parse_integer(*bl).ok());
  auto hwid = vcek().extension_value("1.3.6.1.4.1.3704.1.4");
  ASSERT_TRUE(hwid.has_value());
  EXPECT_EQ(hwid->size(), 64u);
  EXPECT_FALSE(vcek().extension_value("1.3.6.1.4.1.3704.1.5").has_value());
  EXPECT_FALSE(vcek().extension_value("not an oid").has_value());
  EXPECT_FALSE(ark().extension_value("1.3.6.1.4.1.3704.1.2").has_value());
}

TEST(X509, FlippedByteBreaksVcek) {
  const Bytes der = vcek_der();
  // A byte inside the signed TBS (the subject public key) and one in the signature.
  for (std::size_t pos : {der.size() / 3, der.size() - 10}) {
    Bytes bad = der;
    bad[pos] ^= 0x01;
    auto c = Certificate::from_der(bad);
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
      continue;
    }
    EXPECT_EQ(c->verify_signed_by(ask()).code(), StatusCode::kPermissionDenied) << pos;
  }
}

TEST(X509, Validity) {
  EXPECT_TRUE(vcek().check_validity(kVcekNotBefore).ok());
  EXPECT_TRUE(vcek().check_validity(kVcekNotAfter).ok());
  EXPECT_TRUE(vcek().check_validity(1700000000).ok());
  Status early = vcek().check_validity(kVcekNotBefore - 1);
  EXPECT_EQ(early.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(early.message().find("2022-09-24T00:55:28Z"), std::string::npos);
  Status late = vcek().check_validity(kVcekNotAfter + 1);
  EXPECT_EQ(late.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(late.message().find("2029-09-24T00:55:28Z"), std::string::npos);
}

TEST(X509, PemDerRoundTripAndBundles) {
  const Certificate a = ark(), k = ask();
  auto again = Certificate::from_pem(a.pem());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again == a);
  auto from_der = Certificate::from_der(a.der());
  ASSERT_TRUE(from_der.ok());
  EXPECT_TRUE(*from_der == a);

  std::string bundle = k.pem() + "some text between\n" + a.pem();
  auto all = Certificate::from_pem_bundle(bundle);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].subject_common_name(), "SEV-Milan");
  EXPECT_EQ((*all)[1].subject_common_name(), "ARK-Milan");
  // from_pem wants exactly one.
  EXPECT_EQ(Certificate::from_pem(bundle).status().code(), StatusCode::kInvalidArgument);

  auto either = Certificate::from_pem_or_der(as_span(bundle));
  ASSERT_TRUE(either.ok());
  EXPECT_EQ(either->size(), 2u);
  auto der_only = Certificate::from_pem_or_der(vcek_der());
  ASSERT_TRUE(der_only.ok());
  ASSERT_EQ(der_only->size(), 1u);
  EXPECT_EQ((*der_only)[0].subject_common_name(), "SEV-VCEK");
}

TEST(X509, RejectsMalformed) {
  EXPECT_EQ(Certificate::from_pem_bundle("no certificates here").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Certificate::from_pem("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Certificate::from_der(Bytes{0x30, 0x01, 0x00}).status().code(),
            StatusCode::kInvalidArgument);
  Bytes der = vcek_der();
  Bytes truncated(der.begin(), der.end() - 5);
  EXPECT_EQ(Certificate::from_der(truncated).status().code(), StatusCode::kInvalidArgument);
  der.push_back(0);
  EXPECT_EQ(Certificate::from_der(der).status().code(), StatusCode::kInvalidArgument);
  std::string pem = ark().pem();
  pem[pem.size() / 2] = '*';  // corrupt the base64 body
  EXPECT_EQ(Certificate::from_pem_bundle(pem).status().code(), StatusCode::kInvalidArgument);
}

// Throw-away self-signed Ed25519 certificate made for this test with
// `openssl req -x509 -newkey ed25519`: parseable X.509, but a key type mpcc
// does not support.
const char* kEd25519Cert = R"(-----BEGIN CERTIFICATE-----
MIIBQjCB9aADAgECAhQsHOwxg6WfkDEJTyZIjODRDxpbOTAFBgMrZXAwFzEVMBMG
A1UEAwwMZWQyNTUxOS10ZXN0MB4XDTI2MTEyNzEzMDY0OVoXDTM2MTEyNDEzMDY0
OVowFzEVMBMGA1UEAwwMZWQyNTUxOS10ZXN0MCowBQYDK2VwAyEARvBGliN66Rup
sjZajS2/CNAZ7GhmzSmzsmxWv7VBdz6jUzBRMB0GA1UdDgQWBBR+yUSn2a2ExX7M
/ecmkGtibPF7NzAfBgNVHSMEGDAWgBR+yUSn2a2ExX7M/ecmkGtibPF7NzAPBgNV
HRMBAf8EBTADAQH/MAUGAytlcANBAIzIMF0+YotIxxwTsdMLd/q8p12BvegeL5Md
AF/rTStJ7q8q/SEGG1W1FLaKPOL5tayxcHyRxSmK19cSusolDgs=
-----END CERTIFICATE-----
)";

TEST(X509, RejectsUnsupportedKeyType) {
  auto c = Certificate::from_pem(kEd25519Cert);
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("X509:"), std::string::npos);
}

}  // namespace
}  // namespace mpcc::crypto
