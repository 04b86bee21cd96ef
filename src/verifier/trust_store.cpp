#include "verifier/trust_store.h"

#include <fmt/format.h>

#include "verifier/amd_roots.h"

namespace mpcc::verifier {

std::string_view anchor_kind_name(AnchorKind kind) {
  switch (kind) {
    case AnchorKind::kAmd:
      return "amd";
    case AnchorKind::kConfigured:
      return "configured";
  }
  return "unknown";
}

namespace {

TrustAnchor make_anchor(const crypto::Certificate& cert, AnchorKind kind, std::string label,
                        snp::Product product) {
  return TrustAnchor{cert,           kind,
                     std::move(label), product,
                     cert.subject(),   cert.sha256_fingerprint(),
                     cert.public_key_spki_sha256()};
}

}  // namespace

TrustStore::TrustStore() {
  for (snp::Product p : kAmdProducts) {
    const AmdCertificates* amd = amd_certificates(p);
    anchors_.push_back(make_anchor(amd->ark, AnchorKind::kAmd,
                                   fmt::format("AMD ARK-{}", snp::product_name(p)), p));
  }
}

Status TrustStore::add_configured_anchor(const crypto::Certificate& root, std::string label) {
  Bytes fp = root.sha256_fingerprint();
  for (const TrustAnchor& a : anchors_) {
    if (a.der_sha256 == fp) return ok_status();
  }
  if (!root.is_ca() || !root.is_self_signed()) {
    return invalid_argument(fmt::format(
        "SEV-SNP: trust anchor \"{}\" ({}) is not a self-signed CA certificate", label,
        root.subject()));
  }
  anchors_.push_back(
      make_anchor(root, AnchorKind::kConfigured, std::move(label), snp::Product::kUnknown));
  return ok_status();
}

const TrustAnchor* TrustStore::find(const crypto::Certificate& root) const {
  Bytes fp = root.sha256_fingerprint();
  for (const TrustAnchor& a : anchors_) {
    if (a.der_sha256 == fp) return &a;
  }
  Bytes spki = root.public_key_spki_sha256();
  for (const TrustAnchor& a : anchors_) {
    if (a.spki_sha256 == spki) return &a;
  }
  return nullptr;
}

std::vector<const TrustAnchor*> TrustStore::find_by_subject(std::string_view subject) const {
  std::vector<const TrustAnchor*> out;
  for (const TrustAnchor& a : anchors_) {
    if (a.subject == subject) out.push_back(&a);
  }
  return out;
}

}  // namespace mpcc::verifier
