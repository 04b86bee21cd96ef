// File: verifier/amd_roots.h
//
// AMD's SEV-SNP certificate authorities, built in: for each product (Milan,
// Genoa, Turin) the ARK (AMD Root Key, self-signed root), the ASK (AMD SEV
// Key, issues VCEKs) and the ASVK (AMD SEV VLEK Key, issues VLEKs). These are
// public certificates published by AMD's Key Distribution Service; the ARKs
// are the pinned roots of every TrustStore.
//
// Thread-safety: the certificates are parsed once, on first use, under the
// C++ static-initialisation guarantee; the returned objects are immutable.
#pragma once

#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "crypto/x509.h"
#include "snp/tcb.h"

namespace mpcc::verifier {

struct AmdRootPems {
  std::string_view ark;
  std::string_view ask;
  std::string_view asvk;
};

// The PEM text for `product`; nullopt for Product::kUnknown.
std::optional<AmdRootPems> amd_root_pems(snp::Product product);

struct AmdCertificates {
  crypto::Certificate ark;
  crypto::Certificate ask;
  crypto::Certificate asvk;
};

// The parsed certificates for `product`, or nullptr for Product::kUnknown.
// Throws std::logic_error if the built-in text does not parse (a build bug).
const AmdCertificates* amd_certificates(snp::Product product);

// The products that have built-in certificates, in a fixed order.
inline constexpr snp::Product kAmdProducts[] = {snp::Product::kMilan, snp::Product::kGenoa,
                                                snp::Product::kTurin};

}  // namespace mpcc::verifier
