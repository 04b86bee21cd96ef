#include "crypto/signature.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"

namespace mpcc::crypto {
namespace {

const PrivateKey& rsa_key() {
  static const PrivateKey k = PrivateKey::generate_rsa(2048).value();
  return k;
}
const PrivateKey& p256_key() {
  static const PrivateKey k = PrivateKey::generate_ec(Curve::kP256).value();
  return k;
}
const PrivateKey& p384_key() {
  static const PrivateKey k = PrivateKey::generate_ec(Curve::kP384).value();
  return k;
}

const PrivateKey& key_for(SignatureAlg alg) {
  switch (alg) {
    case SignatureAlg::kEcdsaP256Sha256:
      return p256_key();
    case SignatureAlg::kEcdsaP384Sha384:
      return p384_key();
    default:
      return rsa_key();
  }
}

const SignatureAlg kAll[] = {SignatureAlg::kRsaPkcs1Sha256,  SignatureAlg::kRsaPkcs1Sha384,
                             SignatureAlg::kRsaPssSha256,    SignatureAlg::kRsaPssSha384,
                             SignatureAlg::kEcdsaP256Sha256, SignatureAlg::kEcdsaP384Sha384};

TEST(Signature, Names) {
  EXPECT_EQ(signature_alg_name(SignatureAlg::kRsaPkcs1Sha256), "RS256");
  EXPECT_EQ(signature_alg_name(SignatureAlg::kRsaPssSha384), "PS384");
  EXPECT_EQ(signature_alg_name(SignatureAlg::kEcdsaP384Sha384), "ES384");
}

TEST(Signature, RoundTripEveryAlgorithm) {
  const Bytes msg = to_bytes("header.payload");
  for (SignatureAlg alg : kAll) {
    const PrivateKey& k = key_for(alg);
    auto sig = sign(k, alg, msg);
    ASSERT_TRUE(sig.ok()) << signature_alg_name(alg) << " " << sig.status().to_string();
    EXPECT_TRUE(verify(k.public_key(), alg, msg, *sig).ok()) << signature_alg_name(alg);
  }
}

TEST(Signature, TamperedMessageFails) {
  for (SignatureAlg alg : kAll) {
    const PrivateKey& k = key_for(alg);
    Bytes msg = to_bytes("header.payload");
    Bytes sig = sign(k, alg, msg).value();
    msg[3] ^= 0x01;
    Status s = verify(k.public_key(), alg, msg, sig);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << signature_alg_name(alg);
    EXPECT_NE(s.message().find("signature does not verify"), std::string::npos);
  }
}

TEST(Signature, TamperedSignatureFails) {
  const Bytes msg = to_bytes("header.payload");
  for (SignatureAlg alg : kAll) {
    const PrivateKey& k = key_for(alg);
    Bytes sig = sign(k, alg, msg).value();
    Bytes flipped = sig;
    flipped[sig.size() / 2] ^= 0x40;
    EXPECT_EQ(verify(k.public_key(), alg, msg, flipped).code(), StatusCode::kPermissionDenied)
        << signature_alg_name(alg);
    Bytes truncated(sig.begin(), sig.end() - 1);
    EXPECT_EQ(verify(k.public_key(), alg, msg, truncated).code(), StatusCode::kPermissionDenied)
        << signature_alg_name(alg);
    EXPECT_EQ(verify(k.public_key(), alg, msg, Bytes{}).code(), StatusCode::kPermissionDenied);
  }
}

TEST(Signature, OtherKeyFails) {
  const Bytes msg = to_bytes("m");
  auto other = PrivateKey::generate_ec(Curve::kP256).value();
  Bytes sig = sign(p256_key(), SignatureAlg::kEcdsaP256Sha256, msg).value();
  EXPECT_EQ(verify(other.public_key(), SignatureAlg::kEcdsaP256Sha256, msg, sig).code(),
            StatusCode::kPermissionDenied);
}

TEST(Signature, PkcsAndPssAreNotInterchangeable) {
  const Bytes msg = to_bytes("m");
  Bytes rs = sign(rsa_key(), SignatureAlg::kRsaPkcs1Sha256, msg).value();
  Bytes ps = sign(rsa_key(), SignatureAlg::kRsaPssSha256, msg).value();
  PublicKey pub = rsa_key().public_key();
  EXPECT_EQ(verify(pub, SignatureAlg::kRsaPssSha256, msg, rs).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(verify(pub, SignatureAlg::kRsaPkcs1Sha256, msg, ps).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(verify(pub, SignatureAlg::kRsaPkcs1Sha384, msg, rs).code(),
            StatusCode::kPermissionDenied);
}

TEST(Signature, PkcsIsDeterministicPssIsNot) {
  const Bytes msg = to_bytes("m");
  EXPECT_EQ(sign(rsa_key(), SignatureAlg::kRsaPkcs1Sha256, msg).value(),
            sign(rsa_key(), SignatureAlg::kRsaPkcs1Sha256, msg).value());
  EXPECT_NE(sign(rsa_key(), SignatureAlg::kRsaPssSha256, msg).value(),
            sign(rsa_key(), SignatureAlg::kRsaPssSha256, msg).value());
}

TEST(Signature, WrongKeyTypeIsInvalidArgument) {
  const Bytes msg = to_bytes("m");
  EXPECT_EQ(sign(p256_key(), SignatureAlg::kRsaPkcs1Sha256, msg).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(sign(rsa_key(), SignatureAlg::kEcdsaP256Sha256, msg).status().code(),
            StatusCode::kInvalidArgument);
  // Curve must match the algorithm.
  EXPECT_EQ(sign(p384_key(), SignatureAlg::kEcdsaP256Sha256, msg).status().code(),
            StatusCode::kInvalidArgument);
  Bytes sig = sign(rsa_key(), SignatureAlg::kRsaPkcs1Sha256, msg).value();
  EXPECT_EQ(verify(p256_key().public_key(), SignatureAlg::kRsaPkcs1Sha256, msg, sig).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(verify(rsa_key().public_key(), SignatureAlg::kEcdsaP384Sha384, msg, sig).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(verify(p256_key().public_key(), SignatureAlg::kEcdsaP384Sha384, msg, sig).code(),
            StatusCode::kInvalidArgument);
}

TEST(Signature, EcdsaDigestVerification) {
  const Bytes msg = to_bytes("report body");
  Bytes sig = sign(p384_key(), SignatureAlg::kEcdsaP384Sha384, msg).value();
  Bytes d = sha384(msg);
  EXPECT_TRUE(verify_ecdsa_digest(p384_key().public_key(), d, sig).ok());
  Bytes bad = d;
  bad[0] ^= 1;
  EXPECT_EQ(verify_ecdsa_digest(p384_key().public_key(), bad, sig).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(verify_ecdsa_digest(rsa_key().public_key(), d, sig).code(),
            StatusCode::kInvalidArgument);
}

TEST(Signature, EcdsaDerRawRoundTrip) {
  const Bytes msg = to_bytes("jws");
  for (SignatureAlg alg : {SignatureAlg::kEcdsaP256Sha256, SignatureAlg::kEcdsaP384Sha384}) {
    const PrivateKey& k = key_for(alg);
    std::size_t n = curve_coordinate_size(*k.curve());
    for (int i = 0; i < 8; ++i) {  // several signatures: some have short r or s
      Bytes der = sign(k, alg, msg).value();
      auto raw = ecdsa_der_to_raw(der, n);
      ASSERT_TRUE(raw.ok());
      EXPECT_EQ(raw->size(), 2 * n);
      auto back = ecdsa_raw_to_der(*raw);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(*back, der);
      EXPECT_TRUE(verify(k.public_key(), alg, msg, *back).ok());
    }
  }
}

TEST(Signature, EcdsaConversionRejectsBadInput) {
  EXPECT_EQ(ecdsa_raw_to_der(Bytes(63, 1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ecdsa_raw_to_der(Bytes{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ecdsa_der_to_raw(Bytes{0x30, 0x00, 0x01}, 32).status().code(),
            StatusCode::kInvalidArgument);
  Bytes der = sign(p384_key(), SignatureAlg::kEcdsaP384Sha384, to_bytes("x")).value();
  // A P-384 signature does not fit P-256 coordinates.
  EXPECT_EQ(ecdsa_der_to_raw(der, 32).status().code(), StatusCode::kInvalidArgument);
  der.push_back(0);  // trailing data
  EXPECT_EQ(ecdsa_der_to_raw(der, 48).status().code(), StatusCode::kInvalidArgument);
  // Known small values: r = 1, s = 2.
  Bytes raw(64, 0);
  raw[31] = 1;
  raw[63] = 2;
  EXPECT_EQ(hex_encode(ecdsa_raw_to_der(raw).value()), "3006020101020102");
}

}  // namespace
}  // namespace mpcc::crypto
