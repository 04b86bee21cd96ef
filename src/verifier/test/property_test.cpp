// Property: a real report verifies, and changing any single byte of the
// signed area [0, 0x2A0) or of R/S makes verification fail; non-zero bytes in
// the padding of R/S (beyond 48 bytes) or after S are refused at parse.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verifier/snp_verifier.h"
#include "verifier/test/vectors.h"

namespace mpcc::verifier {
namespace {

using vtest::kOneDay;

class FlipProperty : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = vtest::read_certs("snp/trustee/snp/test-vcek.der");
    report_ = vtest::read_report("snp/trustee/snp/test-report.bin");
    clock_ = std::make_unique<FixedClock>(certs_.front().not_before() + kOneDay);
    ASSERT_TRUE(verifier_.verify(ByteSpan(report_.raw), certs_, *clock_).ok());
  }
  Status verify_flipped(std::size_t offset, uint8_t mask = 0xFF) {
    Bytes raw(report_.raw.begin(), report_.raw.end());
    raw[offset] ^= mask;
    return verifier_.verify(ByteSpan(raw), certs_, *clock_).status();
  }

  SnpVerifier verifier_;
  std::vector<crypto::Certificate> certs_;
  snp::AttestationReport report_;
  std::unique_ptr<FixedClock> clock_;
};

TEST_F(FlipProperty, EverySignedByteFlipFails) {
  for (std::size_t off = 0; off < snp::kSignedSize; ++off) {
    Status s = verify_flipped(off);
    EXPECT_FALSE(s.ok()) << "flip at 0x" << std::hex << off << " verified";
    EXPECT_THAT(s.message(), ::testing::StartsWith("SEV-SNP: "));
  }
  // The chain was verified once and cached; only the report checks re-ran.
  EXPECT_EQ(verifier_.chain_cache().size(), 1u);
}

TEST_F(FlipProperty, EverySignedByteSingleBitFlipFails) {
  for (std::size_t off = 0; off < snp::kSignedSize; ++off) {
    EXPECT_FALSE(verify_flipped(off, static_cast<uint8_t>(1u << (off % 8))).ok())
        << "bit flip at 0x" << std::hex << off << " verified";
  }
}

TEST_F(FlipProperty, EverySignificantByteOfRAndSFails) {
  for (std::size_t base : {snp::kSignatureOffset, snp::kSignatureOffset + snp::kSignatureComponentSize}) {
    for (std::size_t i = 0; i < 48; ++i) {
      Status s = verify_flipped(base + i);
      EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << "R/S byte at 0x" << std::hex << base + i;
      EXPECT_THAT(s.message(), ::testing::HasSubstr("report signature"));
    }
  }
}

TEST_F(FlipProperty, PaddingOfRAndSIsRefusedAtParse) {
  for (std::size_t base : {snp::kSignatureOffset, snp::kSignatureOffset + snp::kSignatureComponentSize}) {
    for (std::size_t i = 48; i < snp::kSignatureComponentSize; ++i) {
      Status s = verify_flipped(base + i);
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "padding byte at 0x" << std::hex << base + i;
      EXPECT_THAT(s.message(), ::testing::StartsWith("SEV-SNP: "));
    }
  }
}

TEST_F(FlipProperty, ReservedBytesAfterSAreRefusedAtParse) {
  for (std::size_t off = snp::kSignatureOffset + 2 * snp::kSignatureComponentSize;
       off < snp::kReportSize; off += 7) {
    EXPECT_EQ(verify_flipped(off).code(), StatusCode::kInvalidArgument) << std::hex << off;
  }
}

TEST_F(FlipProperty, WrongSizesAreRefusedAtParse) {
  Bytes raw(report_.raw.begin(), report_.raw.end());
  for (std::size_t n : {std::size_t{0}, snp::kReportSize - 1, snp::kReportSize + 1}) {
    Bytes b = raw;
    b.resize(n);
    auto v = verifier_.verify(ByteSpan(b), certs_, *clock_);
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(v.status().message(), ::testing::HasSubstr("SEV-SNP: attestation report must be 1184 bytes"));
  }
}

}  // namespace
}  // namespace mpcc::verifier
