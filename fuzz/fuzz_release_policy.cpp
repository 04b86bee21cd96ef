// File: fuzz/fuzz_release_policy.cpp
//
// A key's secure-key-release policy (keyvault/release_policy.h): the input is
// "<policy JSON text>\0<claims JSON text>" (without a NUL byte: all policy,
// and the claims are a fixed attestation token's). The policy goes to
// ReleasePolicy::parse_text; one that parses is evaluated against the claims
// (and, when those are not JSON, the fixed claims).
// Asserts: parse(to_json()) and from_encoded(encode()) give the same canonical
// text; evaluation is deterministic and the same for the re-parsed policy;
// released() agrees with status() and names the satisfying authority entry.
// Thread-safety: libFuzzer's single thread.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "keyvault/release_policy.h"
#include "support/fuzz_support.h"

using namespace mpcc;
using nlohmann::json;

namespace {

// The claims of an MAA token for a confidential container (spec 8.4).
const json& fixed_claims() {
  static const json* claims = new json(json::parse(R"({
    "iss": "https://sharedeus2.eus2.attest.azure.net",
    "x-ms-attestation-type": "sevsnpvm",
    "x-ms-compliance-status": "azure-compliant-uvm",
    "x-ms-isolation-tee": {
      "x-ms-attestation-type": "sevsnpvm",
      "x-ms-compliance-status": "azure-compliant-uvm",
      "x-ms-sevsnpvm-hostdata": "73973b78d70cc68353426de188db5dfc57e5b766e399935fb73a61127ea26d20",
      "x-ms-sevsnpvm-is-debuggable": false,
      "x-ms-sevsnpvm-guestsvn": 1,
      "x-ms-sevsnpvm-vmpl": 0
    },
    "x-ms-sevsnpvm-is-debuggable": false,
    "x-ms-ver": "1.0"
  })"));
  return *claims;
}

void check_evaluation(const keyvault::ReleasePolicy& policy, const keyvault::ReleasePolicy& again,
                      const json& claims) {
  keyvault::Evaluation e = policy.evaluate(claims);
  json first = e.to_json();
  FUZZ_CHECK(policy.evaluate(claims).to_json() == first, "evaluation is not deterministic");
  FUZZ_CHECK(again.evaluate(claims).to_json() == first,
             "the re-parsed policy evaluates differently");
  FUZZ_CHECK(e.released() == e.status().ok(), "released() and status() disagree");
  if (e.released()) {
    FUZZ_CHECK(!e.satisfied_by().empty(), "released without a satisfying authority entry");
  } else {
    FUZZ_CHECK(!e.reasons().empty(), "denied without a reason");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  std::size_t nul = input.find('\0');
  std::string_view policy_text = input.substr(0, nul);
  auto policy = keyvault::ReleasePolicy::parse_text(policy_text);
  if (!policy.ok()) return 0;
  std::string canonical = policy->canonical_text();
  auto again = keyvault::ReleasePolicy::parse(policy->to_json());
  FUZZ_CHECK(again.ok() && again->canonical_text() == canonical,
             "parse(to_json()) does not give the same policy");
  auto decoded = keyvault::ReleasePolicy::from_encoded(policy->encode());
  FUZZ_CHECK(decoded.ok() && decoded->canonical_text() == canonical,
             "from_encoded(encode()) does not give the same policy");
  json claims = fixed_claims();
  if (nul != std::string_view::npos) {
    std::string_view claims_text = input.substr(nul + 1);
    json parsed = json::parse(claims_text.begin(), claims_text.end(), nullptr, false);
    if (!parsed.is_discarded()) claims = std::move(parsed);
  }
  check_evaluation(*policy, *again, claims);
  return 0;
}
