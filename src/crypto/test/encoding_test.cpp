#include "crypto/encoding.h"

#include <gtest/gtest.h>

namespace mpcc::crypto {
namespace {

struct Vector {
  const char* plain;
  const char* b64;
  const char* b64url;
};

// RFC 4648 section 10.
const Vector kRfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

TEST(Encoding, Rfc4648Base64) {
  for (const auto& v : kRfc4648) {
    EXPECT_EQ(base64_encode(as_span(v.plain)), v.b64) << v.plain;
    auto d = base64_decode(v.b64);
    ASSERT_TRUE(d.ok()) << v.b64 << " " << d.status().to_string();
    EXPECT_EQ(to_string(*d), v.plain);
  }
}

TEST(Encoding, Rfc4648Base64Url) {
  for (const auto& v : kRfc4648) {
    EXPECT_EQ(base64url_encode(std::string_view(v.plain)), v.b64url) << v.plain;
    auto d = base64url_decode(v.b64url);
    ASSERT_TRUE(d.ok()) << v.b64url;
    EXPECT_EQ(to_string(*d), v.plain);
    // Correct padding is accepted too.
    auto padded = base64url_decode(v.b64);
    ASSERT_TRUE(padded.ok()) << v.b64;
    EXPECT_EQ(to_string(*padded), v.plain);
  }
}

TEST(Encoding, UnpaddedStandardAccepted) {
  auto d = base64_decode("Zm9vYg");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(to_string(*d), "foob");
}

TEST(Encoding, UrlAlphabet) {
  const Bytes data = {0xfb, 0xff, 0xbf, 0xfe};
  EXPECT_EQ(base64_encode(data), "+/+//g==");
  EXPECT_EQ(base64url_encode(data), "-_-__g");
  auto d = base64url_decode("-_-__g");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, data);
  // Each strict decoder refuses the other alphabet; _any accepts both.
  EXPECT_EQ(base64url_decode("+/+//g").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(base64_decode("-_-__g").status().code(), StatusCode::kInvalidArgument);
  auto a1 = base64_decode_any("-_-__g");
  auto a2 = base64_decode_any("+/+//g==");
  ASSERT_TRUE(a1.ok());
  ASSERT_TRUE(a2.ok());
  EXPECT_EQ(*a1, data);
  EXPECT_EQ(*a2, data);
}

TEST(Encoding, BinaryRoundTrip) {
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  for (std::size_t len = 0; len <= all.size(); len += 7) {
    Bytes part(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(len));
    auto d1 = base64_decode(base64_encode(part));
    auto d2 = base64url_decode(base64url_encode(part));
    ASSERT_TRUE(d1.ok() && d2.ok());
    EXPECT_EQ(*d1, part);
    EXPECT_EQ(*d2, part);
  }
}

TEST(Encoding, RejectsBadInput) {
  const char* bad[] = {
      "Zm9v!",     // bad character
      "Zm 9v",     // inner whitespace
      "Zm9v\n",    // trailing newline
      " Zm9v",     // leading space
      "Z",         // impossible length
      "Zm9vY",     // impossible length
      "Zg=",       // short padding
      "Zg===",     // too much padding
      "Zm9v====",  // padding on a full block
      "=",         // padding only
      "Zg==Zg==",  // padding in the middle
      "Zm8==",     // wrong amount of padding
      "Zh==",      // non-zero trailing bits
      "Zm9=",      // non-zero trailing bits
  };
  for (const char* s : bad) {
    EXPECT_EQ(base64_decode(s).status().code(), StatusCode::kInvalidArgument) << s;
    EXPECT_EQ(base64url_decode(s).status().code(), StatusCode::kInvalidArgument) << s;
    EXPECT_EQ(base64_decode_any(s).status().code(), StatusCode::kInvalidArgument) << s;
  }
  EXPECT_NE(base64_decode("Zm9v!").status().message().find("base64"), std::string::npos);
}

}  // namespace
}  // namespace mpcc::crypto
