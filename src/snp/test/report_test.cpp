#include "snp/report.h"

#include <gtest/gtest.h>

#include "common/file_io.h"
#include "snp/policy.h"
#include "snp/report_input.h"
#include "snp/report_json.h"

namespace mpcc::snp {
namespace {

std::string vec(const std::string& rel) { return std::string(MPCC_VECTORS_DIR) + "/" + rel; }

AttestationReport load(const std::string& rel) {
  auto bytes = read_file(vec(rel));
  EXPECT_TRUE(bytes.ok()) << bytes.status().to_string();
  auto r = AttestationReport::parse(*bytes);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return *r;
}

TEST(AttestationReport, ParsesProductionAciReportV2) {
  AttestationReport r = load("snp/confidential-sidecar-containers/snp_report.bin");
  EXPECT_EQ(r.version, 2u);
  EXPECT_EQ(r.guest_svn, 2u);
  EXPECT_EQ(r.policy, 0x3001fu);
  EXPECT_EQ(r.vmpl, 0u);
  EXPECT_EQ(r.signature_algo, 1u);
  EXPECT_EQ(r.platform_info, 0x1u);
  EXPECT_EQ(r.key_info.signing_key, SigningKey::kVcek);
  EXPECT_EQ(r.current_tcb.tcbm(), "7308000000000003");
  EXPECT_EQ(r.reported_tcb.tcbm(), "7308000000000003");
  EXPECT_EQ(hex_encode(r.host_data), "cadd74f71ebb8fbf9782baab649612520f3c416bc5ce9ac768808ddc8d9b031c");
  EXPECT_EQ(hex_encode(r.family_id), "01000000000000000000000000000000");
  EXPECT_EQ(r.current_major, 1);
  EXPECT_EQ(r.current_minor, 52);
  EXPECT_EQ(r.current_build, 4);
  for (uint8_t b : r.report_id_ma) EXPECT_EQ(b, 0xff);
  EXPECT_EQ(r.cpuid_fam_id, 0);  // v2: reserved
  EXPECT_FALSE(r.chip_id_is_zero());
}

TEST(AttestationReport, ParsesV3VlekAndV5) {
  AttestationReport vlek = load("snp/trustee/snp/test-vlek-report.bin");
  EXPECT_EQ(vlek.version, 3u);
  EXPECT_EQ(vlek.vmpl, 1u);
  EXPECT_EQ(vlek.key_info.signing_key, SigningKey::kVlek);
  EXPECT_TRUE(vlek.chip_id_is_zero());
  EXPECT_EQ(vlek.cpuid_fam_id, 0x19);
  EXPECT_EQ(vlek.cpuid_mod_id, 0x01);
  EXPECT_EQ(vlek.cpuid_step, 0x01);
  EXPECT_EQ(vlek.reported_tcb.tcbm(), "d918000000000004");
  EXPECT_EQ(vlek.current_tcb.tcbm(), "dc18000000000004");

  AttestationReport v5 = load("snp/teekit/sev-gcp.bin");
  EXPECT_EQ(v5.version, 5u);
  EXPECT_EQ(v5.launch_mit_vector, 0xbu);
  EXPECT_EQ(v5.current_mit_vector, 0xbu);
  EXPECT_EQ(v5.platform_info, 0x25u);
}

TEST(AttestationReport, RejectsWrongSizeBeforeReadingAnything) {
  Bytes short_report(kReportSize - 1, 0);
  auto r = AttestationReport::parse(short_report);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("got 1183"), std::string::npos);
  EXPECT_FALSE(AttestationReport::parse(Bytes{}).ok());
  EXPECT_FALSE(AttestationReport::parse(Bytes(kReportSize + 1, 0)).ok());
}

TEST(AttestationReport, RejectsNonZeroHighSignatureBytes) {
  Bytes bytes = *read_file(vec("snp/go-sev-guest/attestation.bin"));
  Bytes r_high = bytes;
  r_high[kSignatureOffset + 50] = 1;
  EXPECT_NE(AttestationReport::parse(r_high).status().message().find("signature R"), std::string::npos);
  Bytes s_high = bytes;
  s_high[kSignatureOffset + kSignatureComponentSize + 71] = 1;
  EXPECT_NE(AttestationReport::parse(s_high).status().message().find("signature S"), std::string::npos);
  Bytes tail = bytes;
  tail[kReportSize - 1] = 1;
  EXPECT_NE(AttestationReport::parse(tail).status().message().find("reserved"), std::string::npos);
}

TEST(AttestationReport, SignatureIsConvertedFromLittleEndian) {
  Bytes bytes = *read_file(vec("snp/go-sev-guest/attestation.bin"));
  AttestationReport r = *AttestationReport::parse(bytes);
  EXPECT_EQ(r.signature_r[47], bytes[kSignatureOffset]);
  EXPECT_EQ(r.signature_r[0], bytes[kSignatureOffset + 47]);
  EXPECT_EQ(r.signature_s[47], bytes[kSignatureOffset + kSignatureComponentSize]);
  EXPECT_EQ(r.signature_raw().size(), 96u);
}

TEST(AttestationReport, SerializeRoundTripsEveryVersion) {
  for (const char* rel : {"snp/go-sev-guest/attestation.bin", "snp/trustee/snp/test-vlek-report.bin",
                          "snp/teekit/sev-gcp.bin", "snp/trustee/derived/az-evidence-genoa.report.bin"}) {
    Bytes bytes = *read_file(vec(rel));
    AttestationReport r = *AttestationReport::parse(bytes);
    auto out = r.serialize();
    EXPECT_EQ(Bytes(out.begin(), out.end()), bytes) << rel;
  }
}

TEST(AttestationReport, SerializeWritesFieldsAtSpecOffsets) {
  AttestationReport r;
  r.version = 3;
  r.vmpl = 2;
  r.policy = 0x30000;
  r.host_data[0] = 0xab;
  r.measurement[47] = 0xcd;
  r.key_info.signing_key = SigningKey::kVlek;
  r.cpuid_fam_id = 0x19;
  auto b = r.serialize();
  EXPECT_EQ(b[offset::kVersion], 3);
  EXPECT_EQ(b[offset::kVmpl], 2);
  EXPECT_EQ(b[offset::kPolicy + 2], 0x03);
  EXPECT_EQ(b[offset::kHostData], 0xab);
  EXPECT_EQ(b[offset::kMeasurement + 47], 0xcd);
  EXPECT_EQ(b[offset::kKeyInfo], 1 << 2);
  EXPECT_EQ(b[offset::kCpuidFamId], 0x19);
}

TEST(ReportInput, DetectsRawHexAndHcl) {
  auto raw = load_report(*read_file(vec("snp/go-sev-guest/attestation.bin")));
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->encoding, ReportEncoding::kRaw);

  auto hex = load_report(*read_file(vec("snp/virtee-sev/report_milan.hex")));
  ASSERT_TRUE(hex.ok()) << hex.status().to_string();
  EXPECT_EQ(hex->encoding, ReportEncoding::kHex);
  EXPECT_EQ(Bytes(hex->report.raw.begin(), hex->report.raw.end()),
            *read_file(vec("snp/virtee-sev/derived/report_milan.bin")));

  auto hcl = load_report(*read_file(vec("snp/trustee/az-snp-vtpm/hcl-report.bin")));
  ASSERT_TRUE(hcl.ok()) << hcl.status().to_string();
  EXPECT_EQ(hcl->encoding, ReportEncoding::kHcl);
  ASSERT_TRUE(hcl->hcl.has_value());
  EXPECT_EQ(Bytes(hcl->report.raw.begin(), hcl->report.raw.end()),
            *read_file(vec("snp/trustee/derived/az-hcl-report.report.bin")));
}

TEST(ReportInput, RejectsOtherShapesWithAReason) {
  auto wrong = load_report(*read_file(vec("snp/constellation/snp/attestation.bin")));  // 1204 bytes
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("1204 bytes"), std::string::npos);
  EXPECT_FALSE(load_report(as_span("not a report")).ok());
  EXPECT_FALSE(load_report(as_span("abc")).ok());  // odd hex
  EXPECT_FALSE(load_report(Bytes{}).ok());
}

TEST(ReportJson, NamesEveryField) {
  AttestationReport r = load("snp/teekit/sev-gcp.bin");
  nlohmann::json j = report_to_json(r);
  EXPECT_EQ(j["version"], 5);
  EXPECT_EQ(j["reported_tcb"]["snp"], 27);
  EXPECT_EQ(j["reported_tcb"]["microcode"], 222);
  EXPECT_EQ(j["reported_tcb"]["boot_loader"], 4);
  EXPECT_EQ(j["policy"]["debug_allowed"], false);
  EXPECT_EQ(j["launch_mit_vector"], 0xb);
  EXPECT_EQ(j["measurement"].get<std::string>().size(), 96u);
  EXPECT_EQ(j["product_layout"], "Milan");
  EXPECT_EQ(j["key_info"]["signing_key"], "VCEK");
}

TEST(GuestPolicy, DecodesBits) {
  GuestPolicy p{0x3001f};
  EXPECT_EQ(p.abi_minor(), 0x1f);
  EXPECT_EQ(p.abi_major(), 0);
  EXPECT_TRUE(p.smt_allowed());
  EXPECT_TRUE(p.reserved_bit17());
  EXPECT_FALSE(p.debug_allowed());
  EXPECT_FALSE(p.migrate_ma_allowed());
  EXPECT_TRUE(p.reserved_bits_zero());
  EXPECT_TRUE(GuestPolicy{0x3001f | (1ull << 19)}.debug_allowed());
  EXPECT_FALSE(GuestPolicy{1ull << 40}.reserved_bits_zero());
}

}  // namespace
}  // namespace mpcc::snp
