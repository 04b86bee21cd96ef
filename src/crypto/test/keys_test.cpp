#include "crypto/keys.h"

#include <gtest/gtest.h>

#include <vector>

namespace mpcc::crypto {
namespace {

const PrivateKey& rsa2048() {
  static const PrivateKey k = PrivateKey::generate_rsa(2048).value();
  return k;
}

TEST(Keys, CurveNames) {
  EXPECT_EQ(curve_jwk_name(Curve::kP384), "P-384");
  EXPECT_EQ(*curve_from_jwk_name("P-256"), Curve::kP256);
  EXPECT_EQ(*curve_from_jwk_name("P-521"), Curve::kP521);
  EXPECT_EQ(curve_from_jwk_name("secp256k1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(curve_coordinate_size(Curve::kP521), 66u);
}

TEST(Keys, GenerateRsa) {
  const PrivateKey& k = rsa2048();
  EXPECT_EQ(k.type(), KeyType::kRsa);
  EXPECT_EQ(k.bits(), 2048u);
  EXPECT_FALSE(k.curve().has_value());
  auto c = k.public_key().rsa();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->n.size(), 256u);
  EXPECT_EQ(hex_encode(c->e), "010001");
}

TEST(Keys, GenerateRejectsBadParameters) {
  EXPECT_EQ(PrivateKey::generate_rsa(1024).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::generate_rsa(2048, 4).status().code(), StatusCode::kInvalidArgument);
}

TEST(Keys, GenerateEcAllCurves) {
  for (Curve c : {Curve::kP256, Curve::kP384, Curve::kP521}) {
    auto k = PrivateKey::generate_ec(c);
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->type(), KeyType::kEc);
    EXPECT_EQ(k->curve(), c);
    auto comp = k->ec();
    ASSERT_TRUE(comp.ok());
    EXPECT_EQ(comp->x.size(), curve_coordinate_size(c));
    EXPECT_EQ(comp->y.size(), curve_coordinate_size(c));
    EXPECT_EQ(comp->d.size(), curve_coordinate_size(c));
  }
}

TEST(Keys, PublicPemAndDerRoundTrip) {
  auto ec = PrivateKey::generate_ec(Curve::kP384).value();
  for (const PublicKey& pub : {rsa2048().public_key(), ec.public_key()}) {
    std::string pem = pub.to_pem();
    EXPECT_NE(pem.find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
    auto from_pem = PublicKey::from_pem(pem);
    ASSERT_TRUE(from_pem.ok());
    EXPECT_TRUE(from_pem->equals(pub));
    auto from_der = PublicKey::from_der(pub.to_der());
    ASSERT_TRUE(from_der.ok());
    EXPECT_TRUE(from_der->equals(pub));
    EXPECT_EQ(from_der->to_der(), pub.to_der());
  }
  EXPECT_FALSE(rsa2048().public_key().equals(ec.public_key()));
}

TEST(Keys, PrivatePemAndDerRoundTrip) {
  auto ec = PrivateKey::generate_ec(Curve::kP256).value();
  for (const PrivateKey* k : std::vector<const PrivateKey*>{&rsa2048(), &ec}) {
    SecureBytes pem = k->to_pkcs8_pem();
    std::string_view text(reinterpret_cast<const char*>(pem.data()), pem.size());
    EXPECT_NE(text.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
    auto p = PrivateKey::from_pem(text);
    ASSERT_TRUE(p.ok()) << p.status().to_string();
    EXPECT_TRUE(p->public_key().equals(k->public_key()));
    auto d = PrivateKey::from_pkcs8_der(k->to_pkcs8_der());
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(d->public_key().equals(k->public_key()));
    EXPECT_EQ(d->to_pkcs8_der(), k->to_pkcs8_der());
  }
}

TEST(Keys, RejectsMalformedEncodings) {
  EXPECT_EQ(PublicKey::from_pem("not a key").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PublicKey::from_der(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::from_pkcs8_der(Bytes{1, 2, 3}).status().code(),
            StatusCode::kInvalidArgument);
  // Trailing garbage after a valid SPKI is refused.
  Bytes der = rsa2048().public_key().to_der();
  der.push_back(0);
  EXPECT_EQ(PublicKey::from_der(der).status().code(), StatusCode::kInvalidArgument);
  // A private key PEM is not a public key PEM.
  SecureBytes priv = rsa2048().to_pkcs8_pem();
  EXPECT_FALSE(PublicKey::from_pem(std::string(priv.begin(), priv.end())).ok());
}

// Throw-away test key generated for this file with `openssl ecparam -genkey`
// (traditional SEC1 "EC PRIVATE KEY" form), and the same key as an encrypted
// PKCS#8 ("openssl pkcs8 -topk8 -v2 aes-256-cbc", pass phrase "test").
const char* kTraditionalEcPem = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIFWnPdmaEtClPRNMliCVBZLwIzuiRqsitgWiBMjbMGSFoAoGCCqGSM49
AwEHoUQDQgAEkPkuItcKanNkancc+rT/z7IU6yJOvgeZc6Jsk+cpfPMQtCk9t3/g
WVdVfFSisPhX2kcOSZ3ygs00GLQ4WLEr0g==
-----END EC PRIVATE KEY-----
)";
const char* kEncryptedPem = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiTJ8YacQxhjwICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEDo610hSJ1U8HyN3Jx18LF0EgZAP
zm+ewgtx3pgWfbaBpyMUSExkGodoDOBo1w7IRu9UyCUI5ccjxXEQFeugH3kNGppN
MCOZkg8Z2Y6wtlgiTsxOS+gh/XVqX0KW47u2w4OnkBISfY2NGgZ36Lw7E16wILDN
aOcGwDjo4zxwRTyyT/cFAQvm2S7rEh51ktqpo7ysZ3DUUCLI7XB8cJynHeS87bg=
-----END ENCRYPTED PRIVATE KEY-----
)";

TEST(Keys, TraditionalPemAcceptedEncryptedRefused) {
  auto k = PrivateKey::from_pem(kTraditionalEcPem);
  ASSERT_TRUE(k.ok()) << k.status().to_string();
  EXPECT_EQ(k->curve(), Curve::kP256);
  EXPECT_EQ(hex_encode(k->ec().value().d),
            "55a73dd99a12d0a53d134c9620950592f0233ba246ab22b605a204c8db306485");
  EXPECT_EQ(PrivateKey::from_pem(kEncryptedPem).status().code(), StatusCode::kInvalidArgument);
}

TEST(Keys, RsaComponentsRoundTrip) {
  auto priv = rsa2048().rsa();
  ASSERT_TRUE(priv.ok());
  auto rebuilt = PrivateKey::from_rsa(*priv);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().to_string();
  EXPECT_TRUE(rebuilt->public_key().equals(rsa2048().public_key()));
  auto pub = PublicKey::from_rsa({priv->n, priv->e});
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->equals(rsa2048().public_key()));
  EXPECT_EQ(pub->bits(), 2048u);
}

TEST(Keys, RsaComponentsRejected) {
  auto priv = rsa2048().rsa().value();
  // Inconsistent factor.
  RsaPrivateComponents bad = priv;
  bad.p.back() ^= 0x02;
  EXPECT_EQ(PrivateKey::from_rsa(bad).status().code(), StatusCode::kInvalidArgument);
  // Partial CRT set.
  RsaPrivateComponents partial = priv;
  partial.qi.clear();
  EXPECT_EQ(PrivateKey::from_rsa(partial).status().code(), StatusCode::kInvalidArgument);
  // Missing modulus / small modulus.
  EXPECT_EQ(PublicKey::from_rsa({{}, priv.e}).status().code(), StatusCode::kInvalidArgument);
  Bytes small(priv.n.begin(), priv.n.begin() + 64);
  EXPECT_EQ(PublicKey::from_rsa({small, priv.e}).status().code(), StatusCode::kInvalidArgument);
}

TEST(Keys, EcComponentsRoundTrip) {
  auto k = PrivateKey::generate_ec(Curve::kP384).value();
  auto c = k.ec();
  ASSERT_TRUE(c.ok());
  auto rebuilt = PrivateKey::from_ec(*c);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().to_string();
  EXPECT_TRUE(rebuilt->public_key().equals(k.public_key()));
  auto pub = PublicKey::from_ec({c->curve, c->x, c->y});
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->equals(k.public_key()));
  auto pc = pub->ec();
  ASSERT_TRUE(pc.ok());
  EXPECT_EQ(pc->x, c->x);
  EXPECT_EQ(pc->y, c->y);
  EXPECT_EQ(pub->curve(), Curve::kP384);
  EXPECT_EQ(pub->rsa().status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rsa2048().public_key().ec().status().code(), StatusCode::kInvalidArgument);
}

TEST(Keys, EcComponentsRejected) {
  auto k = PrivateKey::generate_ec(Curve::kP256).value();
  auto c = k.ec().value();
  // Point not on the curve.
  EcPublicComponents off{c.curve, c.x, c.y};
  off.y.back() ^= 0x01;
  EXPECT_EQ(PublicKey::from_ec(off).status().code(), StatusCode::kInvalidArgument);
  // Wrong coordinate length.
  EcPublicComponents short_x{c.curve, Bytes(c.x.begin() + 1, c.x.end()), c.y};
  EXPECT_EQ(PublicKey::from_ec(short_x).status().code(), StatusCode::kInvalidArgument);
  // Coordinates of the wrong curve.
  EcPublicComponents wrong_curve{Curve::kP384, c.x, c.y};
  EXPECT_EQ(PublicKey::from_ec(wrong_curve).status().code(), StatusCode::kInvalidArgument);
  // Private scalar not matching the public point.
  auto other = PrivateKey::generate_ec(Curve::kP256).value().ec().value();
  EcPrivateComponents mixed{c.curve, c.x, c.y, other.d};
  EXPECT_EQ(PrivateKey::from_ec(mixed).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mpcc::crypto
