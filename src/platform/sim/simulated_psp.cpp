#include "platform/sim/simulated_psp.h"

#include <algorithm>

#include "crypto/signature.h"

namespace mpcc::platform::sim {

SimulatedPsp::SimulatedPsp(std::shared_ptr<const SimulatedChip> chip) : chip_(std::move(chip)) {
  if (!chip_) throw std::logic_error("SimulatedPsp: null chip");
}

StatusOr<snp::AttestationReport> SimulatedPsp::sign_report(
    const LaunchParams& params, std::span<const uint8_t, 64> report_data) const {
  MPCC_RETURN_IF_ERROR(validate(params));
  const ChipConfig& cfg = chip_->config();
  const snp::TcbVersion tcb = chip_->tcb();

  snp::AttestationReport r;
  r.version = cfg.report_version;
  r.guest_svn = params.guest_svn;
  r.policy = params.policy;
  r.family_id = params.family_id;
  r.image_id = params.image_id;
  r.vmpl = params.vmpl;
  r.signature_algo = snp::kSignatureAlgoEcdsaP384Sha384;
  r.current_tcb = tcb;
  r.platform_info = cfg.platform_info;
  r.key_info.signing_key = snp::SigningKey::kVcek;
  r.key_info.raw = 0;  // AUTHOR_KEY_EN 0, MASK_CHIP_KEY 0, SIGNING_KEY 0 (VCEK)
  std::copy(report_data.begin(), report_data.end(), r.report_data.begin());
  r.measurement = params.measurement;
  r.host_data = params.host_data;
  r.report_id = params.report_id;
  r.report_id_ma.fill(0xFF);  // no migration agent
  r.reported_tcb = tcb;
  if (cfg.report_version >= 3) {
    const CpuId cpu = chip_->cpuid();
    r.cpuid_fam_id = cpu.family;
    r.cpuid_mod_id = cpu.model;
    r.cpuid_step = cpu.stepping;
  }
  r.chip_id = chip_->chip_id();
  r.committed_tcb = tcb;
  r.current_build = r.committed_build = cfg.firmware.build;
  r.current_minor = r.committed_minor = cfg.firmware.minor;
  r.current_major = r.committed_major = cfg.firmware.major;
  r.launch_tcb = tcb;
  r.signature_r.fill(0);
  r.signature_s.fill(0);
  r.serialize();

  // Sign [0, 0x2A0); the signature field does not feed its own input.
  MPCC_ASSIGN_OR_RETURN(Bytes der, crypto::sign(chip_->vcek_key(),
                                                crypto::SignatureAlg::kEcdsaP384Sha384,
                                                r.signed_bytes()));
  MPCC_ASSIGN_OR_RETURN(Bytes rs, crypto::ecdsa_der_to_raw(der, 48));
  if (rs.size() != 96) return internal_error("simulated PSP: ECDSA P-384 signature is not 96 bytes");
  // AttestationReport keeps R and S big-endian; serialize() stores them
  // little-endian in the 72-byte fields.
  std::copy(rs.begin(), rs.begin() + 48, r.signature_r.begin());
  std::copy(rs.begin() + 48, rs.end(), r.signature_s.begin());
  r.serialize();
  return r;
}

StatusOr<Evidence> SimulatedPsp::evidence(const LaunchParams& params,
                                          std::span<const uint8_t, 64> report_data) const {
  MPCC_ASSIGN_OR_RETURN(snp::AttestationReport r, sign_report(params, report_data));
  Evidence e;
  e.format = EvidenceFormat::kSimSevSnpV1;
  e.report.assign(r.raw.begin(), r.raw.end());
  e.endorsements = chip_->chain();
  return e;
}

}  // namespace mpcc::platform::sim
