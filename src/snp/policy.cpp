#include "snp/policy.h"

#include <nlohmann/json.hpp>

namespace mpcc::snp {

void to_json(nlohmann::json& j, const GuestPolicy& p) {
  j = nlohmann::json{{"raw", p.raw},
                     {"abi_major", p.abi_major()},
                     {"abi_minor", p.abi_minor()},
                     {"smt_allowed", p.smt_allowed()},
                     {"migrate_ma_allowed", p.migrate_ma_allowed()},
                     {"debug_allowed", p.debug_allowed()},
                     {"single_socket", p.single_socket()},
                     {"cxl_allowed", p.cxl_allowed()},
                     {"mem_aes_256_xts", p.mem_aes_256_xts()},
                     {"rapl_disabled", p.rapl_disabled()},
                     {"ciphertext_hiding", p.ciphertext_hiding()},
                     {"page_swap_disabled", p.page_swap_disabled()}};
}

void to_json(nlohmann::json& j, const PlatformInfo& p) {
  j = nlohmann::json{{"raw", p.raw},
                     {"smt_enabled", p.smt_enabled()},
                     {"tsme_enabled", p.tsme_enabled()},
                     {"ecc_enabled", p.ecc_enabled()},
                     {"rapl_disabled", p.rapl_disabled()},
                     {"ciphertext_hiding_enabled", p.ciphertext_hiding_enabled()},
                     {"alias_check_complete", p.alias_check_complete()},
                     {"tio_enabled", p.tio_enabled()}};
}

}  // namespace mpcc::snp
