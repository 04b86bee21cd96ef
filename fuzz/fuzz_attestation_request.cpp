// File: fuzz/fuzz_attestation_request.cpp
//
// Feeds the input to attestation::parse_attest_body (the JSON body of MAA's
// POST /attest/SevSnpVm, spec 8.1).
// Asserts, for a body that parses: SnpReport is exactly 1184 bytes; the
// runtime data's parsed JSON is an object exactly when its type is JSON (and
// null otherwise); a nonce is at most kMaxNonceLength characters; parsing is
// deterministic (the same body parsed from its JSON value agrees).
// Thread-safety: libFuzzer's single thread.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "attestation/request.h"
#include "snp/report.h"
#include "support/fuzz_support.h"

using namespace mpcc;

namespace {

void check_typed(const attestation::TypedData& d) {
  if (d.type == attestation::DataType::kJson) {
    FUZZ_CHECK(d.parsed.is_object(), "JSON runtime/init-time data that is not an object");
  } else {
    FUZZ_CHECK(d.parsed.is_null(), "Binary runtime/init-time data with a parsed value");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body = fuzz::as_text(data, size);
  auto request = attestation::parse_attest_body(body);
  if (!request.ok()) return 0;
  FUZZ_CHECK(request->snp_report.size() == snp::kReportSize, "SnpReport is not 1184 bytes");
  check_typed(request->runtime_data);
  if (request->init_time_data) check_typed(*request->init_time_data);
  if (request->nonce) {
    FUZZ_CHECK(request->nonce->size() <= attestation::kMaxNonceLength, "nonce too long");
  }
  auto again = attestation::parse_attest_request(nlohmann::json::parse(body));
  FUZZ_CHECK(again.ok() && again->snp_report == request->snp_report &&
                 again->runtime_data.data == request->runtime_data.data &&
                 again->nonce == request->nonce,
             "parse_attest_body and parse_attest_request disagree");
  return 0;
}
