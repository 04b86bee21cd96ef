// File: verifier/test/synthetic_pki.h
//
// Test helpers: an ARK -> ASK -> VCEK/VLEK chain made with crypto::issue_certificate
// (RSA-2048 ARK/ASK signing RSASSA-PSS/SHA-384 like AMD's, EC P-384 leaf with
// AMD's extensions), and reports signed with the leaf key, so each checklist
// step can be isolated by changing exactly one thing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "snp/report.h"
#include "snp/tcb.h"

namespace mpcc::verifier::vtest {

inline constexpr UnixSeconds kNotBefore = 1704067200;  // 2024-01-01
inline constexpr UnixSeconds kNotAfter = 2019686400;   // 2034-01-01
inline constexpr UnixSeconds kNow = 1735689600;        // 2025-01-01

using Name = std::vector<std::pair<std::string, std::string>>;
Name amd_name(const std::string& cn);

struct LeafSpec {
  bool vlek = false;
  std::string common_name;  // default "SEV-VCEK" / "SEV-VLEK"
  std::optional<std::string> product_name = std::string("Milan-B0");
  snp::Product product = snp::Product::kMilan;  // TCB layout of the report
  snp::TcbParts tcb{std::nullopt, 3, 0, 8, 115};
  bool omit_ucode_spl = false;
  Bytes hw_id = Bytes(64, 0xA5);  // VCEK only
  std::string csp_id = "CN=cc-test.example";  // VLEK only
  UnixSeconds not_before = kNotBefore;
  UnixSeconds not_after = kNotAfter;
  crypto::Curve curve = crypto::Curve::kP384;
};

// Process-wide RSA keys (generated once: RSA generation is slow).
const crypto::PrivateKey& ark_key();
const crypto::PrivateKey& ask_key();
const crypto::PrivateKey& other_rsa_key();

crypto::Certificate make_root(const std::string& cn, const crypto::PrivateKey& key,
                              UnixSeconds not_before = kNotBefore, UnixSeconds not_after = kNotAfter);
crypto::Certificate make_intermediate(const std::string& cn, const crypto::PrivateKey& key,
                                      const crypto::Certificate& issuer,
                                      const crypto::PrivateKey& issuer_key,
                                      UnixSeconds not_before = kNotBefore,
                                      UnixSeconds not_after = kNotAfter);
crypto::Certificate make_leaf(const LeafSpec& spec, const crypto::PrivateKey& key,
                              const crypto::Certificate& issuer,
                              const crypto::PrivateKey& issuer_key);

// A consistent chain and a report template matching the leaf.
struct SyntheticChain {
  LeafSpec spec;
  crypto::PrivateKey leaf_key;
  crypto::Certificate ark;
  crypto::Certificate ask;
  crypto::Certificate leaf;

  std::vector<crypto::Certificate> certs() const { return {leaf, ask, ark}; }
  // Version 3, POLICY 0x30000, VMPL 0, KEY_INFO for the leaf kind, CPUID of
  // the product, REPORTED/CURRENT/COMMITTED/LAUNCH_TCB = the leaf's TCB,
  // CHIP_ID = hwID (VCEK) or zero (VLEK). Not signed yet.
  snp::AttestationReport report_template() const;
};

SyntheticChain make_chain(const LeafSpec& spec = {});

// Serializes `r`, signs [0, 0x2A0) with `key` (ECDSA P-384/SHA-384) and
// stores R and S; `r.raw` then holds the signed bytes.
void sign_report(snp::AttestationReport& r, const crypto::PrivateKey& key);

}  // namespace mpcc::verifier::vtest
