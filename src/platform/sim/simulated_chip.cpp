#include "platform/sim/simulated_chip.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "crypto/random.h"
#include "platform/sim/chip_certificates.h"
#include "snp/vek_extensions.h"

namespace mpcc::platform::sim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxChipJson = 64 * 1024;
constexpr std::size_t kMaxPem = 64 * 1024;
constexpr const char* kWarning =
    "SIMULATED AMD secure processor: NOT GENUINE and INSECURE (private keys in files). "
    "Trust its ARK only where explicitly configured, for local testing.";

const fs::perms kSecretPerms = fs::perms::owner_read | fs::perms::owner_write;
const fs::perms kPublicPerms = kSecretPerms | fs::perms::group_read | fs::perms::others_read;

json tcb_json(const snp::TcbParts& t) {
  json j = {{"bl", t.boot_loader}, {"tee", t.tee}, {"snp", t.snp}, {"ucode", t.microcode}};
  if (t.fmc) j["fmc"] = *t.fmc;
  return j;
}

json config_json(const ChipConfig& c) {
  const CpuId cpu = product_cpuid(c.product);
  return {{"format", kChipFormat},
          {"simulated", true},
          {"warning", kWarning},
          {"product", snp::product_name(c.product)},
          {"product_name", c.product_name},
          {"chip_id", hex_encode(ByteSpan(c.chip_id->data(), c.chip_id->size()))},
          {"tcb", tcb_json(c.tcb)},
          {"tcbm", snp::TcbVersion::from_parts(c.product, c.tcb).tcbm()},
          {"report_version", c.report_version},
          {"firmware",
           {{"major", c.firmware.major}, {"minor", c.firmware.minor}, {"build", c.firmware.build}}},
          {"platform_info", c.platform_info},
          {"cpuid", {{"family", cpu.family}, {"model", cpu.model}, {"stepping", cpu.stepping}}},
          {"not_before", c.not_before}};
}

StatusOr<ChipConfig> config_from_json(const std::string& text) {
  try {
    const json j = json::parse(text);
    if (j.at("format").get<std::string>() != kChipFormat) {
      return data_loss("simulated chip: chip.json has an unknown format");
    }
    ChipConfig c;
    c.product = snp::product_from_name(j.at("product").get<std::string>());
    c.product_name = j.at("product_name").get<std::string>();
    MPCC_ASSIGN_OR_RETURN(Bytes id, hex_decode(j.at("chip_id").get<std::string>()));
    if (id.size() != 64) return data_loss("simulated chip: chip_id is not 64 bytes");
    ChipId chip_id;
    std::copy(id.begin(), id.end(), chip_id.begin());
    c.chip_id = chip_id;
    const json& t = j.at("tcb");
    c.tcb.boot_loader = t.at("bl").get<uint8_t>();
    c.tcb.tee = t.at("tee").get<uint8_t>();
    c.tcb.snp = t.at("snp").get<uint8_t>();
    c.tcb.microcode = t.at("ucode").get<uint8_t>();
    if (t.contains("fmc")) c.tcb.fmc = t.at("fmc").get<uint8_t>();
    c.report_version = j.at("report_version").get<uint32_t>();
    const json& fw = j.at("firmware");
    c.firmware.major = fw.at("major").get<uint8_t>();
    c.firmware.minor = fw.at("minor").get<uint8_t>();
    c.firmware.build = fw.at("build").get<uint8_t>();
    c.platform_info = j.at("platform_info").get<uint64_t>();
    c.not_before = j.at("not_before").get<UnixSeconds>();
    MPCC_RETURN_IF_ERROR(validate(c).with_context("simulated chip: chip.json"));
    return c;
  } catch (const json::exception& e) {
    return data_loss(std::string("simulated chip: chip.json is malformed: ") + e.what());
  }
}

StatusOr<crypto::PrivateKey> load_key(const fs::path& path) {
  std::error_code ec;
  const fs::perms p = fs::status(path, ec).permissions();
  if (!ec && (p & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
    spdlog::warn("simulated chip: {} is readable by group or others; it should be 0600",
                 path.string());
  }
  MPCC_ASSIGN_OR_RETURN(Bytes pem, read_file(path, kMaxPem));
  auto key = crypto::PrivateKey::from_pem(to_string(pem));
  secure_wipe(pem.data(), pem.size());
  if (!key.ok()) return data_loss("simulated chip: " + path.string() + ": " + key.status().message());
  return key;
}

StatusOr<crypto::Certificate> load_cert(const fs::path& path) {
  MPCC_ASSIGN_OR_RETURN(std::string pem, read_text_file(path, kMaxPem));
  auto cert = crypto::Certificate::from_pem(pem);
  if (!cert.ok()) return data_loss("simulated chip: " + path.string() + ": " + cert.status().message());
  return cert;
}

json cert_json(const crypto::Certificate& c) {
  return {{"subject", c.subject()},
          {"issuer", c.issuer()},
          {"not_before", format_rfc3339(c.not_before())},
          {"not_after", format_rfc3339(c.not_after())},
          {"sha256_fingerprint", hex_encode(c.sha256_fingerprint())},
          {"spki_sha256", hex_encode(c.public_key_spki_sha256())}};
}

}  // namespace

SimulatedChip::SimulatedChip(ChipConfig config, crypto::PrivateKey ark_key,
                             crypto::PrivateKey ask_key, crypto::PrivateKey vcek_key,
                             crypto::Certificate ark, crypto::Certificate ask,
                             crypto::Certificate vcek)
    : config_(std::move(config)),
      ark_key_(std::move(ark_key)),
      ask_key_(std::move(ask_key)),
      vcek_key_(std::move(vcek_key)),
      ark_cert_(std::move(ark)),
      ask_cert_(std::move(ask)),
      vcek_cert_(std::move(vcek)) {}

snp::TcbVersion SimulatedChip::tcb() const {
  return snp::TcbVersion::from_parts(config_.product, config_.tcb);
}

StatusOr<SimulatedChip> SimulatedChip::create(const ChipConfig& requested) {
  MPCC_RETURN_IF_ERROR(validate(requested));
  ChipConfig config = requested;
  if (config.product_name.empty()) config.product_name = default_product_name(config.product);
  if (config.product == snp::Product::kTurin && !config.tcb.fmc) config.tcb.fmc = 0;
  if (!config.chip_id) {
    ChipId id{};
    Bytes random = crypto::random_bytes(hwid_size(config.product));
    std::copy(random.begin(), random.end(), id.begin());
    config.chip_id = id;
  } else if (config.product == snp::Product::kTurin) {
    for (std::size_t i = hwid_size(config.product); i < config.chip_id->size(); ++i) {
      if ((*config.chip_id)[i] != 0) {
        return invalid_argument("simulated chip: a Turin CHIP_ID has only 8 significant bytes");
      }
    }
  }
  if (config.not_before == 0) config.not_before = system_clock()->now() - 24 * 3600;

  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey ark_key, crypto::PrivateKey::generate_rsa(4096));
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey ask_key, crypto::PrivateKey::generate_rsa(4096));
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey vcek_key,
                        crypto::PrivateKey::generate_ec(crypto::Curve::kP384));
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate ark,
                        issue_ark(config.product, ark_key, config.not_before));
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate ask, issue_ask(config.product, ask_key.public_key(),
                                                           ark_key, ark, config.not_before));
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate vcek, issue_vcek(config, vcek_key.public_key(),
                                                             ask_key, ask, config.not_before));
  SimulatedChip chip(std::move(config), std::move(ark_key), std::move(ask_key),
                     std::move(vcek_key), std::move(ark), std::move(ask), std::move(vcek));
  MPCC_RETURN_IF_ERROR(chip.check_consistency().with_context("simulated chip: created"));
  return chip;
}

bool SimulatedChip::exists(const fs::path& state_dir) {
  std::error_code ec;
  for (const char* name : {kChipFile, "ark.key", "ask.key", "vcek.key"}) {
    if (fs::exists(state_dir / name, ec)) return true;
  }
  return false;
}

Status SimulatedChip::save(const fs::path& dir, bool overwrite) const {
  if (!overwrite && exists(dir)) {
    return already_exists("a simulated chip already exists in " + dir.string() +
                          " (use --force to replace it)");
  }
  std::error_code ec;
  const bool created = fs::create_directories(dir, ec);
  if (ec) return unavailable("cannot create " + dir.string() + ": " + ec.message());
  if (created) {
    fs::permissions(dir, fs::perms::owner_all, ec);
    if (ec) return unavailable("cannot set permissions on " + dir.string() + ": " + ec.message());
  } else if ((fs::status(dir, ec).permissions() & (fs::perms::group_all | fs::perms::others_all)) !=
             fs::perms::none) {
    // Not ours to chmod (it could be /tmp); the key files are 0600 regardless.
    spdlog::warn("simulated chip: {} is accessible to group or others; prefer a 0700 directory",
                 dir.string());
  }
  // chip.json goes last and first goes away: a half-written chip never loads.
  fs::remove(dir / kChipFile, ec);

  const std::pair<const char*, const crypto::PrivateKey*> keys[] = {
      {"ark.key", &ark_key_}, {"ask.key", &ask_key_}, {"vcek.key", &vcek_key_}};
  for (const auto& [name, key] : keys) {
    SecureBytes pem = key->to_pkcs8_pem();
    MPCC_RETURN_IF_ERROR(write_file_atomic(dir / name, pem, kSecretPerms));
  }
  const std::pair<const char*, const crypto::Certificate*> certs[] = {
      {"ark.pem", &ark_cert_}, {"ask.pem", &ask_cert_}, {"vcek.pem", &vcek_cert_}};
  for (const auto& [name, cert] : certs) {
    MPCC_RETURN_IF_ERROR(write_file_atomic(dir / name, as_span(cert->pem()), kPublicPerms));
  }
  const std::string text = config_json(config_).dump(2) + "\n";
  return write_file_atomic(dir / kChipFile, as_span(text), kPublicPerms);
}

StatusOr<SimulatedChip> SimulatedChip::load(const fs::path& dir) {
  auto text = read_text_file(dir / kChipFile, kMaxChipJson);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return not_found("no simulated chip in " + dir.string() + " (run `mpcc psp init`)");
    }
    return text.status();
  }
  MPCC_ASSIGN_OR_RETURN(ChipConfig config, config_from_json(*text));
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey ark_key, load_key(dir / "ark.key"));
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey ask_key, load_key(dir / "ask.key"));
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey vcek_key, load_key(dir / "vcek.key"));
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate ark, load_cert(dir / "ark.pem"));
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate ask, load_cert(dir / "ask.pem"));
  MPCC_ASSIGN_OR_RETURN(crypto::Certificate vcek, load_cert(dir / "vcek.pem"));
  SimulatedChip chip(std::move(config), std::move(ark_key), std::move(ask_key),
                     std::move(vcek_key), std::move(ark), std::move(ask), std::move(vcek));
  MPCC_RETURN_IF_ERROR(chip.check_consistency());
  return chip;
}

Status SimulatedChip::check_consistency() const {
  auto fail = [](const std::string& what) {
    return data_loss("simulated chip: inconsistent state: " + what);
  };
  if (!ark_cert_.public_key().equals(ark_key_.public_key())) return fail("ark.pem does not match ark.key");
  if (!ask_cert_.public_key().equals(ask_key_.public_key())) return fail("ask.pem does not match ask.key");
  if (!vcek_cert_.public_key().equals(vcek_key_.public_key())) {
    return fail("vcek.pem does not match vcek.key");
  }
  if (vcek_key_.curve() != crypto::Curve::kP384) return fail("the VCEK key is not EC P-384");
  if (!ark_cert_.is_self_signed()) return fail("the ARK is not self-signed");
  if (!ask_cert_.verify_signed_by(ark_cert_).ok()) return fail("the ASK is not signed by the ARK");
  if (!vcek_cert_.verify_signed_by(ask_cert_).ok()) return fail("the VCEK is not signed by the ASK");
  auto ext = snp::decode_vek_extensions(vcek_cert_);
  if (!ext.ok()) return fail(ext.status().message());
  const Bytes expected_hwid(chip_id().begin(), chip_id().begin() + hwid_size(product()));
  if (ext->hw_id != expected_hwid) return fail("the VCEK hwID is not the CHIP_ID");
  const snp::TcbParts& t = config_.tcb;
  const snp::TcbParts e = ext->tcb_parts();
  if (e.boot_loader != t.boot_loader || e.tee != t.tee || e.snp != t.snp ||
      e.microcode != t.microcode || e.fmc != t.fmc) {
    return fail("the VCEK SPLs are not the chip's TCB");
  }
  if (ext->product_name != config_.product_name) return fail("the VCEK productName differs");
  return ok_status();
}

json SimulatedChip::describe() const {
  json j = config_json(config_);
  j["certificates"] = {{"ark", cert_json(ark_cert_)},
                       {"ask", cert_json(ask_cert_)},
                       {"vcek", cert_json(vcek_cert_)}};
  return j;
}

}  // namespace mpcc::platform::sim
