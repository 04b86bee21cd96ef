#include "verifier/snp_verifier.h"

#include <algorithm>

#include <fmt/format.h>

#include "crypto/hash.h"
#include "crypto/signature.h"
#include "snp/policy.h"
#include "verifier/amd_roots.h"
#include "verifier/endorsements.h"
#include "snp/vek_extensions.h"

namespace mpcc::verifier {

using snp::decode_vek_extensions;
using snp::kHwIdSize;
using snp::kTurinHwIdSize;
using snp::leaf_kind;
using snp::signing_key_name;
using snp::VekExtensions;

bool report_version_supported(uint32_t version) {
  return version == 2 || version == 3 || version == 5;
}

SnpVerifier::SnpVerifier() : SnpVerifier(std::make_shared<const TrustStore>()) {}

SnpVerifier::SnpVerifier(std::shared_ptr<const TrustStore> trust, VerifierOptions options)
    : trust_(std::move(trust)),
      cache_(std::make_unique<ChainCache>(options.chain_cache_capacity)) {
  if (!trust_) throw std::logic_error("SnpVerifier needs a TrustStore");
}

namespace {

std::string_view leaf_role(snp::SigningKey k) { return signing_key_name(k); }
std::string_view intermediate_role(snp::SigningKey k) {
  return k == snp::SigningKey::kVlek ? "ASVK" : "ASK";
}

// Checks 1-5: what the report says about itself, before any certificate.
Status check_structure(const snp::AttestationReport& r, std::vector<std::string>& passed) {
  if (!report_version_supported(r.version)) {
    return permission_denied(
        fmt::format("SEV-SNP: unsupported report version {} (supported: 2, 3, 5)", r.version));
  }
  passed.emplace_back("version");
  if (r.signature_algo != snp::kSignatureAlgoEcdsaP384Sha384) {
    return permission_denied(fmt::format(
        "SEV-SNP: unsupported SIGNATURE_ALGO {} (expected 1, ECDSA P-384 with SHA-384)",
        r.signature_algo));
  }
  passed.emplace_back("signature_algo");
  const auto key = r.key_info.signing_key;
  if (key != snp::SigningKey::kVcek && key != snp::SigningKey::kVlek) {
    return permission_denied(fmt::format(
        "SEV-SNP: unsupported SIGNING_KEY {} in KEY_INFO (expected 0 VCEK or 1 VLEK{})",
        static_cast<unsigned>(key), key == snp::SigningKey::kNone ? "; 7 means unsigned" : ""));
  }
  passed.emplace_back("signing_key");
  if (key == snp::SigningKey::kVcek && r.key_info.mask_chip_key) {
    return permission_denied(
        "SEV-SNP: MASK_CHIP_KEY is set in KEY_INFO: the VCEK did not sign the report");
  }
  passed.emplace_back("mask_chip_key");
  snp::GuestPolicy gp{r.policy};
  if (!gp.reserved_bit17()) {
    return permission_denied("SEV-SNP: guest POLICY bit 17 (reserved, must be 1) is clear");
  }
  if (!gp.reserved_bits_zero()) {
    return permission_denied(fmt::format(
        "SEV-SNP: guest POLICY bits 63:26 (reserved, must be 0) are set: 0x{:x}", r.policy));
  }
  passed.emplace_back("policy_reserved_bits");
  return ok_status();
}

// Check 7: the product, from the leaf's productName, else from CPUID (v3+).
StatusOr<snp::Product> determine_product(const snp::AttestationReport& r, const VekExtensions& ext,
                                         std::string_view leaf) {
  const snp::Product from_cert = ext.product();
  const bool has_cpuid = r.version >= 3 && (r.cpuid_fam_id != 0 || r.cpuid_mod_id != 0);
  const snp::Product from_cpuid =
      has_cpuid ? snp::product_from_cpuid(r.cpuid_fam_id, r.cpuid_mod_id) : snp::Product::kUnknown;
  if (from_cert != snp::Product::kUnknown && from_cpuid != snp::Product::kUnknown &&
      from_cert != from_cpuid) {
    return permission_denied(fmt::format(
        "SEV-SNP: product mismatch: the {} productName says {}, the report CPUID (family 0x{:x} "
        "model 0x{:x}) says {}",
        leaf, snp::product_name(from_cert), r.cpuid_fam_id, r.cpuid_mod_id,
        snp::product_name(from_cpuid)));
  }
  if (from_cert != snp::Product::kUnknown) return from_cert;
  if (from_cpuid != snp::Product::kUnknown) return from_cpuid;
  return permission_denied(fmt::format(
      "SEV-SNP: cannot determine the product: {} productName \"{}\" is not known and the report "
      "has no known CPUID (version {}, family 0x{:x} model 0x{:x})",
      leaf, ext.product_name.value_or(""), r.version, r.cpuid_fam_id, r.cpuid_mod_id));
}

Status check_validity(std::string_view role, const crypto::Certificate& cert,
                      const ValidityPeriod& v, UnixSeconds now) {
  if (now < v.not_before || now > v.not_after) {
    return permission_denied(fmt::format(
        "SEV-SNP: {} certificate ({}) is not valid at {}: valid from {} to {}", role,
        cert.subject_common_name(), format_rfc3339(now), format_rfc3339(v.not_before),
        format_rfc3339(v.not_after)));
  }
  return ok_status();
}

// Check 16: REPORTED_TCB equals the TCB the leaf was issued for.
Status check_reported_tcb(const snp::AttestationReport& r, const VekExtensions& ext,
                          snp::Product product, std::string_view leaf) {
  struct Spl {
    const char* name;
    const std::optional<uint8_t>& value;
  };
  std::vector<Spl> spls = {{"blSPL", ext.bl_spl},
                           {"teeSPL", ext.tee_spl},
                           {"snpSPL", ext.snp_spl},
                           {"ucodeSPL", ext.ucode_spl}};
  if (product == snp::Product::kTurin) spls.push_back({"fmcSPL", ext.fmc_spl});
  for (const Spl& s : spls) {
    if (!s.value) {
      return permission_denied(fmt::format("SEV-SNP: {} has no {} extension", leaf, s.name));
    }
  }
  snp::TcbParts parts;
  parts.boot_loader = *ext.bl_spl;
  parts.tee = *ext.tee_spl;
  parts.snp = *ext.snp_spl;
  parts.microcode = *ext.ucode_spl;
  if (product == snp::Product::kTurin) parts.fmc = *ext.fmc_spl;
  const snp::TcbVersion endorsed = snp::TcbVersion::from_parts(product, parts);
  if (endorsed != r.reported_tcb) {
    return permission_denied(fmt::format(
        "SEV-SNP: REPORTED_TCB {} does not match the {} TCB {}",
        describe_tcb(r.reported_tcb, product), leaf, describe_tcb(endorsed, product)));
  }
  return ok_status();
}

// Check 17: CHIP_ID equals the VCEK's hwID (Turin: its 8 bytes, the first 8 of CHIP_ID).
Status check_chip_id(const snp::AttestationReport& r, const VekExtensions& ext,
                     snp::Product product) {
  if (!ext.hw_id) return permission_denied("SEV-SNP: VCEK has no hwID extension");
  const Bytes& hw = *ext.hw_id;
  std::size_t n = 0;
  if (hw.size() == kHwIdSize) {
    n = kHwIdSize;
  } else if (hw.size() == kTurinHwIdSize && product == snp::Product::kTurin) {
    n = kTurinHwIdSize;
  } else {
    return permission_denied(fmt::format("SEV-SNP: VCEK hwID is {} bytes, not valid for {}",
                                         hw.size(), snp::product_name(product)));
  }
  if (!std::equal(hw.begin(), hw.end(), r.chip_id.begin())) {
    return permission_denied(fmt::format(
        "SEV-SNP: CHIP_ID {} does not match the VCEK hwID {}",
        hex_encode(ByteSpan(r.chip_id.data(), n)), hex_encode(hw)));
  }
  return ok_status();
}

}  // namespace

StatusOr<Verdict> SnpVerifier::verify(ByteSpan report_bytes,
                                      std::span<const crypto::Certificate> certs,
                                      const Clock& clock, const AppraisalPolicy& policy) const {
  auto report = snp::AttestationReport::parse(report_bytes);
  if (!report.ok()) {
    const Status& s = report.status();
    if (s.message().rfind("SEV-SNP:", 0) == 0) return s;
    return Status(s.code(), "SEV-SNP: " + s.message());
  }
  return verify(*report, certs, clock, policy);
}

StatusOr<Verdict> SnpVerifier::verify(const snp::AttestationReport& report,
                                      std::span<const crypto::Certificate> certs,
                                      const Clock& clock, const AppraisalPolicy& policy) const {
  Verdict v;
  v.verified_at = clock.now();
  v.signing_key = report.key_info.signing_key;
  std::vector<std::string>& passed = v.checks_passed;
  passed.emplace_back("report_size");  // AttestationReport::parse checked it

  MPCC_RETURN_IF_ERROR(check_structure(report, passed));
  MPCC_ASSIGN_OR_RETURN(std::shared_ptr<const VerifiedChain> chain,
                        verify_chain(report, certs, v));
  const std::string_view leaf = leaf_role(chain->kind);

  // 14: validity of ARK, ASK/ASVK and leaf at the clock's time (never cached).
  MPCC_RETURN_IF_ERROR(check_validity("ARK", chain->root, chain->root_validity, v.verified_at));
  MPCC_RETURN_IF_ERROR(check_validity(intermediate_role(chain->kind), chain->intermediate,
                                      chain->intermediate_validity, v.verified_at));
  MPCC_RETURN_IF_ERROR(check_validity(leaf, chain->leaf, chain->leaf_validity, v.verified_at));
  passed.emplace_back("validity");

  // 15: the report signature, ECDSA P-384/SHA-384 over [0, 0x2A0).
  const crypto::PublicKey& key = chain->leaf_key;
  if (key.type() != crypto::KeyType::kEc || key.curve() != crypto::Curve::kP384) {
    return permission_denied(fmt::format("SEV-SNP: {} public key is not ECDSA P-384", leaf));
  }
  auto der = crypto::ecdsa_raw_to_der(report.signature_raw());
  if (!der.ok()) {
    return permission_denied(fmt::format("SEV-SNP: report signature is malformed: {}",
                                         der.status().message()));
  }
  const Bytes digest = crypto::sha384(report.signed_bytes());
  if (!crypto::verify_ecdsa_digest(key, digest, *der).ok()) {
    return permission_denied(fmt::format("SEV-SNP: report signature does not verify with the {}",
                                         leaf));
  }
  passed.emplace_back("report_signature");

  // 16, 17: what the leaf was issued for.
  MPCC_RETURN_IF_ERROR(check_reported_tcb(report, chain->extensions, v.product, leaf));
  passed.emplace_back("reported_tcb");
  if (chain->kind == snp::SigningKey::kVcek) {
    MPCC_RETURN_IF_ERROR(check_chip_id(report, chain->extensions, v.product));
    passed.emplace_back("chip_id");
  }

  // 18: the caller's expectations.
  MPCC_RETURN_IF_ERROR(appraise(report, v.product, policy, passed));

  v.report = report;
  v.signing_key = chain->kind;
  v.simulated = chain->anchor_kind != AnchorKind::kAmd;
  v.anchor_kind = chain->anchor_kind;
  v.trust_anchor = chain->anchor_label;
  v.trust_anchor_subject = chain->root_subject;
  v.intermediate_subject = chain->intermediate_subject;
  v.leaf_subject = chain->leaf_subject;
  v.leaf_validity = chain->leaf_validity;
  v.csp_id = chain->extensions.csp_id;
  v.product_name = chain->extensions.product_name;
  return v;
}

// Checks 6-13: leaf, product, ASK/ASVK, ARK, pinning and the chain signatures.
StatusOr<std::shared_ptr<const VerifiedChain>> SnpVerifier::verify_chain(
    const snp::AttestationReport& report, std::span<const crypto::Certificate> certs,
    Verdict& v) const {
  std::vector<std::string>& passed = v.checks_passed;
  const snp::SigningKey want = report.key_info.signing_key;

  // 6: the leaf is there and is the kind of key KEY_INFO names.
  CertificateRoles roles = sort_by_role(certs);
  if (roles.leaves.empty()) {
    return invalid_argument(fmt::format("SEV-SNP: no {} certificate given (KEY_INFO names the {})",
                                        leaf_role(want), leaf_role(want)));
  }
  if (roles.leaves.size() > 1) {
    return invalid_argument(fmt::format(
        "SEV-SNP: {} leaf (non-CA) certificates given; expected exactly one {}",
        roles.leaves.size(), leaf_role(want)));
  }
  const crypto::Certificate& leaf = roles.leaves.front();
  MPCC_ASSIGN_OR_RETURN(VekExtensions ext, decode_vek_extensions(leaf));
  MPCC_ASSIGN_OR_RETURN(snp::SigningKey kind, leaf_kind(leaf, ext));
  if (kind != want) {
    return permission_denied(fmt::format(
        "SEV-SNP: KEY_INFO says the report is signed by the {} but the leaf certificate is a {}",
        leaf_role(want), leaf_role(kind)));
  }
  passed.emplace_back("leaf_certificate");

  // 7: the product.
  MPCC_ASSIGN_OR_RETURN(v.product, determine_product(report, ext, leaf_role(kind)));
  passed.emplace_back("product");
  const AmdCertificates* amd = amd_certificates(v.product);

  // 8: the ASK (VCEK) or ASVK (VLEK): given, else built in.
  const crypto::Certificate* intermediate = pick_issuer(roles.intermediates, leaf);
  if (!intermediate && amd) intermediate = kind == snp::SigningKey::kVlek ? &amd->asvk : &amd->ask;
  if (!intermediate) {
    return permission_denied(fmt::format("SEV-SNP: no {} certificate for {}",
                                         intermediate_role(kind), snp::product_name(v.product)));
  }
  passed.emplace_back("intermediate");

  // 9: the ARK: given, else a trust anchor named as the intermediate's issuer,
  // else the built-in one for the product.
  const crypto::Certificate* root = pick_issuer(roles.roots, *intermediate);
  if (!root) {
    std::vector<const TrustAnchor*> named = trust_->find_by_subject(intermediate->issuer());
    for (const TrustAnchor* a : named) {
      if (named.size() == 1 || intermediate->verify_signed_by(a->certificate).ok()) {
        root = &a->certificate;
        break;
      }
    }
    if (!root && !named.empty()) root = &named.front()->certificate;
  }
  if (!root && amd) root = &amd->ark;
  if (!root) {
    return permission_denied(
        fmt::format("SEV-SNP: no ARK certificate for {}", snp::product_name(v.product)));
  }
  passed.emplace_back("root");

  const std::string key = ChainCache::key_for(leaf, *intermediate, *root);
  if (auto cached = cache_->find(key)) {
    v.chain_cached = true;
    for (const char* name : {"root_pinned", "root_self_signed", "intermediate_signed_by_root",
                             "leaf_signed_by_intermediate"}) {
      passed.emplace_back(name);
    }
    return cached;
  }

  // 10: the ARK is a trust anchor (DER or SPKI equality).
  const TrustAnchor* anchor = trust_->find(*root);
  if (!anchor) {
    return permission_denied(fmt::format(
        "SEV-SNP: ARK is not a trusted root: {} (SHA-256 {})", root->subject(),
        hex_encode(root->sha256_fingerprint())));
  }
  passed.emplace_back("root_pinned");
  // 11: self-signed.
  if (!root->is_self_signed()) {
    return permission_denied(
        fmt::format("SEV-SNP: ARK ({}) is not self-signed", root->subject_common_name()));
  }
  passed.emplace_back("root_self_signed");
  // 12: ASK/ASVK <- ARK (RSASSA-PSS/SHA-384 on AMD's certificates).
  if (!intermediate->verify_signed_by(*root).ok()) {
    return permission_denied(fmt::format("SEV-SNP: {} ({}) is not signed by the ARK ({})",
                                         intermediate_role(kind),
                                         intermediate->subject_common_name(),
                                         root->subject_common_name()));
  }
  passed.emplace_back("intermediate_signed_by_root");
  // 13: leaf <- ASK/ASVK.
  if (!leaf.verify_signed_by(*intermediate).ok()) {
    return permission_denied(fmt::format("SEV-SNP: {} is not signed by the {} ({})",
                                         leaf_role(kind), intermediate_role(kind),
                                         intermediate->subject_common_name()));
  }
  passed.emplace_back("leaf_signed_by_intermediate");

  auto chain = std::make_shared<VerifiedChain>(VerifiedChain{
      leaf,
      *intermediate,
      *root,
      leaf.public_key(),
      std::move(ext),
      kind,
      anchor->kind,
      anchor->label,
      leaf.subject(),
      intermediate->subject(),
      root->subject(),
      {leaf.not_before(), leaf.not_after()},
      {intermediate->not_before(), intermediate->not_after()},
      {root->not_before(), root->not_after()},
  });
  cache_->insert(key, chain);
  return std::shared_ptr<const VerifiedChain>(std::move(chain));
}

}  // namespace mpcc::verifier
