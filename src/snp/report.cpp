#include "snp/report.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "snp/internal/little_endian.h"

namespace mpcc::snp {

namespace {

uint32_t load_u32(ByteSpan d, std::size_t off) { return internal::load_le<uint32_t>(d, off); }
uint64_t load_u64(ByteSpan d, std::size_t off) { return internal::load_le<uint64_t>(d, off); }
void store_u32(uint8_t* d, uint32_t v) { internal::store_le(d, v); }
void store_u64(uint8_t* d, uint64_t v) { internal::store_le(d, v); }

template <std::size_t N>
void load_array(std::array<uint8_t, N>& out, ByteSpan d, std::size_t off) {
  std::memcpy(out.data(), d.data() + off, N);
}

template <std::size_t N>
void store_array(uint8_t* base, std::size_t off, const std::array<uint8_t, N>& a) {
  std::memcpy(base + off, a.data(), N);
}

// Signature field: R at +0x00 and S at +0x48, 72 bytes each, little-endian.
// A P-384 component fits in 48 bytes; bytes 48..71 must be zero.
Status load_component(std::array<uint8_t, 48>& out, ByteSpan d, std::size_t off, const char* name) {
  for (std::size_t i = 48; i < kSignatureComponentSize; ++i) {
    if (d[off + i] != 0) {
      return invalid_argument(fmt::format(
          "SEV-SNP: signature {} has non-zero byte at +{} (not a P-384 signature)", name, i));
    }
  }
  for (std::size_t i = 0; i < 48; ++i) out[47 - i] = d[off + i];  // LE -> BE
  return ok_status();
}

void store_component(uint8_t* field, const std::array<uint8_t, 48>& be) {
  std::memset(field, 0, kSignatureComponentSize);
  for (std::size_t i = 0; i < 48; ++i) field[i] = be[47 - i];  // BE -> LE
}

}  // namespace

StatusOr<AttestationReport> AttestationReport::parse(ByteSpan d) {
  if (d.size() != kReportSize) {
    return invalid_argument(fmt::format(
        "SEV-SNP: attestation report must be {} bytes, got {}", kReportSize, d.size()));
  }
  AttestationReport r;
  std::memcpy(r.raw.data(), d.data(), kReportSize);
  r.version = load_u32(d, offset::kVersion);
  r.guest_svn = load_u32(d, offset::kGuestSvn);
  r.policy = load_u64(d, offset::kPolicy);
  load_array(r.family_id, d, offset::kFamilyId);
  load_array(r.image_id, d, offset::kImageId);
  r.vmpl = load_u32(d, offset::kVmpl);
  r.signature_algo = load_u32(d, offset::kSignatureAlgo);
  r.current_tcb.raw = load_u64(d, offset::kCurrentTcb);
  r.platform_info = load_u64(d, offset::kPlatformInfo);
  uint32_t ki = load_u32(d, offset::kKeyInfo);
  r.key_info.raw = ki;
  r.key_info.author_key_en = (ki & 0x1) != 0;
  r.key_info.mask_chip_key = (ki & 0x2) != 0;
  r.key_info.signing_key = static_cast<SigningKey>((ki >> 2) & 0x7);
  load_array(r.report_data, d, offset::kReportData);
  load_array(r.measurement, d, offset::kMeasurement);
  load_array(r.host_data, d, offset::kHostData);
  load_array(r.id_key_digest, d, offset::kIdKeyDigest);
  load_array(r.author_key_digest, d, offset::kAuthorKeyDigest);
  load_array(r.report_id, d, offset::kReportId);
  load_array(r.report_id_ma, d, offset::kReportIdMa);
  r.reported_tcb.raw = load_u64(d, offset::kReportedTcb);
  if (r.version >= 3) {
    r.cpuid_fam_id = d[offset::kCpuidFamId];
    r.cpuid_mod_id = d[offset::kCpuidModId];
    r.cpuid_step = d[offset::kCpuidStep];
  }
  load_array(r.chip_id, d, offset::kChipId);
  r.committed_tcb.raw = load_u64(d, offset::kCommittedTcb);
  r.current_build = d[offset::kCurrentBuild];
  r.current_minor = d[offset::kCurrentMinor];
  r.current_major = d[offset::kCurrentMajor];
  r.committed_build = d[offset::kCommittedBuild];
  r.committed_minor = d[offset::kCommittedMinor];
  r.committed_major = d[offset::kCommittedMajor];
  r.launch_tcb.raw = load_u64(d, offset::kLaunchTcb);
  if (r.version >= 5) {
    r.launch_mit_vector = load_u64(d, offset::kLaunchMitVector);
    r.current_mit_vector = load_u64(d, offset::kCurrentMitVector);
  }
  MPCC_RETURN_IF_ERROR(load_component(r.signature_r, d, offset::kSignature, "R"));
  MPCC_RETURN_IF_ERROR(
      load_component(r.signature_s, d, offset::kSignature + kSignatureComponentSize, "S"));
  for (std::size_t i = offset::kSignature + 2 * kSignatureComponentSize; i < kReportSize; ++i) {
    if (d[i] != 0) {
      return invalid_argument(
          fmt::format("SEV-SNP: signature field has non-zero reserved byte at 0x{:x}", i));
    }
  }
  return r;
}

std::array<uint8_t, kReportSize> AttestationReport::serialize() {
  std::array<uint8_t, kReportSize> out{};
  uint8_t* b = out.data();
  store_u32(b + offset::kVersion, version);
  store_u32(b + offset::kGuestSvn, guest_svn);
  store_u64(b + offset::kPolicy, policy);
  store_array(b, offset::kFamilyId, family_id);
  store_array(b, offset::kImageId, image_id);
  store_u32(b + offset::kVmpl, vmpl);
  store_u32(b + offset::kSignatureAlgo, signature_algo);
  store_u64(b + offset::kCurrentTcb, current_tcb.raw);
  store_u64(b + offset::kPlatformInfo, platform_info);
  uint32_t ki = (key_info.author_key_en ? 0x1u : 0u) | (key_info.mask_chip_key ? 0x2u : 0u) |
                (static_cast<uint32_t>(key_info.signing_key) & 0x7u) << 2;
  key_info.raw = ki;
  store_u32(b + offset::kKeyInfo, ki);
  store_array(b, offset::kReportData, report_data);
  store_array(b, offset::kMeasurement, measurement);
  store_array(b, offset::kHostData, host_data);
  store_array(b, offset::kIdKeyDigest, id_key_digest);
  store_array(b, offset::kAuthorKeyDigest, author_key_digest);
  store_array(b, offset::kReportId, report_id);
  store_array(b, offset::kReportIdMa, report_id_ma);
  store_u64(b + offset::kReportedTcb, reported_tcb.raw);
  if (version >= 3) {
    b[offset::kCpuidFamId] = cpuid_fam_id;
    b[offset::kCpuidModId] = cpuid_mod_id;
    b[offset::kCpuidStep] = cpuid_step;
  }
  store_array(b, offset::kChipId, chip_id);
  store_u64(b + offset::kCommittedTcb, committed_tcb.raw);
  b[offset::kCurrentBuild] = current_build;
  b[offset::kCurrentMinor] = current_minor;
  b[offset::kCurrentMajor] = current_major;
  b[offset::kCommittedBuild] = committed_build;
  b[offset::kCommittedMinor] = committed_minor;
  b[offset::kCommittedMajor] = committed_major;
  store_u64(b + offset::kLaunchTcb, launch_tcb.raw);
  if (version >= 5) {
    store_u64(b + offset::kLaunchMitVector, launch_mit_vector);
    store_u64(b + offset::kCurrentMitVector, current_mit_vector);
  }
  store_component(b + offset::kSignature, signature_r);
  store_component(b + offset::kSignature + kSignatureComponentSize, signature_s);
  raw = out;
  return out;
}

Bytes AttestationReport::signature_raw() const {
  Bytes out(signature_r.begin(), signature_r.end());
  out.insert(out.end(), signature_s.begin(), signature_s.end());
  return out;
}

bool AttestationReport::chip_id_is_zero() const {
  return std::all_of(chip_id.begin(), chip_id.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace mpcc::snp
