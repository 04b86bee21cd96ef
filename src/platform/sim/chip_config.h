// File: platform/sim/chip_config.h
//
// ChipConfig: what a SIMULATED AMD secure processor is made of before its
// keys exist: product (Milan / Genoa / Turin, which fixes the TCB byte layout,
// the CPUID in v3+ reports and the VCEK extensions), TCB component SVNs,
// report version, firmware version, PLATFORM_INFO, CHIP_ID (random by
// default). Plus the parsing of `--tcb bl=3,tee=0,snp=8,ucode=115[,fmc=N]`.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "snp/tcb.h"

namespace mpcc::platform::sim {

struct FirmwareVersion {
  uint8_t major = 1;
  uint8_t minor = 55;
  uint8_t build = 21;
};

struct CpuId {
  uint8_t family = 0;
  uint8_t model = 0;
  uint8_t stepping = 0;
};

using ChipId = std::array<uint8_t, 64>;

struct ChipConfig {
  snp::Product product = snp::Product::kMilan;
  // VCEK productName extension; "" means default_product_name(product).
  std::string product_name;
  // Default bl 3, tee 0, snp 8, ucode 115 (the values of a production ACI
  // host); Turin adds fmc (0 when unset).
  snp::TcbParts tcb{std::nullopt, 3, 0, 8, 115};
  uint32_t report_version = 3;  // 2, 3 or 5
  FirmwareVersion firmware;
  uint64_t platform_info = 0x1;  // SMT enabled
  // Random when absent. Turin chips use only the first 8 bytes (the rest 0),
  // as their VCEK hwID is 8 bytes long.
  std::optional<ChipId> chip_id;
  // Start of the certificates' validity; 0 means "now minus one day".
  UnixSeconds not_before = 0;
};

// "Milan-B0", "Genoa", "Turin": the spellings AMD's VCEKs carry.
std::string default_product_name(snp::Product product);
// A CPUID family/model/stepping of that product (Milan 19h/01h/0,
// Genoa 19h/11h/1, Turin 1Ah/02h/1), so report v3+ and its VCEK agree.
CpuId product_cpuid(snp::Product product);
// Length of the VCEK hwID for the product: 64, or 8 on Turin.
std::size_t hwid_size(snp::Product product);

// Checks product, report version (2, 3, 5), product name (printable ASCII,
// 1..32 chars) and fmc (Turin only). kInvalidArgument with the reason.
Status validate(const ChipConfig& config);

// Parses "bl=3,tee=0,snp=8,ucode=115" (any order, each 0..255, all four
// required; "fmc=N" allowed, and defaulting to 0, only for Turin).
StatusOr<snp::TcbParts> parse_tcb_spec(std::string_view spec, snp::Product product);
std::string format_tcb_spec(const snp::TcbParts& parts);

}  // namespace mpcc::platform::sim
