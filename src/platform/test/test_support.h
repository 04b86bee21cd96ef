// File: platform/test/test_support.h
//
// Helpers for the platform tests: a temporary directory (short path, so unix
// socket paths fit in sockaddr_un), and one simulated Milan chip shared by
// every test process. Generating a chip costs two RSA-4096 key generations,
// so the first process saves it under the build tree and the others load it
// (guarded by flock, as ctest runs tests in parallel).
#pragma once

#include "common/testing/temp_dir.h"

#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "platform/sim/launch_params.h"
#include "platform/sim/simulated_chip.h"

namespace mpcc::platform::testing {

using ::mpcc::testing::TempDir;

// The shared chip of `product` (default ChipConfig otherwise).
std::shared_ptr<const sim::SimulatedChip> shared_test_chip(
    snp::Product product = snp::Product::kMilan);

// Launch parameters with recognisable values (measurement 0x11.., host_data
// 0x22.., policy 0x30000, vmpl 0, a fixed report id).
sim::LaunchParams test_launch_params();

// 64 bytes of 0x5A-style pattern: byte i = seed + i.
std::array<uint8_t, 64> test_report_data(uint8_t seed = 0x40);

// Verifies the report's ECDSA P-384 signature with `vcek`, reading R and S
// straight from the little-endian 72-byte wire fields (independently of
// snp::AttestationReport's conversion). OK or the crypto error.
Status verify_report_signature(std::span<const uint8_t> report, const crypto::Certificate& vcek);

}  // namespace mpcc::platform::testing
