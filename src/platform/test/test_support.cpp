#include "platform/test/test_support.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>

#include "crypto/signature.h"
#include "platform/sim/chip_certificates.h"
#include "snp/report.h"

namespace mpcc::platform::testing {

namespace fs = std::filesystem;

namespace {

std::shared_ptr<const sim::SimulatedChip> load_or_create(snp::Product product) {
  const fs::path base = fs::path(MPCC_BINARY_DIR) / "testdata" / "platform";
  const fs::path dir = base / ("shared-chip-" + std::string(snp::product_name(product)));
  fs::create_directories(base);
  const fs::path lock_path = base / "shared-chip.lock";
  int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) throw std::runtime_error("cannot lock test chip");
  auto loaded = sim::SimulatedChip::load(dir);
  std::shared_ptr<const sim::SimulatedChip> result;
  // A chip cached by an older build with other names is regenerated.
  if (loaded.ok() && loaded->ark().subject_common_name() == sim::ark_common_name(product)) {
    result = std::make_shared<const sim::SimulatedChip>(std::move(loaded).value());
  } else {
    sim::ChipConfig config;
    config.product = product;
    auto created = sim::SimulatedChip::create(config);
    if (!created.ok()) throw std::runtime_error(created.status().to_string());
    Status saved = created->save(dir, /*overwrite=*/true);
    if (!saved.ok()) throw std::runtime_error(saved.to_string());
    result = std::make_shared<const sim::SimulatedChip>(std::move(created).value());
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return result;
}

}  // namespace

std::shared_ptr<const sim::SimulatedChip> shared_test_chip(snp::Product product) {
  static std::mutex mu;
  static std::map<snp::Product, std::shared_ptr<const sim::SimulatedChip>> chips;
  std::lock_guard lock(mu);
  auto& chip = chips[product];
  if (!chip) chip = load_or_create(product);
  return chip;
}

sim::LaunchParams test_launch_params() {
  sim::LaunchParams p;
  p.measurement.fill(0x11);
  p.host_data.fill(0x22);
  p.policy = sim::kDefaultGuestPolicy;
  p.vmpl = 0;
  p.report_id.fill(0x33);
  return p;
}

std::array<uint8_t, 64> test_report_data(uint8_t seed) {
  std::array<uint8_t, 64> d;
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(seed + i);
  return d;
}

Status verify_report_signature(std::span<const uint8_t> report, const crypto::Certificate& vcek) {
  if (report.size() != snp::kReportSize) return invalid_argument("report size");
  const uint8_t* sig = report.data() + snp::kSignatureOffset;
  // Only the low 48 bytes of each 72-byte little-endian component may be set.
  for (std::size_t i = 48; i < 72; ++i) {
    if (sig[i] != 0 || sig[72 + i] != 0) return invalid_argument("high signature bytes set");
  }
  for (std::size_t i = 144; i < snp::kSignatureFieldSize; ++i) {
    if (sig[i] != 0) return invalid_argument("signature field tail not zero");
  }
  Bytes rs(96);
  std::reverse_copy(sig, sig + 48, rs.begin());
  std::reverse_copy(sig + 72, sig + 120, rs.begin() + 48);
  MPCC_ASSIGN_OR_RETURN(Bytes der, crypto::ecdsa_raw_to_der(rs));
  return crypto::verify(vcek.public_key(), crypto::SignatureAlg::kEcdsaP384Sha384,
                        report.first(snp::kSignedSize), der);
}

}  // namespace mpcc::platform::testing
