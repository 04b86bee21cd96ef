#include "snp/report_json.h"

#include "snp/policy.h"
#include "snp/vek_extensions.h"

namespace mpcc::snp {

namespace {
template <std::size_t N>
std::string hex(const std::array<uint8_t, N>& a) {
  return hex_encode(ByteSpan(a.data(), N));
}

}  // namespace

nlohmann::json tcb_to_json(const TcbVersion& tcb, Product product) {
  TcbParts p = tcb.parts(product);
  nlohmann::json j{{"raw", tcb.tcbm()},
                   {"boot_loader", p.boot_loader},
                   {"tee", p.tee},
                   {"snp", p.snp},
                   {"microcode", p.microcode}};
  if (p.fmc) j["fmc"] = *p.fmc;
  return j;
}

nlohmann::json report_to_json(const AttestationReport& r, Product product) {
  if (product == Product::kUnknown && r.version >= 3) {
    product = product_from_cpuid(r.cpuid_fam_id, r.cpuid_mod_id);
  }
  Product layout = product == Product::kUnknown ? Product::kMilan : product;
  nlohmann::json j;
  j["version"] = r.version;
  j["guest_svn"] = r.guest_svn;
  j["policy"] = GuestPolicy{r.policy};
  j["family_id"] = hex(r.family_id);
  j["image_id"] = hex(r.image_id);
  j["vmpl"] = r.vmpl;
  j["signature_algo"] = r.signature_algo;
  j["current_tcb"] = tcb_to_json(r.current_tcb, layout);
  j["platform_info"] = PlatformInfo{r.platform_info};
  j["key_info"] = {{"raw", r.key_info.raw},
                   {"author_key_en", r.key_info.author_key_en},
                   {"mask_chip_key", r.key_info.mask_chip_key},
                   {"signing_key", signing_key_name(r.key_info.signing_key)}};
  j["report_data"] = hex(r.report_data);
  j["measurement"] = hex(r.measurement);
  j["host_data"] = hex(r.host_data);
  j["id_key_digest"] = hex(r.id_key_digest);
  j["author_key_digest"] = hex(r.author_key_digest);
  j["report_id"] = hex(r.report_id);
  j["report_id_ma"] = hex(r.report_id_ma);
  j["reported_tcb"] = tcb_to_json(r.reported_tcb, layout);
  if (r.version >= 3) {
    j["cpuid_fam_id"] = r.cpuid_fam_id;
    j["cpuid_mod_id"] = r.cpuid_mod_id;
    j["cpuid_step"] = r.cpuid_step;
  }
  j["chip_id"] = hex(r.chip_id);
  j["committed_tcb"] = tcb_to_json(r.committed_tcb, layout);
  j["current_version"] = {{"major", r.current_major}, {"minor", r.current_minor}, {"build", r.current_build}};
  j["committed_version"] = {
      {"major", r.committed_major}, {"minor", r.committed_minor}, {"build", r.committed_build}};
  j["launch_tcb"] = tcb_to_json(r.launch_tcb, layout);
  if (r.version >= 5) {
    j["launch_mit_vector"] = r.launch_mit_vector;
    j["current_mit_vector"] = r.current_mit_vector;
  }
  j["signature"] = {{"r", hex(r.signature_r)}, {"s", hex(r.signature_s)}};
  j["product_layout"] = product_name(layout);
  return j;
}

}  // namespace mpcc::snp
