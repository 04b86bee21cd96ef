#include "platform/sim/chip_certificates.h"

#include "snp/vek_extensions.h"

namespace mpcc::platform::sim {

namespace {

constexpr UnixSeconds kYear = 365 * 24 * 3600;

// AMD's name order (OU, C, L, ST, O, CN) with our organization and CN.
std::vector<std::pair<std::string, std::string>> simulated_name(std::string common_name) {
  return {{"OU", "Engineering"},
          {"C", "US"},
          {"L", "Santa Clara"},
          {"ST", "CA"},
          {"O", kSimulatedOrganization},
          {"CN", std::move(common_name)}};
}

std::string product_word(snp::Product product) { return std::string(snp::product_name(product)); }

}  // namespace

std::string ark_common_name(snp::Product product) {
  return "ARK-" + product_word(product) + kSimulatedMarker;
}
std::string ask_common_name(snp::Product product) {
  return "SEV-" + product_word(product) + kSimulatedMarker;
}
std::string vcek_common_name() { return std::string("SEV-VCEK") + kSimulatedMarker; }

StatusOr<crypto::Certificate> issue_ark(snp::Product product, const crypto::PrivateKey& ark_key,
                                        UnixSeconds not_before) {
  crypto::CertificateSpec spec;
  spec.subject = simulated_name(ark_common_name(product));
  spec.serial = {0x01, 0x00, 0x00};
  spec.not_before = not_before;
  spec.not_after = not_before + 25 * kYear;
  spec.is_ca = true;
  spec.key_cert_sign = true;
  return crypto::issue_certificate(spec, ark_key.public_key(), ark_key, std::nullopt,
                                   crypto::CertSignature::kRsaPssSha384);
}

StatusOr<crypto::Certificate> issue_ask(snp::Product product, const crypto::PublicKey& ask_public,
                                        const crypto::PrivateKey& ark_key,
                                        const crypto::Certificate& ark, UnixSeconds not_before) {
  crypto::CertificateSpec spec;
  spec.subject = simulated_name(ask_common_name(product));
  spec.serial = {0x01, 0x00, 0x01};
  spec.not_before = not_before;
  spec.not_after = not_before + 25 * kYear;
  spec.is_ca = true;
  spec.path_len = 0;
  spec.key_cert_sign = true;
  return crypto::issue_certificate(spec, ask_public, ark_key, ark,
                                   crypto::CertSignature::kRsaPssSha384);
}

StatusOr<crypto::Certificate> issue_vcek(const ChipConfig& config,
                                         const crypto::PublicKey& vcek_public,
                                         const crypto::PrivateKey& ask_key,
                                         const crypto::Certificate& ask, UnixSeconds not_before) {
  if (!config.chip_id) throw std::logic_error("issue_vcek: chip_id not set");
  crypto::CertificateSpec spec;
  spec.subject = simulated_name(vcek_common_name());
  spec.serial = {};  // 0, as on AMD's VCEKs
  spec.not_before = not_before;
  spec.not_after = not_before + 7 * kYear;
  const std::string name =
      config.product_name.empty() ? default_product_name(config.product) : config.product_name;
  spec.extensions = snp::make_vcek_extensions(
      config.product, name, config.tcb,
      ByteSpan(config.chip_id->data(), hwid_size(config.product)));
  return crypto::issue_certificate(spec, vcek_public, ask_key, ask,
                                   crypto::CertSignature::kRsaPssSha384);
}

}  // namespace mpcc::platform::sim
