#include "crypto/aes_gcm.h"

#include <gtest/gtest.h>

namespace mpcc::crypto {
namespace {

Bytes hex(std::string_view h) { return hex_decode(h).value(); }
Bytes flip(Bytes b, std::size_t i) {
  b.at(i) ^= 0x01;
  return b;
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16
// (AES-256, 96-bit IV, 20 bytes of AAD, 60 bytes of plaintext).
const char* kKey = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const char* kIv = "cafebabefacedbaddecaf888";
const char* kAad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const char* kPt =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
const char* kCt =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
const char* kTag = "76fc6ece0f4e1768cddf8853bb2d551b";

TEST(AesGcm, McGrewViegaTestCase16) {
  auto sealed = aes_gcm_seal(hex(kKey), hex(kIv), hex(kAad), hex(kPt));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(hex_encode(sealed->ciphertext), kCt);
  EXPECT_EQ(hex_encode(sealed->tag), kTag);
  auto opened = aes_gcm_open(hex(kKey), hex(kIv), hex(kAad), hex(kCt), hex(kTag));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(hex_encode(Bytes(opened->begin(), opened->end())), kPt);
}

// Test case 14: AES-256, zero key and IV, one zero block, no AAD.
TEST(AesGcm, McGrewViegaTestCase14) {
  auto sealed = aes_gcm_seal(Bytes(32, 0), Bytes(12, 0), {}, Bytes(16, 0));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(hex_encode(sealed->ciphertext), "cea7403d4d606b6e074ec5d3baf39d18");
  EXPECT_EQ(hex_encode(sealed->tag), "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(AesGcm, TamperFails) {
  const Bytes key = hex(kKey), iv = hex(kIv), aad = hex(kAad), ct = hex(kCt), tag = hex(kTag);
  const Bytes bad_tag = flip(tag, 15), bad_aad = flip(aad, 0), bad_ct = flip(ct, 5),
              bad_iv = flip(iv, 0);
  for (auto r : {aes_gcm_open(key, iv, aad, ct, bad_tag), aes_gcm_open(key, iv, bad_aad, ct, tag),
                 aes_gcm_open(key, iv, aad, bad_ct, tag), aes_gcm_open(key, bad_iv, aad, ct, tag),
                 aes_gcm_open(key, iv, {}, ct, tag)}) {
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(r.status().message(), "AES-GCM: authentication failed");
  }
}

TEST(AesGcm, EmptyPlaintextAndKeySizes) {
  for (std::size_t ks : {16u, 24u, 32u}) {
    Bytes key(ks, 0x11);
    auto sealed = aes_gcm_seal(key, Bytes(12, 2), to_bytes("aad"), {});
    ASSERT_TRUE(sealed.ok());
    EXPECT_TRUE(sealed->ciphertext.empty());
    auto opened = aes_gcm_open(key, Bytes(12, 2), to_bytes("aad"), {}, sealed->tag);
    ASSERT_TRUE(opened.ok());
    EXPECT_TRUE(opened->empty());
  }
}

TEST(AesGcm, RejectsBadParameters) {
  EXPECT_EQ(aes_gcm_seal(Bytes(31, 0), Bytes(12, 0), {}, Bytes(1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(aes_gcm_seal(Bytes(32, 0), Bytes(16, 0), {}, Bytes(1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(aes_gcm_open(Bytes(32, 0), Bytes(12, 0), {}, Bytes(1), Bytes(8)).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mpcc::crypto
