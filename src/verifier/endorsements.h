// File: verifier/endorsements.h
//
// Sorting the certificates that came with a report (a `--certs` file, a THIM
// or KDS bundle, an attester's endorsements; any order, duplicates allowed)
// into roles by their structure, never by their names:
//   leaf          not a CA (the VCEK or VLEK)
//   intermediate  a CA whose issuer differs from its subject (ASK / ASVK)
//   root          a self-issued CA (ARK)
// and picking, among candidates, the issuer of a given certificate by name
// (the signature check that follows decides whether it really is).
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <vector>

#include "crypto/x509.h"

namespace mpcc::verifier {

struct CertificateRoles {
  std::vector<crypto::Certificate> leaves;
  std::vector<crypto::Certificate> intermediates;
  std::vector<crypto::Certificate> roots;
};

// Sorts `certs` into roles, dropping exact duplicates (same DER), keeping the
// given order within each role.
CertificateRoles sort_by_role(std::span<const crypto::Certificate> certs);

// The first candidate whose subject equals `child`'s issuer; failing that the
// first candidate; nullptr if there is none.
const crypto::Certificate* pick_issuer(const std::vector<crypto::Certificate>& candidates,
                                       const crypto::Certificate& child);

}  // namespace mpcc::verifier
