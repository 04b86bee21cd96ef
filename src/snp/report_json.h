// File: snp/report_json.h
//
// The decoded report as JSON (`mpcc snp show`): every field, byte arrays as
// lower-case hex, TCB components named with the product's layout, policy and
// platform-info bits spelled out.
#pragma once

#include <nlohmann/json.hpp>

#include "snp/report.h"
#include "snp/tcb.h"

namespace mpcc::snp {

nlohmann::json tcb_to_json(const TcbVersion& tcb, Product product);
// `product` selects the TCB layout; pass kUnknown to use CPUID (v3+) or Milan's.
nlohmann::json report_to_json(const AttestationReport& report, Product product = Product::kUnknown);

}  // namespace mpcc::snp
