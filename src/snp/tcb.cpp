#include "snp/tcb.h"

#include <cctype>
#include <string>

#include <fmt/format.h>

namespace mpcc::snp {

std::string_view product_name(Product p) {
  switch (p) {
    case Product::kMilan: return "Milan";
    case Product::kGenoa: return "Genoa";
    case Product::kTurin: return "Turin";
    case Product::kUnknown: break;
  }
  return "unknown";
}

Product product_from_name(std::string_view name) {
  // KDS and VCEK productName spellings: "Milan", "Milan-B0", "Genoa", "Turin"...
  std::string base(name.substr(0, name.find('-')));
  for (auto& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (base == "milan") return Product::kMilan;
  if (base == "genoa") return Product::kGenoa;
  if (base == "turin") return Product::kTurin;
  return Product::kUnknown;
}

Product product_from_cpuid(uint8_t family, uint8_t model) {
  if (family == 0x19) {
    if (model <= 0x0F) return Product::kMilan;
    if ((model >= 0x10 && model <= 0x1F) || (model >= 0xA0 && model <= 0xAF)) return Product::kGenoa;
  }
  if (family == 0x1A && model <= 0x1F) return Product::kTurin;
  return Product::kUnknown;
}

namespace {
uint8_t byte_at(uint64_t v, int i) { return static_cast<uint8_t>(v >> (8 * i)); }
}  // namespace

TcbParts TcbVersion::parts(Product product) const {
  TcbParts p;
  if (product == Product::kTurin) {
    p.fmc = byte_at(raw, 0);
    p.boot_loader = byte_at(raw, 1);
    p.tee = byte_at(raw, 2);
    p.snp = byte_at(raw, 3);
  } else {
    p.boot_loader = byte_at(raw, 0);
    p.tee = byte_at(raw, 1);
    p.snp = byte_at(raw, 6);
  }
  p.microcode = byte_at(raw, 7);
  return p;
}

TcbVersion TcbVersion::from_parts(Product product, const TcbParts& p) {
  TcbVersion t;
  auto put = [&t](int i, uint8_t v) { t.raw |= static_cast<uint64_t>(v) << (8 * i); };
  if (product == Product::kTurin) {
    put(0, p.fmc.value_or(0));
    put(1, p.boot_loader);
    put(2, p.tee);
    put(3, p.snp);
  } else {
    put(0, p.boot_loader);
    put(1, p.tee);
    put(6, p.snp);
  }
  put(7, p.microcode);
  return t;
}

std::string TcbVersion::tcbm() const { return fmt::format("{:016x}", raw); }

bool tcb_at_least(const TcbVersion& a, const TcbVersion& b, Product product) {
  TcbParts pa = a.parts(product), pb = b.parts(product);
  if (pa.fmc.value_or(0) < pb.fmc.value_or(0)) return false;
  return pa.boot_loader >= pb.boot_loader && pa.tee >= pb.tee && pa.snp >= pb.snp &&
         pa.microcode >= pb.microcode;
}

}  // namespace mpcc::snp
