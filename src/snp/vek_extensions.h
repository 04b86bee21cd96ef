// File: snp/vek_extensions.h
//
// The AMD X.509 extensions of a VCEK or VLEK certificate (OID arc
// 1.3.6.1.4.1.3704.1): struct version, product name, the TCB security patch
// levels the key was derived for, the chip's hwID (VCEK) and the cloud
// provider id (VLEK). SPL values are DER INTEGERs (>= 128 carry a leading 00).
// hwID is 64 raw bytes on Milan/Genoa and 8 on Turin; an OCTET STRING wrapping
// of either is accepted too. make_vcek_extensions() builds the same
// extensions the way AMD's KDS certificates carry them (the simulated PSP
// issues its VCEKs with it); decode_vek_extensions() reads them back.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/x509.h"
#include "snp/report.h"
#include "snp/tcb.h"
#include <vector>

namespace mpcc::snp {

namespace oid {
inline constexpr std::string_view kStructVersion = "1.3.6.1.4.1.3704.1.1";
inline constexpr std::string_view kProductName = "1.3.6.1.4.1.3704.1.2";
inline constexpr std::string_view kBlSpl = "1.3.6.1.4.1.3704.1.3.1";
inline constexpr std::string_view kTeeSpl = "1.3.6.1.4.1.3704.1.3.2";
inline constexpr std::string_view kSnpSpl = "1.3.6.1.4.1.3704.1.3.3";
inline constexpr std::string_view kUcodeSpl = "1.3.6.1.4.1.3704.1.3.8";
inline constexpr std::string_view kFmcSpl = "1.3.6.1.4.1.3704.1.3.9";
inline constexpr std::string_view kHwId = "1.3.6.1.4.1.3704.1.4";
inline constexpr std::string_view kCspId = "1.3.6.1.4.1.3704.1.5";
}  // namespace oid

inline constexpr std::size_t kHwIdSize = 64;       // Milan, Genoa
inline constexpr std::size_t kTurinHwIdSize = 8;   // Turin

struct VekExtensions {
  std::optional<uint64_t> struct_version;
  std::optional<std::string> product_name;  // "Milan-B0", "Genoa", "Turin"...
  std::optional<uint8_t> bl_spl;
  std::optional<uint8_t> tee_spl;
  std::optional<uint8_t> snp_spl;
  std::optional<uint8_t> ucode_spl;
  std::optional<uint8_t> fmc_spl;  // Turin
  std::optional<Bytes> hw_id;      // VCEK: 64 bytes (8 on Turin)
  std::optional<std::string> csp_id;  // VLEK: the cloud provider

  // Product named by product_name (kUnknown if absent or not recognised).
  snp::Product product() const;
  // The SPLs as TCB parts (absent SPLs read as 0; fmc only when present).
  snp::TcbParts tcb_parts() const;
};

// Decodes every extension above that the certificate carries. Absent
// extensions stay nullopt. Fails with kInvalidArgument ("SEV-SNP: ...") if a
// present extension is malformed (not a DER INTEGER/string, SPL > 255, hwID of
// a length other than 64 or 8).
StatusOr<VekExtensions> decode_vek_extensions(const crypto::Certificate& cert);

// Which key a leaf certificate holds: VLEK if it has a csp_id extension or CN
// "SEV-VLEK", VCEK if it has a hwID extension or CN "SEV-VCEK". Fails with
// kInvalidArgument if the signs contradict each other or there is none.
StatusOr<snp::SigningKey> leaf_kind(const crypto::Certificate& cert, const VekExtensions& ext);

// The extension list for a VCEK of `product` with these values, in AMD's order:
// structVersion (1 on Turin, else 0), productName, the SPLs (Turin: fmc, bl,
// tee, snp, reserved .3.5-.3.7; others: bl, tee, reserved .3.4-.3.7, snp), ucode,
// then hwID as raw bytes in extnValue (64 bytes; 8 on Turin).
std::vector<crypto::ExtensionSpec> make_vcek_extensions(snp::Product product,
                                                        const std::string& product_name,
                                                        const snp::TcbParts& tcb, ByteSpan hwid);

// "VCEK" / "VLEK" / "none".
std::string_view signing_key_name(snp::SigningKey key);

}  // namespace mpcc::snp
