#include "verifier/vek_extensions.h"

#include <fmt/format.h>

namespace mpcc::verifier {

snp::Product VekExtensions::product() const {
  return product_name ? snp::product_from_name(*product_name) : snp::Product::kUnknown;
}

namespace {

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

}  // namespace mpcc::verifier
