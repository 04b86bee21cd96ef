// File: snp/policy.h
//
// Guest POLICY (u64 @0x08) and PLATFORM_INFO (u64 @0x40) bits, SEV-SNP ABI.
#pragma once

#include <cstdint>

#include "nlohmann/json_fwd.hpp"

namespace mpcc::snp {

struct GuestPolicy {
  uint64_t raw = 0;
  uint8_t abi_minor() const { return static_cast<uint8_t>(raw & 0xff); }
  uint8_t abi_major() const { return static_cast<uint8_t>((raw >> 8) & 0xff); }
  bool smt_allowed() const { return raw & (1ull << 16); }
  bool reserved_bit17() const { return raw & (1ull << 17); }  // must be 1
  bool migrate_ma_allowed() const { return raw & (1ull << 18); }
  bool debug_allowed() const { return raw & (1ull << 19); }
  bool single_socket() const { return raw & (1ull << 20); }
  bool cxl_allowed() const { return raw & (1ull << 21); }
  bool mem_aes_256_xts() const { return raw & (1ull << 22); }
  bool rapl_disabled() const { return raw & (1ull << 23); }
  bool ciphertext_hiding() const { return raw & (1ull << 24); }
  bool page_swap_disabled() const { return raw & (1ull << 25); }
  bool reserved_bits_zero() const { return (raw >> 26) == 0; }
};

struct PlatformInfo {
  uint64_t raw = 0;
  bool smt_enabled() const { return raw & (1ull << 0); }
  bool tsme_enabled() const { return raw & (1ull << 1); }
  bool ecc_enabled() const { return raw & (1ull << 2); }
  bool rapl_disabled() const { return raw & (1ull << 3); }
  bool ciphertext_hiding_enabled() const { return raw & (1ull << 4); }
  bool alias_check_complete() const { return raw & (1ull << 5); }
  bool tio_enabled() const { return raw & (1ull << 7); }
};

void to_json(nlohmann::json& j, const GuestPolicy& p);
void to_json(nlohmann::json& j, const PlatformInfo& p);

}  // namespace mpcc::snp
