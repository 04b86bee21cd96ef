#include "verifier/verdict.h"

#include "snp/report_json.h"
#include "snp/vek_extensions.h"

namespace mpcc::verifier {

nlohmann::json Verdict::to_json() const {
  nlohmann::json leaf{{"subject", leaf_subject},
                      {"not_before", format_rfc3339(leaf_validity.not_before)},
                      {"not_after", format_rfc3339(leaf_validity.not_after)}};
  if (product_name) leaf["product_name"] = *product_name;
  if (csp_id) leaf["csp_id"] = *csp_id;
  nlohmann::json j;
  j["verified"] = true;
  j["simulated"] = simulated;
  j["product"] = snp::product_name(product);
  j["signing_key"] = snp::signing_key_name(signing_key);
  j["trust_anchor"] = {{"label", trust_anchor},
                       {"kind", anchor_kind_name(anchor_kind)},
                       {"subject", trust_anchor_subject}};
  j["certificates"] = {{"leaf", leaf}, {"intermediate", {{"subject", intermediate_subject}}}};
  j["verified_at"] = format_rfc3339(verified_at);
  j["chain_cached"] = chain_cached;
  j["checks"] = checks_passed;
  j["report"] = snp::report_to_json(report, product);
  return j;
}

}  // namespace mpcc::verifier
