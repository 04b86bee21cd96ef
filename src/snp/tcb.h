// File: snp/tcb.h
//
// TCB_VERSION (8 bytes, little-endian u64 in the report). The byte layout
// depends on the product:
//   Milan / Genoa: byte0 BOOT_LOADER, byte1 TEE, bytes2-5 reserved, byte6 SNP,
//                  byte7 MICROCODE.
//   Turin:         byte0 FMC, byte1 BOOT_LOADER, byte2 TEE, byte3 SNP,
//                  bytes4-6 reserved, byte7 MICROCODE.
// The raw u64 is kept; decoding needs the product (from the VCEK or CPUID).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mpcc::snp {

enum class Product { kUnknown, kMilan, kGenoa, kTurin };

std::string_view product_name(Product p);  // "Milan", "Genoa", "Turin", "unknown"
// Accepts KDS/VCEK spellings: "Milan", "Milan-B0", "Genoa", "Genoa-B1", "Turin"...
Product product_from_name(std::string_view name);
// From CPUID family/model (report v3+): family 0x19 model 0x00-0x0F Milan,
// 0x10-0x1F and 0xA0-0xAF Genoa (Genoa/Bergamo/Siena); family 0x1A model
// 0x00-0x1F Turin. kUnknown otherwise.
Product product_from_cpuid(uint8_t family, uint8_t model);

struct TcbParts {
  std::optional<uint8_t> fmc;  // Turin only
  uint8_t boot_loader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;
};

struct TcbVersion {
  uint64_t raw = 0;

  // Turin layout for Product::kTurin, Milan/Genoa layout otherwise.
  TcbParts parts(Product product) const;
  static TcbVersion from_parts(Product product, const TcbParts& parts);
  // 16 hex digits, most significant first (THIM "tcbm").
  std::string tcbm() const;
  bool operator==(const TcbVersion&) const = default;
};

// True if every component of `a` is >= the same component of `b`.
bool tcb_at_least(const TcbVersion& a, const TcbVersion& b, Product product);

}  // namespace mpcc::snp
