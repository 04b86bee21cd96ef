#include "verifier/endorsements.h"

#include <algorithm>

namespace mpcc::verifier {

CertificateRoles sort_by_role(std::span<const crypto::Certificate> certs) {
  CertificateRoles roles;
  std::vector<Bytes> seen;
  for (const crypto::Certificate& c : certs) {
    Bytes der = c.der();
    if (std::find(seen.begin(), seen.end(), der) != seen.end()) continue;
    seen.push_back(std::move(der));
    if (!c.is_ca()) {
      roles.leaves.push_back(c);
    } else if (c.subject() == c.issuer()) {
      roles.roots.push_back(c);
    } else {
      roles.intermediates.push_back(c);
    }
  }
  return roles;
}

const crypto::Certificate* pick_issuer(const std::vector<crypto::Certificate>& candidates,
                                       const crypto::Certificate& child) {
  if (candidates.empty()) return nullptr;
  const std::string issuer = child.issuer();
  for (const crypto::Certificate& c : candidates) {
    if (c.subject() == issuer) return &c;
  }
  return &candidates.front();
}

}  // namespace mpcc::verifier
