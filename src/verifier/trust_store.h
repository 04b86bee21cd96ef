// File: verifier/trust_store.h
//
// TrustStore: the roots an SEV-SNP certificate chain may end in.
//  - AMD anchors: the ARKs of Milan, Genoa and Turin (verifier/amd_roots.h),
//    built in and always present. Evidence that chains to one is genuine.
//  - Configured anchors: added explicitly (the simulated PSP's ARK, a
//    `--trust-root` file). Evidence that chains to one verifies, but the
//    verdict says `"simulated": true`, so policies can refuse it.
// A root is trusted only if its DER, or its SubjectPublicKeyInfo, equals an
// anchor's: never because of its subject name. (An SPKI match means the root
// is signed by the anchor's key, e.g. a re-issued root.)
//
// Thread-safety: configure (add_configured_anchor) before sharing; afterwards
// the const methods may be called from any number of threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/x509.h"
#include "snp/tcb.h"

namespace mpcc::verifier {

enum class AnchorKind {
  kAmd,         // AMD's own ARK: genuine hardware
  kConfigured,  // added by configuration: treated as simulated evidence
};

std::string_view anchor_kind_name(AnchorKind kind);  // "amd", "configured"

struct TrustAnchor {
  crypto::Certificate certificate;
  AnchorKind kind = AnchorKind::kAmd;
  std::string label;  // "AMD ARK-Milan", or what the configuration called it
  snp::Product product = snp::Product::kUnknown;  // AMD anchors only
  std::string subject;  // certificate.subject(), computed once
  Bytes der_sha256;
  Bytes spki_sha256;

  bool simulated() const { return kind != AnchorKind::kAmd; }
};

class TrustStore {
 public:
  // Holds the AMD ARKs for every built-in product.
  TrustStore();

  // Adds `root` as a configured (simulated) anchor labelled `label`. If an
  // anchor with the same DER already exists, nothing changes (an AMD ARK
  // stays an AMD anchor). Fails with kInvalidArgument if `root` is not a
  // self-signed CA certificate.
  Status add_configured_anchor(const crypto::Certificate& root, std::string label);

  // The anchor whose DER equals `root`'s, else one whose SPKI equals it, else
  // nullptr. The pointer is valid until the next add_configured_anchor().
  const TrustAnchor* find(const crypto::Certificate& root) const;

  // The anchors whose subject equals `subject`, AMD ones first (used to
  // supply the ARK when the evidence omits it). Trust is still decided by
  // find(), never by the name.
  std::vector<const TrustAnchor*> find_by_subject(std::string_view subject) const;

  const std::vector<TrustAnchor>& anchors() const { return anchors_; }

 private:
  std::vector<TrustAnchor> anchors_;
};

}  // namespace mpcc::verifier
