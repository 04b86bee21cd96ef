#include "platform/sim/vcek_extensions.h"

#include <fmt/format.h>

namespace mpcc::platform::sim {

namespace {

constexpr const char* kOidSplPrefix = "1.3.6.1.4.1.3704.1.3.";

crypto::ExtensionSpec ext(std::string oid, Bytes value) {
  return crypto::ExtensionSpec{std::move(oid), std::move(value), false};
}

StatusOr<uint8_t> read_spl(const crypto::Certificate& cert, const char* oid, const char* name) {
  auto value = cert.extension_value(oid);
  if (!value) return invalid_argument(fmt::format("X509: VCEK lacks the {} extension ({})", name, oid));
  auto parsed = crypto::der_parse_integer(*value);
  if (!parsed.ok()) {
    return invalid_argument(fmt::format("X509: VCEK {} extension is not a DER INTEGER", name));
  }
  if (*parsed > 255) return invalid_argument(fmt::format("X509: VCEK {} {} exceeds 255", name, *parsed));
  return static_cast<uint8_t>(*parsed);
}

}  // namespace

std::vector<crypto::ExtensionSpec> make_vcek_extensions(snp::Product product,
                                                        const std::string& product_name,
                                                        const snp::TcbParts& tcb,
                                                        ByteSpan hwid) {
  const bool turin = product == snp::Product::kTurin;
  std::vector<crypto::ExtensionSpec> out;
  out.push_back(ext(kOidStructVersion, crypto::der_integer(turin ? 1 : 0)));
  out.push_back(ext(kOidProductName, crypto::der_ia5_string(product_name)));
  if (turin) {
    out.push_back(ext(kOidFmcSpl, crypto::der_integer(tcb.fmc.value_or(0))));
    out.push_back(ext(kOidBlSpl, crypto::der_integer(tcb.boot_loader)));
    out.push_back(ext(kOidTeeSpl, crypto::der_integer(tcb.tee)));
    out.push_back(ext(kOidSnpSpl, crypto::der_integer(tcb.snp)));
    for (int reserved = 5; reserved <= 7; ++reserved) {
      out.push_back(ext(fmt::format("{}{}", kOidSplPrefix, reserved), crypto::der_integer(0)));
    }
  } else {
    out.push_back(ext(kOidBlSpl, crypto::der_integer(tcb.boot_loader)));
    out.push_back(ext(kOidTeeSpl, crypto::der_integer(tcb.tee)));
    for (int reserved = 4; reserved <= 7; ++reserved) {
      out.push_back(ext(fmt::format("{}{}", kOidSplPrefix, reserved), crypto::der_integer(0)));
    }
    out.push_back(ext(kOidSnpSpl, crypto::der_integer(tcb.snp)));
  }
  out.push_back(ext(kOidUcodeSpl, crypto::der_integer(tcb.microcode)));
  // Raw bytes, not an OCTET STRING inside the OCTET STRING: AMD's encoding.
  out.push_back(ext(kOidHwId, Bytes(hwid.begin(), hwid.end())));
  return out;
}

StatusOr<VcekExtensions> decode_vcek_extensions(const crypto::Certificate& vcek) {
  VcekExtensions out;
  auto version = vcek.extension_value(kOidStructVersion);
  if (!version) return invalid_argument("X509: VCEK lacks the structVersion extension");
  MPCC_ASSIGN_OR_RETURN(out.struct_version, crypto::der_parse_integer(*version));
  auto name = vcek.extension_value(kOidProductName);
  if (!name) return invalid_argument("X509: VCEK lacks the productName extension");
  MPCC_ASSIGN_OR_RETURN(out.product_name, crypto::der_parse_string(*name));
  MPCC_ASSIGN_OR_RETURN(out.tcb.boot_loader, read_spl(vcek, kOidBlSpl, "blSPL"));
  MPCC_ASSIGN_OR_RETURN(out.tcb.tee, read_spl(vcek, kOidTeeSpl, "teeSPL"));
  MPCC_ASSIGN_OR_RETURN(out.tcb.snp, read_spl(vcek, kOidSnpSpl, "snpSPL"));
  MPCC_ASSIGN_OR_RETURN(out.tcb.microcode, read_spl(vcek, kOidUcodeSpl, "ucodeSPL"));
  if (vcek.extension_value(kOidFmcSpl)) {
    MPCC_ASSIGN_OR_RETURN(uint8_t fmc, read_spl(vcek, kOidFmcSpl, "fmcSPL"));
    out.tcb.fmc = fmc;
  }
  auto hwid = vcek.extension_value(kOidHwId);
  if (!hwid) return invalid_argument("X509: VCEK lacks the hwID extension");
  out.hwid = std::move(*hwid);
  return out;
}

}  // namespace mpcc::platform::sim
