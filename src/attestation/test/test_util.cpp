#include "attestation/test/test_util.h"

#include <stdexcept>

#include "common/file_io.h"
#include "crypto/encoding.h"
#include "platform/sim/simulated_psp.h"
#include "platform/test/test_support.h"
#include "snp/report_data.h"

namespace mpcc::attestation::testing {

using nlohmann::json;

std::string encode(ByteSpan data, Encoding encoding) {
  switch (encoding) {
    case Encoding::kBase64:
      return crypto::base64_encode(data);
    case Encoding::kBase64UrlUnpadded:
      return crypto::base64url_encode(data);
    case Encoding::kBase64UrlPadded: {
      std::string s = crypto::base64url_encode(data);
      while (s.size() % 4 != 0) s.push_back('=');
      return s;
    }
  }
  throw std::logic_error("unknown encoding");
}

json make_body(const BodyParts& p) {
  json inner = {{"SnpReport", encode(p.snp_report, p.encoding)},
                {"VcekCertChain", encode(p.vcek_chain_pem, p.chain_encoding)}};
  json body = {{"report", encode(inner.dump(), p.encoding)},
               {"runtimeData", {{"data", encode(p.runtime_data, p.encoding)},
                                {"dataType", p.data_type}}}};
  if (p.init_time_data) {
    body["initTimeData"] = {{"data", encode(*p.init_time_data, p.encoding)},
                            {"dataType", p.init_time_data_type}};
  }
  if (p.nonce) body["nonce"] = *p.nonce;
  return body;
}

Evidence simulated_evidence(ByteSpan runtime_data, const platform::sim::LaunchParams& params) {
  platform::sim::SimulatedPsp psp(platform::testing::shared_test_chip());
  snp::ReportData rd = snp::report_data_for_runtime_data(runtime_data);
  auto e = psp.evidence(params, rd);
  if (!e.ok()) throw std::runtime_error(e.status().to_string());
  return Evidence{e->report, e->endorsements_pem()};
}

Evidence simulated_evidence(ByteSpan runtime_data) {
  return simulated_evidence(runtime_data, platform::testing::test_launch_params());
}

crypto::Certificate simulated_ark() { return platform::testing::shared_test_chip()->ark(); }

std::shared_ptr<const verifier::TrustStore> trust_with_simulated_root() {
  auto store = std::make_shared<verifier::TrustStore>();
  Status s = store->add_configured_anchor(simulated_ark(), "mpcc simulated PSP (test)");
  if (!s.ok()) throw std::runtime_error(s.to_string());
  return store;
}

Evidence aci_evidence() {
  const std::string dir = std::string(MPCC_VECTORS_DIR) + "/snp/confidential-sidecar-containers/";
  auto report = read_file(dir + "snp_report.bin");
  auto chain = read_text_file(dir + "uvm_host_amd_certificate.pem");
  if (!report.ok()) throw std::runtime_error(report.status().to_string());
  if (!chain.ok()) throw std::runtime_error(chain.status().to_string());
  return Evidence{*report, *chain};
}

}  // namespace mpcc::attestation::testing
