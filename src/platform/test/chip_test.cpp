#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "crypto/keys.h"
#include "platform/sim/chip_certificates.h"
#include "platform/sim/simulated_chip.h"
#include "platform/sim/thim.h"
#include "snp/vek_extensions.h"
#include "platform/test/test_support.h"

namespace mpcc::platform::sim {
namespace {

namespace fs = std::filesystem;
using testing::shared_test_chip;
using testing::TempDir;

fs::perms mode_of(const fs::path& p) { return fs::status(p).permissions() & fs::perms::mask; }

TEST(SimulatedChip, CreateSaveAndReloadKeepsKeysAndCertificates) {
  ChipConfig config;
  config.tcb = {std::nullopt, 2, 1, 7, 200};
  auto created = SimulatedChip::create(config);
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  TempDir tmp;
  const fs::path dir = tmp.path() / "chip";
  ASSERT_TRUE(created->save(dir, false).ok());

  for (const char* key : {"ark.key", "ask.key", "vcek.key"}) {
    EXPECT_EQ(mode_of(dir / key), fs::perms::owner_read | fs::perms::owner_write) << key;
    auto text = read_text_file(dir / key);
    ASSERT_TRUE(text.ok());
    EXPECT_NE(text->find("-----BEGIN PRIVATE KEY-----"), std::string::npos) << key;  // PKCS#8
  }
  EXPECT_EQ(mode_of(dir), fs::perms::owner_all);

  auto loaded = SimulatedChip::load(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->ark(), created->ark());
  EXPECT_EQ(loaded->ask(), created->ask());
  EXPECT_EQ(loaded->vcek(), created->vcek());
  EXPECT_TRUE(loaded->vcek_key().public_key().equals(created->vcek_key().public_key()));
  EXPECT_EQ(loaded->chip_id(), created->chip_id());
  EXPECT_EQ(loaded->tcb(), created->tcb());
  EXPECT_EQ(loaded->product_name(), "Milan-B0");
  EXPECT_EQ(loaded->config().report_version, 3u);
  EXPECT_EQ(loaded->tcb().tcbm(), "c807000000000102");
}

TEST(SimulatedChip, SaveRefusesToOverwriteUnlessForced) {
  auto chip = shared_test_chip();
  TempDir tmp;
  ASSERT_TRUE(chip->save(tmp.path(), false).ok());
  Status again = chip->save(tmp.path(), false);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find("--force"), std::string::npos);
  EXPECT_TRUE(chip->save(tmp.path(), true).ok());
}

TEST(SimulatedChip, LoadOfEmptyDirectoryIsNotFound) {
  TempDir tmp;
  auto loaded = SimulatedChip::load(tmp.path());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_NE(loaded.status().message().find("mpcc psp init"), std::string::npos);
}

TEST(SimulatedChip, LoadDetectsCertificateNotMatchingKey) {
  auto chip = shared_test_chip();
  TempDir tmp;
  ASSERT_TRUE(chip->save(tmp.path(), false).ok());
  fs::copy_file(tmp.path() / "ask.pem", tmp.path() / "vcek.pem",
                fs::copy_options::overwrite_existing);
  auto loaded = SimulatedChip::load(tmp.path());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(loaded.status().message().find("vcek.pem does not match vcek.key"), std::string::npos);
}

TEST(SimulatedChip, LoadDetectsEditedTcb) {
  auto chip = shared_test_chip();
  TempDir tmp;
  ASSERT_TRUE(chip->save(tmp.path(), false).ok());
  auto text = read_text_file(tmp.path() / kChipFile);
  ASSERT_TRUE(text.ok());
  nlohmann::json j = nlohmann::json::parse(*text);
  j["tcb"]["snp"] = 99;
  ASSERT_TRUE(write_file_atomic(tmp.path() / kChipFile, as_span(j.dump())).ok());
  auto loaded = SimulatedChip::load(tmp.path());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(loaded.status().message().find("SPLs"), std::string::npos);
}

TEST(SimulatedChip, ChainVerifiesLikeAmds) {
  auto chip = shared_test_chip();
  EXPECT_TRUE(chip->ark().is_self_signed());
  EXPECT_TRUE(chip->ask().verify_signed_by(chip->ark()).ok());
  EXPECT_TRUE(chip->vcek().verify_signed_by(chip->ask()).ok());
  EXPECT_FALSE(chip->vcek().verify_signed_by(chip->ark()).ok());

  EXPECT_EQ(chip->ark().public_key().type(), crypto::KeyType::kRsa);
  EXPECT_EQ(chip->ark().public_key().bits(), 4096u);
  EXPECT_EQ(chip->ask().public_key().bits(), 4096u);
  EXPECT_EQ(chip->vcek().public_key().curve(), crypto::Curve::kP384);
  for (const auto* c : {&chip->ark(), &chip->ask(), &chip->vcek()}) {
    EXPECT_NE(c->signature_algorithm().find("PSS"), std::string::npos) << c->signature_algorithm();
    EXPECT_NE(c->subject().find("NOT GENUINE"), std::string::npos) << c->subject();
    EXPECT_NE(c->subject_common_name().find("SIMULATED"), std::string::npos);
  }
  EXPECT_EQ(chip->ark().subject_common_name(), "ARK-Milan (mpcc SIMULATED, INSECURE)");
  EXPECT_EQ(chip->ask().subject_common_name(), "SEV-Milan (mpcc SIMULATED, INSECURE)");
  EXPECT_EQ(chip->vcek().subject_common_name(), "SEV-VCEK (mpcc SIMULATED, INSECURE)");
  EXPECT_TRUE(chip->ark().is_ca());
  EXPECT_TRUE(chip->ask().is_ca());
  EXPECT_FALSE(chip->vcek().is_ca());
  EXPECT_TRUE(chip->vcek().serial().empty());  // serial 0, like AMD's VCEKs
  ASSERT_EQ(chip->chain().size(), 3u);
  EXPECT_EQ(chip->chain()[0], chip->vcek());
  EXPECT_EQ(chip->chain()[2], chip->ark());
}

TEST(VcekExtensions, DecodeToTheChipsTcbAndChipId) {
  auto chip = shared_test_chip();
  auto ext = snp::decode_vek_extensions(chip->vcek());
  ASSERT_TRUE(ext.ok()) << ext.status().to_string();
  EXPECT_EQ(ext->struct_version, 0u);
  EXPECT_EQ(ext->product_name, "Milan-B0");
  EXPECT_EQ(ext->bl_spl, 3);
  EXPECT_EQ(ext->tee_spl, 0);
  EXPECT_EQ(ext->snp_spl, 8);
  EXPECT_EQ(ext->ucode_spl, 115);
  EXPECT_FALSE(ext->fmc_spl.has_value());
  EXPECT_EQ(ext->hw_id, Bytes(chip->chip_id().begin(), chip->chip_id().end()));
  // AMD's exact encodings.
  EXPECT_EQ(*chip->vcek().extension_value(snp::oid::kUcodeSpl), (Bytes{0x02, 0x01, 0x73}));
  EXPECT_EQ(*chip->vcek().extension_value("1.3.6.1.4.1.3704.1.3.4"), (Bytes{0x02, 0x01, 0x00}));
  EXPECT_EQ(chip->vcek().extension_value(snp::oid::kHwId)->size(), 64u);
  EXPECT_FALSE(chip->vcek().extension_value(snp::oid::kFmcSpl).has_value());
}

TEST(VcekExtensions, TurinLayoutHasFmcAndEightByteHwId) {
  // A quick RSA-2048 stand-in for the ASK: only the VCEK's shape is tested.
  auto issuer_key = crypto::PrivateKey::generate_rsa(2048);
  ASSERT_TRUE(issuer_key.ok());
  auto issuer = issue_ark(snp::Product::kTurin, *issuer_key, 1700000000);
  ASSERT_TRUE(issuer.ok()) << issuer.status().to_string();
  auto vcek_key = crypto::PrivateKey::generate_ec(crypto::Curve::kP384);
  ASSERT_TRUE(vcek_key.ok());
  ChipConfig config;
  config.product = snp::Product::kTurin;
  config.product_name = "Turin";
  config.tcb = {uint8_t{4}, 5, 6, 7, 8};
  ChipId id{};
  for (std::size_t i = 0; i < 8; ++i) id[i] = static_cast<uint8_t>(0xA0 + i);
  config.chip_id = id;
  auto vcek = issue_vcek(config, vcek_key->public_key(), *issuer_key, *issuer, 1700000000);
  ASSERT_TRUE(vcek.ok()) << vcek.status().to_string();
  auto ext = snp::decode_vek_extensions(*vcek);
  ASSERT_TRUE(ext.ok()) << ext.status().to_string();
  EXPECT_EQ(ext->struct_version, 1u);
  EXPECT_EQ(ext->product_name, "Turin");
  ASSERT_TRUE(ext->fmc_spl.has_value());
  EXPECT_EQ(*ext->fmc_spl, 4);
  EXPECT_EQ(ext->bl_spl, 5);
  EXPECT_EQ(ext->ucode_spl, 8);
  EXPECT_EQ(ext->hw_id, Bytes(id.begin(), id.begin() + 8));
  EXPECT_FALSE(vcek->extension_value("1.3.6.1.4.1.3704.1.3.4").has_value());
  EXPECT_TRUE(vcek->extension_value("1.3.6.1.4.1.3704.1.3.5").has_value());
}

TEST(ChipConfig, ParsesTcbSpec) {
  auto parts = parse_tcb_spec("ucode=115,bl=3,snp=8,tee=0", snp::Product::kMilan);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->boot_loader, 3);
  EXPECT_EQ(parts->microcode, 115);
  EXPECT_FALSE(parts->fmc.has_value());
  EXPECT_EQ(format_tcb_spec(*parts), "bl=3,tee=0,snp=8,ucode=115");

  auto turin = parse_tcb_spec("bl=1,tee=2,snp=3,ucode=4", snp::Product::kTurin);
  ASSERT_TRUE(turin.ok());
  EXPECT_EQ(turin->fmc, uint8_t{0});

  EXPECT_EQ(parse_tcb_spec("bl=3,tee=0,snp=8", snp::Product::kMilan).status().message(),
            "TCB spec: missing 'ucode'");
  EXPECT_FALSE(parse_tcb_spec("bl=3,tee=0,snp=8,ucode=256", snp::Product::kMilan).ok());
  EXPECT_FALSE(parse_tcb_spec("bl=3,tee=0,snp=8,ucode=1,bl=2", snp::Product::kMilan).ok());
  EXPECT_FALSE(parse_tcb_spec("bl=3,tee=0,snp=8,ucode=1,fmc=1", snp::Product::kMilan).ok());
  EXPECT_FALSE(parse_tcb_spec("bl=3,tee=0,snp=8,ucode=x", snp::Product::kMilan).ok());
  EXPECT_FALSE(parse_tcb_spec("bl=3,tee=0,snp=8,ucode=1,xyz=1", snp::Product::kMilan).ok());
  EXPECT_FALSE(parse_tcb_spec("", snp::Product::kMilan).ok());
}

TEST(ChipConfig, ValidateRefusesBadConfigs) {
  ChipConfig c;
  c.report_version = 4;
  EXPECT_EQ(validate(c).code(), StatusCode::kInvalidArgument);
  c = ChipConfig{};
  c.product = snp::Product::kUnknown;
  EXPECT_FALSE(validate(c).ok());
  c = ChipConfig{};
  c.product_name = "Genoa";
  EXPECT_FALSE(validate(c).ok());  // names another product
  c = ChipConfig{};
  c.tcb.fmc = 1;
  EXPECT_FALSE(validate(c).ok());  // fmc on Milan
  EXPECT_TRUE(validate(ChipConfig{}).ok());
  EXPECT_EQ(default_product_name(snp::Product::kGenoa), "Genoa");
  EXPECT_EQ(product_cpuid(snp::Product::kTurin).family, 0x1A);
}

TEST(Thim, CertificationJsonHasThimFields) {
  auto chip = shared_test_chip();
  nlohmann::json j = thim_certification(*chip);
  EXPECT_EQ(j.at("vcekCert").get<std::string>(), chip->vcek().pem());
  EXPECT_EQ(j.at("certificateChain").get<std::string>(), chip->ask().pem() + chip->ark().pem());
  EXPECT_EQ(j.at("tcbm").get<std::string>(), "7308000000000003");
  EXPECT_EQ(j.at("cacheControl").get<std::string>(), "86400");
  EXPECT_EQ(j.size(), 4u);
}

TEST(SimulatedChip, DescribeHasFingerprintsAndNoPrivateKeys) {
  auto chip = shared_test_chip();
  nlohmann::json j = chip->describe();
  EXPECT_TRUE(j.at("simulated").get<bool>());
  EXPECT_EQ(j.at("chip_id").get<std::string>(),
            hex_encode(ByteSpan(chip->chip_id().data(), chip->chip_id().size())));
  EXPECT_EQ(j.at("certificates").at("ark").at("spki_sha256").get<std::string>(),
            hex_encode(chip->ark().public_key_spki_sha256()));
  EXPECT_EQ(j.dump().find("PRIVATE"), std::string::npos);
}

}  // namespace
}  // namespace mpcc::platform::sim
