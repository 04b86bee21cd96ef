// File: platform/sim/chip_certificates.h
//
// Issues the SIMULATED chip's ARK, ASK and VCEK certificates in AMD's shape
// (names, serials, validity, basic constraints, key usage, PSS signatures,
// VCEK extensions), every subject marked as simulated and not genuine.
// Used by SimulatedChip::create.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "platform/sim/chip_config.h"

namespace mpcc::platform::sim {

inline constexpr const char* kSimulatedOrganization = "mpcc simulated AMD SP - NOT GENUINE";
inline constexpr const char* kSimulatedMarker = " (mpcc SIMULATED, INSECURE)";

// "ARK-Milan (mpcc SIMULATED, INSECURE)" etc.
std::string ark_common_name(snp::Product product);
std::string ask_common_name(snp::Product product);
std::string vcek_common_name();

// ARK: self-signed CA, keyCertSign + cRLSign, 25 years from not_before.
StatusOr<crypto::Certificate> issue_ark(snp::Product product, const crypto::PrivateKey& ark_key,
                                        UnixSeconds not_before);
// ASK: CA with pathlen 0, signed by the ARK, 25 years.
StatusOr<crypto::Certificate> issue_ask(snp::Product product, const crypto::PublicKey& ask_public,
                                        const crypto::PrivateKey& ark_key,
                                        const crypto::Certificate& ark, UnixSeconds not_before);
// VCEK: serial 0, no CA bits, AMD extensions from `config`, signed by the
// ASK, 7 years. `config.chip_id` must be set.
StatusOr<crypto::Certificate> issue_vcek(const ChipConfig& config,
                                         const crypto::PublicKey& vcek_public,
                                         const crypto::PrivateKey& ask_key,
                                         const crypto::Certificate& ask, UnixSeconds not_before);

}  // namespace mpcc::platform::sim
