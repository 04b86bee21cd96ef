#include "snp/tcb.h"

#include <gtest/gtest.h>

namespace mpcc::snp {
namespace {

TEST(Tcb, MilanLayout) {
  TcbVersion t{0x7308000000000003ull};
  TcbParts p = t.parts(Product::kMilan);
  EXPECT_EQ(p.boot_loader, 3);
  EXPECT_EQ(p.tee, 0);
  EXPECT_EQ(p.snp, 8);
  EXPECT_EQ(p.microcode, 0x73);
  EXPECT_FALSE(p.fmc.has_value());
  EXPECT_EQ(t.tcbm(), "7308000000000003");
  EXPECT_EQ(TcbVersion::from_parts(Product::kGenoa, p), t);
}

TEST(Tcb, TurinLayout) {
  TcbParts p;
  p.fmc = 1;
  p.boot_loader = 2;
  p.tee = 3;
  p.snp = 4;
  p.microcode = 9;
  TcbVersion t = TcbVersion::from_parts(Product::kTurin, p);
  EXPECT_EQ(t.raw, 0x0900000004030201ull);
  TcbParts back = t.parts(Product::kTurin);
  EXPECT_EQ(back.fmc, 1);
  EXPECT_EQ(back.snp, 4);
  EXPECT_EQ(back.tee, 3);
}

TEST(Tcb, AtLeastIsComponentWise) {
  TcbVersion a{0x7308000000000003ull};
  TcbVersion lower_ucode{0x7208000000000003ull};
  TcbVersion higher_bl{0x7208000000000004ull};
  EXPECT_TRUE(tcb_at_least(a, lower_ucode, Product::kMilan));
  EXPECT_FALSE(tcb_at_least(lower_ucode, a, Product::kMilan));
  EXPECT_FALSE(tcb_at_least(a, higher_bl, Product::kMilan));  // bl 3 < 4 even though ucode higher
  EXPECT_TRUE(tcb_at_least(a, a, Product::kMilan));
}

TEST(Product, FromNameAndCpuid) {
  EXPECT_EQ(product_from_name("Milan-B0"), Product::kMilan);
  EXPECT_EQ(product_from_name("Genoa"), Product::kGenoa);
  EXPECT_EQ(product_from_name("turin"), Product::kTurin);
  EXPECT_EQ(product_from_name("Naples"), Product::kUnknown);
  EXPECT_EQ(product_from_cpuid(0x19, 0x01), Product::kMilan);
  EXPECT_EQ(product_from_cpuid(0x19, 0x11), Product::kGenoa);
  EXPECT_EQ(product_from_cpuid(0x19, 0xA0), Product::kGenoa);
  EXPECT_EQ(product_from_cpuid(0x1A, 0x02), Product::kTurin);
  EXPECT_EQ(product_from_cpuid(0x17, 0x01), Product::kUnknown);
}

}  // namespace
}  // namespace mpcc::snp
