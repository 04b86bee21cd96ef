// File: fuzz/fuzz_cert_chain.cpp
//
// Certificate chain parsing and chain selection. The input is, by its first
// byte (so the real vectors' files seed it as they are):
//   '{'   THIM certification JSON (ACI's host-amd-cert-base64, spec 7.5),
//         given to skr::SecurityContext::load through its environment
//         fallback, then its VCEK || ASK || ARK bundle as below
//   else  a PEM bundle or one DER certificate (crypto::Certificate::from_pem_or_der)
// and the certificates go through verifier::sort_by_role, pick_issuer,
// snp::decode_vek_extensions / leaf_kind and, for each leaf, the issuer
// picked for it (verify_signed_by).
// Asserts: every certificate lands in exactly one role unless it duplicates
// another one's DER; a certificate re-parses from its own DER and PEM to an
// equal certificate; pick_issuer returns one of the candidates.
// Thread-safety: libFuzzer's single thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/x509.h"
#include "skr/security_context.h"
#include "snp/vek_extensions.h"
#include "support/fuzz_support.h"
#include "verifier/endorsements.h"

using namespace mpcc;

namespace {

std::optional<std::vector<crypto::Certificate>> certificates(ByteSpan input) {
  if (input.empty() || input[0] != '{') {
    auto certs = crypto::Certificate::from_pem_or_der(input);
    if (!certs.ok()) return std::nullopt;
    return std::move(*certs);
  }
  std::string b64 = crypto::base64_encode(input);
  skr::Environment env = [&](const std::string& name) -> std::optional<std::string> {
    if (name == skr::kHostAmdCertEnv) return b64;
    return std::nullopt;
  };
  auto ctx = skr::SecurityContext::load(std::nullopt, env);
  if (!ctx.ok() || !ctx->host_amd_certification()) return std::nullopt;
  std::string pem = ctx->host_amd_certification()->endorsements_pem();
  auto certs = crypto::Certificate::from_pem_bundle(pem);
  FUZZ_CHECK(certs.ok(), "THIM certificates that loaded do not parse as a bundle");
  return std::move(*certs);
}

void check_certificate(const crypto::Certificate& cert) {
  auto from_der = crypto::Certificate::from_der(cert.der());
  FUZZ_CHECK(from_der.ok() && *from_der == cert, "a certificate does not re-parse from its DER");
  auto from_pem = crypto::Certificate::from_pem(cert.pem());
  FUZZ_CHECK(from_pem.ok() && *from_pem == cert, "a certificate does not re-parse from its PEM");
  (void)cert.subject();
  (void)cert.issuer();
  (void)cert.serial();
  (void)cert.signature_algorithm();
  auto ext = snp::decode_vek_extensions(cert);
  if (ext.ok()) {
    (void)ext->product();
    (void)snp::leaf_kind(cert, *ext);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto certs = certificates(ByteSpan(data, size));
  if (!certs) return 0;
  std::set<Bytes> distinct;
  for (const crypto::Certificate& c : *certs) {
    check_certificate(c);
    distinct.insert(c.der());
  }
  verifier::CertificateRoles roles = verifier::sort_by_role(*certs);
  FUZZ_CHECK(roles.leaves.size() + roles.intermediates.size() + roles.roots.size() ==
                 distinct.size(),
             "sort_by_role lost or duplicated a certificate");
  std::vector<crypto::Certificate> issuers = roles.intermediates;
  issuers.insert(issuers.end(), roles.roots.begin(), roles.roots.end());
  for (const crypto::Certificate& leaf : roles.leaves) {
    const crypto::Certificate* issuer = verifier::pick_issuer(issuers, leaf);
    FUZZ_CHECK((issuer == nullptr) == issuers.empty(), "pick_issuer: no answer among candidates");
    if (issuer != nullptr) (void)leaf.verify_signed_by(*issuer);
  }
  return 0;
}
