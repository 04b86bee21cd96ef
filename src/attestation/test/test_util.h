// File: attestation/test/test_util.h
//
// Helpers for the attestation tests: request bodies in the shapes real
// clients send (spec 8.1), simulated evidence from the shared test chip, and
// the production ACI report from ../shared/vectors.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/clock.h"
#include "crypto/x509.h"
#include "platform/sim/launch_params.h"
#include "verifier/trust_store.h"

namespace mpcc::attestation::testing {

// The runtime data bound by the production ACI report's REPORT_DATA.
inline constexpr const char* kAciRuntimeData = "{\n   \"akey\" : \"avalue\"\n}\n";
inline constexpr const char* kAciHostData =
    "cadd74f71ebb8fbf9782baab649612520f3c416bc5ce9ac768808ddc8d9b031c";
// 2024-01-01T00:00:00Z: inside the ACI VCEK's validity (2022-11-29 .. 2029-11-29).
inline constexpr UnixSeconds kAciTime = 1704067200;

enum class Encoding { kBase64UrlPadded, kBase64UrlUnpadded, kBase64 };

std::string encode(ByteSpan data, Encoding encoding);
inline std::string encode(std::string_view s, Encoding e) { return encode(as_span(s), e); }

struct BodyParts {
  Bytes snp_report;
  std::string vcek_chain_pem;
  Bytes runtime_data;
  std::string data_type = "JSON";
  std::optional<Bytes> init_time_data;
  std::string init_time_data_type = "JSON";
  std::optional<nlohmann::json> nonce;
  Encoding encoding = Encoding::kBase64UrlPadded;        // report, SnpReport, runtime data
  Encoding chain_encoding = Encoding::kBase64UrlPadded;  // VcekCertChain
};

// {"report": enc({"SnpReport", "VcekCertChain"}), "runtimeData": {...}, ...}.
nlohmann::json make_body(const BodyParts& parts);

struct Evidence {
  Bytes report;
  std::string chain_pem;  // VCEK, ASK, ARK
};

// A report from the shared simulated Milan chip whose REPORT_DATA binds
// `runtime_data`, launched with `params`.
Evidence simulated_evidence(ByteSpan runtime_data,
                            const platform::sim::LaunchParams& params);
Evidence simulated_evidence(ByteSpan runtime_data);
// The shared chip's ARK.
crypto::Certificate simulated_ark();
// AMD's roots plus the shared chip's ARK.
std::shared_ptr<const verifier::TrustStore> trust_with_simulated_root();

// snp/confidential-sidecar-containers/snp_report.bin and its VCEK chain.
Evidence aci_evidence();

}  // namespace mpcc::attestation::testing
