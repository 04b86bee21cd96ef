// File: platform/sim/simulated_chip.h
//
// SimulatedChip: a SIMULATED AMD secure processor's identity, NOT GENUINE and
// INSECURE by design (its private keys sit in files). It owns
//   ARK  RSA-4096, self-signed          CN "ARK-<product> (mpcc SIMULATED, INSECURE)"
//   ASK  RSA-4096, signed by the ARK    CN "SEV-<product> (mpcc SIMULATED, INSECURE)"
//   VCEK EC P-384, signed by the ASK    CN "SEV-VCEK (mpcc SIMULATED, INSECURE)"
// all RSASSA-PSS/SHA-384/MGF1-SHA-384/salt 48 like AMD's, with AMD's VCEK
// extensions (TCB SPLs, productName, hwID = CHIP_ID), every subject's O being
// "mpcc simulated AMD SP - NOT GENUINE". A verifier trusts its ARK only when
// told to (the simulated root is never one of the pinned AMD roots).
//
// Persistence (save/load) in a state directory (mode 0700):
//   chip.json                 public description (written last)
//   ark.pem ask.pem vcek.pem  certificates
//   ark.key ask.key vcek.key  PKCS#8 PEM private keys, mode 0600
//
// Thread-safety: immutable after construction; const methods may be called
// concurrently (keys are shared read-only OpenSSL handles).
#pragma once

#include <filesystem>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "nlohmann/json_fwd.hpp"
#include "platform/sim/chip_config.h"
#include "snp/tcb.h"

namespace mpcc::platform::sim {

inline constexpr const char* kChipFile = "chip.json";
inline constexpr const char* kChipFormat = "mpcc-simulated-psp-chip-v1";

class SimulatedChip {
 public:
  // Generates the three keys and certificates (two RSA-4096 keys: seconds).
  // kInvalidArgument for a bad config; errors from crypto otherwise.
  static StatusOr<SimulatedChip> create(const ChipConfig& config);

  // Loads a chip saved by save(), and checks it: every certificate matches
  // its private key, VCEK <- ASK <- ARK verify, the ARK is self-signed, and
  // the VCEK extensions carry the chip's TCB and CHIP_ID. kNotFound when the
  // directory holds no chip; kDataLoss when the files disagree.
  static StatusOr<SimulatedChip> load(const std::filesystem::path& state_dir);

  // True if `state_dir` already holds a chip (its chip.json or a key file).
  static bool exists(const std::filesystem::path& state_dir);

  // Writes the chip into `state_dir` (created 0700 if absent). Fails with
  // kAlreadyExists if a chip is there and !overwrite.
  Status save(const std::filesystem::path& state_dir, bool overwrite) const;

  const ChipConfig& config() const { return config_; }  // chip_id always set
  snp::Product product() const { return config_.product; }
  const std::string& product_name() const { return config_.product_name; }
  const ChipId& chip_id() const { return *config_.chip_id; }
  snp::TcbVersion tcb() const;
  CpuId cpuid() const { return product_cpuid(config_.product); }

  const crypto::Certificate& ark() const { return ark_cert_; }
  const crypto::Certificate& ask() const { return ask_cert_; }
  const crypto::Certificate& vcek() const { return vcek_cert_; }
  // VCEK, ASK, ARK.
  std::vector<crypto::Certificate> chain() const { return {vcek_cert_, ask_cert_, ark_cert_}; }
  const crypto::PrivateKey& vcek_key() const { return vcek_key_; }

  // Public description (never private keys): product, chip id, TCB, tcbm,
  // report version, firmware, CPUID, and per certificate its subject,
  // SHA-256 fingerprint and SubjectPublicKeyInfo SHA-256.
  nlohmann::json describe() const;

 private:
  SimulatedChip(ChipConfig config, crypto::PrivateKey ark_key, crypto::PrivateKey ask_key,
                crypto::PrivateKey vcek_key, crypto::Certificate ark, crypto::Certificate ask,
                crypto::Certificate vcek);
  Status check_consistency() const;

  ChipConfig config_;
  crypto::PrivateKey ark_key_, ask_key_, vcek_key_;
  crypto::Certificate ark_cert_, ask_cert_, vcek_cert_;
};

}  // namespace mpcc::platform::sim
