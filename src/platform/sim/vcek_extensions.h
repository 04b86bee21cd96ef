// File: platform/sim/vcek_extensions.h
//
// AMD's VCEK X.509 extensions (OID prefix 1.3.6.1.4.1.3704.1.), built the way
// AMD's KDS certificates carry them, and decoded back:
//   .1 structVersion INTEGER (0 on Milan/Genoa, 1 on Turin)
//   .2 productName IA5String ("Milan-B0", "Genoa", "Turin")
//   .3.1 blSPL, .3.2 teeSPL, .3.3 snpSPL, .3.8 ucodeSPL INTEGERs,
//   .3.4-.3.7 reserved INTEGER 0 (Turin: .3.5-.3.7 only), .3.9 fmcSPL (Turin)
//   .4 hwID: the CHIP_ID as raw bytes in extnValue (64 bytes; Turin 8 bytes)
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/x509.h"
#include "snp/tcb.h"

namespace mpcc::platform::sim {

inline constexpr const char* kOidStructVersion = "1.3.6.1.4.1.3704.1.1";
inline constexpr const char* kOidProductName = "1.3.6.1.4.1.3704.1.2";
inline constexpr const char* kOidBlSpl = "1.3.6.1.4.1.3704.1.3.1";
inline constexpr const char* kOidTeeSpl = "1.3.6.1.4.1.3704.1.3.2";
inline constexpr const char* kOidSnpSpl = "1.3.6.1.4.1.3704.1.3.3";
inline constexpr const char* kOidUcodeSpl = "1.3.6.1.4.1.3704.1.3.8";
inline constexpr const char* kOidFmcSpl = "1.3.6.1.4.1.3704.1.3.9";
inline constexpr const char* kOidHwId = "1.3.6.1.4.1.3704.1.4";

struct VcekExtensions {
  uint64_t struct_version = 0;
  std::string product_name;
  snp::TcbParts tcb;  // fmc set only when the certificate has .3.9
  Bytes hwid;
};

// The extension list for a VCEK of `product` with these values, in AMD's order.
std::vector<crypto::ExtensionSpec> make_vcek_extensions(snp::Product product,
                                                        const std::string& product_name,
                                                        const snp::TcbParts& tcb,
                                                        ByteSpan hwid);

// Reads the extensions back. kInvalidArgument ("X509: ...") when one is
// missing or not of the expected DER type, or an SPL exceeds 255.
StatusOr<VcekExtensions> decode_vcek_extensions(const crypto::Certificate& vcek);

}  // namespace mpcc::platform::sim
