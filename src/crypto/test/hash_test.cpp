#include "crypto/hash.h"

#include <gtest/gtest.h>

#include "crypto/random.h"

namespace mpcc::crypto {
namespace {

// FIPS 180-2 appendix examples for the one-block message "abc".
TEST(Hash, FipsAbcVectors) {
  EXPECT_EQ(hex_encode(digest(HashAlg::kSha1, as_span("abc"))),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex_encode(digest(HashAlg::kSha256, as_span("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_encode(digest(HashAlg::kSha384, as_span("abc"))),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
            "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(hex_encode(digest(HashAlg::kSha512, as_span("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Hash, ConvenienceWrappers) {
  EXPECT_EQ(hex_encode(sha256(std::string_view(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha384(as_span("abc")), digest(HashAlg::kSha384, as_span("abc")));
  EXPECT_NE(sha256(std::string_view("abc")), sha256(std::string_view("abd")));
}

TEST(Hash, SizesAndNames) {
  EXPECT_EQ(digest_size(HashAlg::kSha1), 20u);
  EXPECT_EQ(digest_size(HashAlg::kSha256), 32u);
  EXPECT_EQ(digest_size(HashAlg::kSha384), 48u);
  EXPECT_EQ(digest_size(HashAlg::kSha512), 64u);
  EXPECT_EQ(hash_name(HashAlg::kSha256), "SHA-256");
  EXPECT_EQ(hash_name(HashAlg::kSha384), "SHA-384");
}

TEST(Hash, IncrementalEqualsOneShot) {
  Bytes data = random_bytes(1000);
  for (HashAlg alg : {HashAlg::kSha1, HashAlg::kSha256, HashAlg::kSha384, HashAlg::kSha512}) {
    Hasher h(alg);
    std::size_t pos = 0;
    for (std::size_t step : {0u, 1u, 63u, 64u, 65u, 300u, 507u}) {
      h.update(ByteSpan(data).subspan(pos, step));
      pos += step;
    }
    ASSERT_EQ(pos, data.size());
    EXPECT_EQ(h.finish(), digest(alg, data)) << hash_name(alg);
  }
}

TEST(Hash, HasherUseAfterFinishThrows) {
  Hasher h(HashAlg::kSha256);
  h.update(as_span("abc"));
  EXPECT_EQ(hex_encode(h.finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_THROW(h.update(as_span("x")), std::logic_error);
  EXPECT_THROW(h.finish(), std::logic_error);
}

TEST(Random, LengthsAndVariety) {
  EXPECT_TRUE(random_bytes(0).empty());
  EXPECT_EQ(random_bytes(33).size(), 33u);
  EXPECT_EQ(random_secret(32).size(), 32u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
  EXPECT_NE(random_u64(), random_u64());
}

}  // namespace
}  // namespace mpcc::crypto

namespace mpcc::crypto {
namespace {

// RFC 4231 test case 2 ("Jefe") for HMAC-SHA-256 and HMAC-SHA-384.
TEST(Hmac, Rfc4231TestCase2) {
  const std::string key = "Jefe";
  const std::string data = "what do ya want for nothing?";
  EXPECT_EQ(hex_encode(hmac(HashAlg::kSha256, as_span(key), as_span(data))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_encode(hmac(HashAlg::kSha384, as_span(key), as_span(data))),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
            "8e2240ca5e69e2c78b3239ecfab21649");
}

}  // namespace
}  // namespace mpcc::crypto
