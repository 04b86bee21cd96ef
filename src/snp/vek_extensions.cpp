#include "snp/vek_extensions.h"

#include <fmt/format.h>

namespace mpcc::snp {

snp::Product VekExtensions::product() const {
  return product_name ? snp::product_from_name(*product_name) : snp::Product::kUnknown;
}

snp::TcbParts VekExtensions::tcb_parts() const {
  snp::TcbParts t;
  t.fmc = fmc_spl;
  t.boot_loader = bl_spl.value_or(0);
  t.tee = tee_spl.value_or(0);
  t.snp = snp_spl.value_or(0);
  t.microcode = ucode_spl.value_or(0);
  return t;
}

namespace {

crypto::ExtensionSpec ext(std::string_view oid, Bytes value) {
  return crypto::ExtensionSpec{std::string(oid), std::move(value), false};
}

Status malformed(std::string_view name, std::string_view why) {
  return invalid_argument(fmt::format("SEV-SNP: certificate extension {} is malformed: {}", name, why));
}

Status decode_spl(const crypto::Certificate& cert, std::string_view oid, std::string_view name,
                  std::optional<uint8_t>& out) {
  auto raw = cert.extension_value(oid);
  if (!raw) return ok_status();
  auto v = crypto::der_parse_integer(*raw);
  if (!v.ok()) return malformed(name, v.status().message());
  if (*v > 0xff) return malformed(name, fmt::format("value {} exceeds 255", *v));
  out = static_cast<uint8_t>(*v);
  return ok_status();
}

Status decode_string(const crypto::Certificate& cert, std::string_view oid, std::string_view name,
                     std::optional<std::string>& out) {
  auto raw = cert.extension_value(oid);
  if (!raw) return ok_status();
  auto s = crypto::der_parse_string(*raw);
  if (!s.ok()) return malformed(name, s.status().message());
  out = std::move(s).value();
  return ok_status();
}

bool valid_hwid_size(std::size_t n) { return n == kHwIdSize || n == kTurinHwIdSize; }

Status decode_hwid(const crypto::Certificate& cert, std::optional<Bytes>& out) {
  auto raw = cert.extension_value(oid::kHwId);
  if (!raw) return ok_status();
  const Bytes& v = *raw;
  if (valid_hwid_size(v.size())) {  // AMD's encoding: the raw bytes
    out = v;
    return ok_status();
  }
  // Some issuers wrap it in an OCTET STRING: 04 <len> <bytes>, short-form length.
  if (v.size() >= 2 && v[0] == 0x04 && v[1] < 0x80 && v.size() == 2u + v[1] &&
      valid_hwid_size(v[1])) {
    out = Bytes(v.begin() + 2, v.end());
    return ok_status();
  }
  return malformed("hwID", fmt::format("{} bytes (expected 64, or 8 on Turin)", v.size()));
}

}  // namespace

StatusOr<VekExtensions> decode_vek_extensions(const crypto::Certificate& cert) {
  VekExtensions e;
  if (auto raw = cert.extension_value(oid::kStructVersion)) {
    auto v = crypto::der_parse_integer(*raw);
    if (!v.ok()) return malformed("structVersion", v.status().message());
    e.struct_version = *v;
  }
  MPCC_RETURN_IF_ERROR(decode_string(cert, oid::kProductName, "productName", e.product_name));
  MPCC_RETURN_IF_ERROR(decode_spl(cert, oid::kBlSpl, "blSPL", e.bl_spl));
  MPCC_RETURN_IF_ERROR(decode_spl(cert, oid::kTeeSpl, "teeSPL", e.tee_spl));
  MPCC_RETURN_IF_ERROR(decode_spl(cert, oid::kSnpSpl, "snpSPL", e.snp_spl));
  MPCC_RETURN_IF_ERROR(decode_spl(cert, oid::kUcodeSpl, "ucodeSPL", e.ucode_spl));
  MPCC_RETURN_IF_ERROR(decode_spl(cert, oid::kFmcSpl, "fmcSPL", e.fmc_spl));
  MPCC_RETURN_IF_ERROR(decode_hwid(cert, e.hw_id));
  MPCC_RETURN_IF_ERROR(decode_string(cert, oid::kCspId, "csp_id", e.csp_id));
  return e;
}

StatusOr<snp::SigningKey> leaf_kind(const crypto::Certificate& cert, const VekExtensions& ext) {
  const std::string cn = cert.subject_common_name();
  const bool vlek_signs = ext.csp_id.has_value() || cn == "SEV-VLEK";
  const bool vcek_signs = ext.hw_id.has_value() || cn == "SEV-VCEK";
  if (vlek_signs && vcek_signs) {
    return invalid_argument(fmt::format(
        "SEV-SNP: leaf certificate \"{}\" is both VCEK- and VLEK-shaped (hwID {}, csp_id {})", cn,
        ext.hw_id ? "present" : "absent", ext.csp_id ? "present" : "absent"));
  }
  if (vlek_signs) return snp::SigningKey::kVlek;
  if (vcek_signs) return snp::SigningKey::kVcek;
  return invalid_argument(fmt::format(
      "SEV-SNP: leaf certificate \"{}\" is neither a VCEK (no hwID) nor a VLEK (no csp_id)", cn));
}

std::vector<crypto::ExtensionSpec> make_vcek_extensions(snp::Product product,
                                                        const std::string& product_name,
                                                        const snp::TcbParts& tcb, ByteSpan hwid) {
  constexpr std::string_view kSplPrefix = "1.3.6.1.4.1.3704.1.3.";
  const bool turin = product == snp::Product::kTurin;
  auto reserved = [&](std::vector<crypto::ExtensionSpec>& out, int first) {
    for (int i = first; i <= 7; ++i) {
      out.push_back(ext(fmt::format("{}{}", kSplPrefix, i), crypto::der_integer(0)));
    }
  };
  std::vector<crypto::ExtensionSpec> out;
  out.push_back(ext(oid::kStructVersion, crypto::der_integer(turin ? 1 : 0)));
  out.push_back(ext(oid::kProductName, crypto::der_ia5_string(product_name)));
  if (turin) {
    out.push_back(ext(oid::kFmcSpl, crypto::der_integer(tcb.fmc.value_or(0))));
    out.push_back(ext(oid::kBlSpl, crypto::der_integer(tcb.boot_loader)));
    out.push_back(ext(oid::kTeeSpl, crypto::der_integer(tcb.tee)));
    out.push_back(ext(oid::kSnpSpl, crypto::der_integer(tcb.snp)));
    reserved(out, 5);
  } else {
    out.push_back(ext(oid::kBlSpl, crypto::der_integer(tcb.boot_loader)));
    out.push_back(ext(oid::kTeeSpl, crypto::der_integer(tcb.tee)));
    reserved(out, 4);
    out.push_back(ext(oid::kSnpSpl, crypto::der_integer(tcb.snp)));
  }
  out.push_back(ext(oid::kUcodeSpl, crypto::der_integer(tcb.microcode)));
  // Raw bytes, not an OCTET STRING inside the extnValue: AMD's encoding.
  out.push_back(ext(oid::kHwId, Bytes(hwid.begin(), hwid.end())));
  return out;
}

std::string_view signing_key_name(snp::SigningKey key) {
  switch (key) {
    case snp::SigningKey::kVcek:
      return "VCEK";
    case snp::SigningKey::kVlek:
      return "VLEK";
    case snp::SigningKey::kNone:
      return "none";
  }
  return "unknown";
}

}  // namespace mpcc::snp
