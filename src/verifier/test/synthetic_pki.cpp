#include "verifier/test/synthetic_pki.h"

#include <algorithm>
#include <stdexcept>

#include "crypto/signature.h"
#include "snp/vek_extensions.h"

namespace mpcc::verifier::vtest {

namespace oid = snp::oid;

namespace {

template <typename T>
T must(StatusOr<T> v, const char* what) {
  if (!v.ok()) throw std::runtime_error(std::string(what) + ": " + v.status().to_string());
  return std::move(v).value();
}

crypto::PrivateKey gen_rsa() { return must(crypto::PrivateKey::generate_rsa(2048), "rsa keygen"); }

}  // namespace

Name amd_name(const std::string& cn) {
  return {{"OU", "Engineering"}, {"C", "US"}, {"L", "Santa Clara"}, {"ST", "CA"},
          {"O", "Synthetic Test Devices"}, {"CN", cn}};
}

const crypto::PrivateKey& ark_key() {
  static const crypto::PrivateKey k = gen_rsa();
  return k;
}
const crypto::PrivateKey& ask_key() {
  static const crypto::PrivateKey k = gen_rsa();
  return k;
}
const crypto::PrivateKey& other_rsa_key() {
  static const crypto::PrivateKey k = gen_rsa();
  return k;
}

crypto::Certificate make_root(const std::string& cn, const crypto::PrivateKey& key,
                              UnixSeconds not_before, UnixSeconds not_after) {
  crypto::CertificateSpec s;
  s.subject = amd_name(cn);
  s.serial = {0x01, 0x00, 0x00};
  s.not_before = not_before;
  s.not_after = not_after;
  s.is_ca = true;
  s.path_len = 1;
  s.key_cert_sign = true;
  return must(crypto::issue_certificate(s, key.public_key(), key, std::nullopt,
                                        crypto::CertSignature::kRsaPssSha384),
              "issue root");
}

crypto::Certificate make_intermediate(const std::string& cn, const crypto::PrivateKey& key,
                                      const crypto::Certificate& issuer,
                                      const crypto::PrivateKey& issuer_key, UnixSeconds not_before,
                                      UnixSeconds not_after) {
  crypto::CertificateSpec s;
  s.subject = amd_name(cn);
  s.serial = {0x01, 0x00, 0x01};
  s.not_before = not_before;
  s.not_after = not_after;
  s.is_ca = true;
  s.path_len = 0;
  s.key_cert_sign = true;
  return must(crypto::issue_certificate(s, key.public_key(), issuer_key, issuer,
                                        crypto::CertSignature::kRsaPssSha384),
              "issue intermediate");
}

crypto::Certificate make_leaf(const LeafSpec& spec, const crypto::PrivateKey& key,
                              const crypto::Certificate& issuer,
                              const crypto::PrivateKey& issuer_key) {
  crypto::CertificateSpec s;
  std::string cn = spec.common_name;
  if (cn.empty()) cn = spec.vlek ? "SEV-VLEK" : "SEV-VCEK";
  s.subject = amd_name(cn);
  s.not_before = spec.not_before;
  s.not_after = spec.not_after;
  auto add = [&s](std::string_view oid, Bytes v) {
    s.extensions.push_back({std::string(oid), std::move(v), false});
  };
  add(oid::kStructVersion, crypto::der_integer(1));
  if (spec.product_name) add(oid::kProductName, crypto::der_ia5_string(*spec.product_name));
  add(oid::kBlSpl, crypto::der_integer(spec.tcb.boot_loader));
  add(oid::kTeeSpl, crypto::der_integer(spec.tcb.tee));
  add(oid::kSnpSpl, crypto::der_integer(spec.tcb.snp));
  if (!spec.omit_ucode_spl) add(oid::kUcodeSpl, crypto::der_integer(spec.tcb.microcode));
  if (spec.tcb.fmc) add(oid::kFmcSpl, crypto::der_integer(*spec.tcb.fmc));
  if (spec.vlek) {
    add(oid::kCspId, crypto::der_ia5_string(spec.csp_id));
  } else {
    add(oid::kHwId, spec.hw_id);
  }
  return must(crypto::issue_certificate(s, key.public_key(), issuer_key, issuer,
                                        crypto::CertSignature::kRsaPssSha384),
              "issue leaf");
}

snp::AttestationReport SyntheticChain::report_template() const {
  snp::AttestationReport r;
  r.version = 3;
  r.guest_svn = 1;
  r.policy = 0x30000;
  r.vmpl = 0;
  r.signature_algo = snp::kSignatureAlgoEcdsaP384Sha384;
  const snp::TcbVersion tcb = snp::TcbVersion::from_parts(spec.product, spec.tcb);
  r.current_tcb = tcb;
  r.reported_tcb = tcb;
  r.committed_tcb = tcb;
  r.launch_tcb = tcb;
  r.platform_info = 0x1;
  r.key_info.signing_key = spec.vlek ? snp::SigningKey::kVlek : snp::SigningKey::kVcek;
  for (std::size_t i = 0; i < r.report_data.size(); ++i) r.report_data[i] = static_cast<uint8_t>(i);
  r.measurement.fill(0x4D);
  r.host_data.fill(0x48);
  switch (spec.product) {
    case snp::Product::kTurin:
      r.cpuid_fam_id = 0x1A;
      r.cpuid_mod_id = 0x11;
      break;
    case snp::Product::kGenoa:
      r.cpuid_fam_id = 0x19;
      r.cpuid_mod_id = 0x11;
      break;
    default:
      r.cpuid_fam_id = 0x19;
      r.cpuid_mod_id = 0x01;
      break;
  }
  r.cpuid_step = 1;
  if (!spec.vlek) {
    std::copy_n(spec.hw_id.begin(), std::min(spec.hw_id.size(), r.chip_id.size()),
                r.chip_id.begin());
  }
  r.report_id_ma.fill(0xFF);
  return r;
}

SyntheticChain make_chain(const LeafSpec& spec) {
  crypto::PrivateKey leaf_key = must(crypto::PrivateKey::generate_ec(spec.curve), "ec keygen");
  crypto::Certificate ark = make_root("ARK-Synthetic", ark_key());
  crypto::Certificate ask =
      make_intermediate(spec.vlek ? "SEV-VLEK-Synthetic" : "SEV-Synthetic", ask_key(), ark, ark_key());
  crypto::Certificate leaf = make_leaf(spec, leaf_key, ask, ask_key());
  return SyntheticChain{spec, leaf_key, ark, ask, leaf};
}

void sign_report(snp::AttestationReport& r, const crypto::PrivateKey& key) {
  r.serialize();
  Bytes der = must(crypto::sign(key, crypto::SignatureAlg::kEcdsaP384Sha384, r.signed_bytes()),
                   "sign report");
  Bytes raw = must(crypto::ecdsa_der_to_raw(der, 48), "der to raw");
  std::copy_n(raw.begin(), 48, r.signature_r.begin());
  std::copy_n(raw.begin() + 48, 48, r.signature_s.begin());
  r.serialize();
}

}  // namespace mpcc::verifier::vtest
