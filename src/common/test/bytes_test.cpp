#include "common/bytes.h"

#include <gtest/gtest.h>

namespace mpcc {
namespace {

TEST(Hex, RoundTrip) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(hex_encode(b), "0001abff");
  EXPECT_EQ(*hex_decode("0001ABff"), b);
  EXPECT_EQ(*hex_decode(""), Bytes{});
}

TEST(Hex, RejectsOddLengthAndBadDigits) {
  EXPECT_EQ(hex_decode("abc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(hex_decode("zz").status().message().find("offset 0"), std::string::npos);
  EXPECT_FALSE(hex_decode("0g").ok());
  EXPECT_FALSE(hex_decode("00 ").ok());
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal(Bytes{1, 2}, Bytes{1, 2}));
  EXPECT_FALSE(constant_time_equal(Bytes{1, 2}, Bytes{1, 3}));
  EXPECT_FALSE(constant_time_equal(Bytes{1, 2}, Bytes{1, 2, 3}));
}

TEST(SecureWipe, ZeroesBuffer) {
  uint8_t buf[16];
  for (auto& b : buf) b = 0xaa;
  secure_wipe(buf, sizeof buf);
  for (auto b : buf) EXPECT_EQ(b, 0);
}

// The allocator wipes on deallocation; observe it through a custom arena.
TEST(SecureBytes, BehavesLikeAVector) {
  SecureBytes s = to_secure(Bytes{1, 2, 3});
  s.push_back(4);
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s[3], 4);
}

}  // namespace
}  // namespace mpcc
