// File: snp/report.h
//
// The AMD SEV-SNP ATTESTATION_REPORT (SEV-SNP ABI spec, Table 23 in rev 1.55;
// 0x4A0 = 1184 bytes, little-endian). Versions 2, 3 and 5 are understood.
// Field names follow the spec. Offsets are named constants; the size is checked
// before any byte is interpreted.
//
//   MPCC_ASSIGN_OR_RETURN(AttestationReport r, AttestationReport::parse(bytes));
//   ByteSpan signed_part = r.signed_bytes();   // bytes [0, 0x2A0)
//
// serialize() writes the exact layout back (the simulated PSP builds reports
// with it); parse(serialize(r)) == r.
//
// Thread-safety: plain value.
#pragma once

#include <array>
#include <cstdint>

#include "common/bytes.h"
#include "common/status.h"
#include "snp/tcb.h"

namespace mpcc::snp {

inline constexpr std::size_t kReportSize = 0x4A0;        // 1184
inline constexpr std::size_t kSignedSize = 0x2A0;        // bytes covered by the signature
inline constexpr std::size_t kSignatureOffset = 0x2A0;
inline constexpr std::size_t kSignatureFieldSize = 512;
inline constexpr std::size_t kSignatureComponentSize = 72; // R and S, little-endian
inline constexpr uint32_t kSignatureAlgoEcdsaP384Sha384 = 1;

// Offsets (Table 23).
namespace offset {
inline constexpr std::size_t kVersion = 0x000;
inline constexpr std::size_t kGuestSvn = 0x004;
inline constexpr std::size_t kPolicy = 0x008;
inline constexpr std::size_t kFamilyId = 0x010;
inline constexpr std::size_t kImageId = 0x020;
inline constexpr std::size_t kVmpl = 0x030;
inline constexpr std::size_t kSignatureAlgo = 0x034;
inline constexpr std::size_t kCurrentTcb = 0x038;
inline constexpr std::size_t kPlatformInfo = 0x040;
inline constexpr std::size_t kKeyInfo = 0x048;        // AUTHOR_KEY_EN, MASK_CHIP_KEY, SIGNING_KEY
inline constexpr std::size_t kReportData = 0x050;
inline constexpr std::size_t kMeasurement = 0x090;
inline constexpr std::size_t kHostData = 0x0C0;
inline constexpr std::size_t kIdKeyDigest = 0x0E0;
inline constexpr std::size_t kAuthorKeyDigest = 0x110;
inline constexpr std::size_t kReportId = 0x140;
inline constexpr std::size_t kReportIdMa = 0x160;
inline constexpr std::size_t kReportedTcb = 0x180;
inline constexpr std::size_t kCpuidFamId = 0x188;     // v3+
inline constexpr std::size_t kCpuidModId = 0x189;
inline constexpr std::size_t kCpuidStep = 0x18A;
inline constexpr std::size_t kChipId = 0x1A0;
inline constexpr std::size_t kCommittedTcb = 0x1E0;
inline constexpr std::size_t kCurrentBuild = 0x1E8;
inline constexpr std::size_t kCurrentMinor = 0x1E9;
inline constexpr std::size_t kCurrentMajor = 0x1EA;
inline constexpr std::size_t kCommittedBuild = 0x1EC;
inline constexpr std::size_t kCommittedMinor = 0x1ED;
inline constexpr std::size_t kCommittedMajor = 0x1EE;
inline constexpr std::size_t kLaunchTcb = 0x1F0;
inline constexpr std::size_t kLaunchMitVector = 0x1F8;  // v5+
inline constexpr std::size_t kCurrentMitVector = 0x200; // v5+
inline constexpr std::size_t kSignature = 0x2A0;
}  // namespace offset

enum class SigningKey : uint8_t { kVcek = 0, kVlek = 1, kNone = 7 };

struct KeyInfo {
  bool author_key_en = false;
  bool mask_chip_key = false;
  SigningKey signing_key = SigningKey::kVcek;
  uint32_t raw = 0;
};

struct AttestationReport {
  uint32_t version = 0;
  uint32_t guest_svn = 0;
  uint64_t policy = 0;                 // see snp/policy.h
  std::array<uint8_t, 16> family_id{};
  std::array<uint8_t, 16> image_id{};
  uint32_t vmpl = 0;
  uint32_t signature_algo = 0;
  TcbVersion current_tcb;
  uint64_t platform_info = 0;          // see snp/policy.h
  KeyInfo key_info;
  std::array<uint8_t, 64> report_data{};
  std::array<uint8_t, 48> measurement{};
  std::array<uint8_t, 32> host_data{};
  std::array<uint8_t, 48> id_key_digest{};
  std::array<uint8_t, 48> author_key_digest{};
  std::array<uint8_t, 32> report_id{};
  std::array<uint8_t, 32> report_id_ma{};
  TcbVersion reported_tcb;
  uint8_t cpuid_fam_id = 0;            // v3+ (0 before)
  uint8_t cpuid_mod_id = 0;
  uint8_t cpuid_step = 0;
  std::array<uint8_t, 64> chip_id{};
  TcbVersion committed_tcb;
  uint8_t current_build = 0, current_minor = 0, current_major = 0;
  uint8_t committed_build = 0, committed_minor = 0, committed_major = 0;
  TcbVersion launch_tcb;
  uint64_t launch_mit_vector = 0;      // v5+
  uint64_t current_mit_vector = 0;     // v5+
  // ECDSA P-384 signature: R and S as 48-byte BIG-endian integers (converted
  // from the 72-byte little-endian fields of the wire format).
  std::array<uint8_t, 48> signature_r{};
  std::array<uint8_t, 48> signature_s{};

  // The exact bytes parsed (or serialized); signed_bytes() views [0, 0x2A0).
  std::array<uint8_t, kReportSize> raw{};

  // Fails with kInvalidArgument if data.size() != 1184 (says the size found),
  // or if the signature fields have non-zero bytes beyond 48 (not a P-384
  // signature). Unknown versions parse (the verifier decides what to accept).
  static StatusOr<AttestationReport> parse(ByteSpan data);

  // Writes every field into the 1184-byte layout (reserved bytes zero,
  // signature as given). Also updates `raw`.
  std::array<uint8_t, kReportSize> serialize();

  ByteSpan signed_bytes() const { return ByteSpan(raw.data(), kSignedSize); }
  // r||s, 96 bytes big-endian, for crypto::ecdsa_raw_to_der.
  Bytes signature_raw() const;
  bool chip_id_is_zero() const;
};

}  // namespace mpcc::snp
