#include "skr/maa_client.h"

#include "crypto/encoding.h"
#include "skr/upstream.h"

namespace mpcc::skr {

using nlohmann::json;

json maa_attest_body(const GuestEvidence& evidence, ByteSpan runtime_data, ByteSpan uvm_endorsement,
                     uint64_t nonce) {
  json report = {{"SnpReport", crypto::base64url_encode(evidence.report)},
                 {"VcekCertChain", crypto::base64url_encode(evidence.vcek_chain_pem)}};
  if (!uvm_endorsement.empty()) {
    const json endorsements = {{"Uvm", json::array({crypto::base64url_encode(uvm_endorsement)})}};
    report["Endorsements"] = crypto::base64url_encode(endorsements.dump());
  }
  return {{"report", crypto::base64url_encode(report.dump())},
          {"runtimeData", {{"data", crypto::base64url_encode(runtime_data)}, {"dataType", "JSON"}}},
          {"nonce", nonce}};
}

Outcome<std::string> request_maa_token(const http::Client& client, const Endpoint& maa,
                                       const json& body, const std::string& user_agent) {
  const std::string url =
      maa.https_url(std::string(kMaaAttestPath) + "?api-version=" + kMaaApiVersion);
  return expect_string_member(Step::kAttest, "attestation service " + maa.authority(),
                              client.post_json(url, body, {{"User-Agent", user_agent}}), "token");
}

}  // namespace mpcc::skr
