#include "platform/sim/chip_config.h"

#include <fmt/format.h>

#include <charconv>
#include <map>

namespace mpcc::platform::sim {

std::string default_product_name(snp::Product product) {
  switch (product) {
    case snp::Product::kMilan:
      return "Milan-B0";
    case snp::Product::kGenoa:
      return "Genoa";
    case snp::Product::kTurin:
      return "Turin";
    case snp::Product::kUnknown:
      break;
  }
  throw std::logic_error("default_product_name: unknown product");
}

CpuId product_cpuid(snp::Product product) {
  switch (product) {
    case snp::Product::kMilan:
      return {0x19, 0x01, 0x0};
    case snp::Product::kGenoa:
      return {0x19, 0x11, 0x1};
    case snp::Product::kTurin:
      return {0x1A, 0x02, 0x1};
    case snp::Product::kUnknown:
      break;
  }
  throw std::logic_error("product_cpuid: unknown product");
}

std::size_t hwid_size(snp::Product product) { return product == snp::Product::kTurin ? 8 : 64; }

Status validate(const ChipConfig& config) {
  if (config.product == snp::Product::kUnknown) {
    return invalid_argument("simulated chip: product must be Milan, Genoa or Turin");
  }
  if (config.report_version != 2 && config.report_version != 3 && config.report_version != 5) {
    return invalid_argument(
        fmt::format("simulated chip: report version {} not supported (2, 3 or 5)",
                    config.report_version));
  }
  if (!config.product_name.empty()) {
    if (config.product_name.size() > 32) {
      return invalid_argument("simulated chip: product name longer than 32 characters");
    }
    for (char c : config.product_name) {
      if (c < 0x21 || c > 0x7E) {
        return invalid_argument("simulated chip: product name must be printable ASCII");
      }
    }
    if (snp::product_from_name(config.product_name) != config.product) {
      return invalid_argument("simulated chip: product name '" + config.product_name +
                              "' does not name the product " +
                              std::string(snp::product_name(config.product)));
    }
  }
  if (config.tcb.fmc.has_value() && config.product != snp::Product::kTurin) {
    return invalid_argument("simulated chip: fmc SPL exists only on Turin");
  }
  return ok_status();
}

StatusOr<snp::TcbParts> parse_tcb_spec(std::string_view spec, snp::Product product) {
  std::map<std::string, uint8_t, std::less<>> values;
  std::size_t pos = 0;
  while (pos <= spec.size()) {
    std::size_t comma = spec.find(',', pos);
    if (comma == std::string_view::npos) comma = spec.size();
    std::string_view item = spec.substr(pos, comma - pos);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return invalid_argument("TCB spec: expected name=value, got '" + std::string(item) + "'");
    }
    std::string name(item.substr(0, eq));
    std::string_view text = item.substr(eq + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 255) {
      return invalid_argument("TCB spec: '" + name + "' needs a value 0..255");
    }
    if (name != "bl" && name != "tee" && name != "snp" && name != "ucode" && name != "fmc") {
      return invalid_argument("TCB spec: unknown component '" + name +
                              "' (bl, tee, snp, ucode, fmc)");
    }
    if (!values.emplace(name, static_cast<uint8_t>(value)).second) {
      return invalid_argument("TCB spec: '" + name + "' given twice");
    }
    pos = comma + 1;
  }
  for (const char* required : {"bl", "tee", "snp", "ucode"}) {
    if (values.find(required) == values.end()) {
      return invalid_argument(std::string("TCB spec: missing '") + required + "'");
    }
  }
  snp::TcbParts parts;
  parts.boot_loader = values["bl"];
  parts.tee = values["tee"];
  parts.snp = values["snp"];
  parts.microcode = values["ucode"];
  auto fmc = values.find("fmc");
  if (product == snp::Product::kTurin) {
    parts.fmc = fmc == values.end() ? uint8_t{0} : fmc->second;
  } else if (fmc != values.end()) {
    return invalid_argument("TCB spec: fmc exists only on Turin");
  }
  return parts;
}

std::string format_tcb_spec(const snp::TcbParts& parts) {
  std::string out;
  if (parts.fmc) out += fmt::format("fmc={},", *parts.fmc);
  out += fmt::format("bl={},tee={},snp={},ucode={}", parts.boot_loader, parts.tee, parts.snp,
                     parts.microcode);
  return out;
}

}  // namespace mpcc::platform::sim
