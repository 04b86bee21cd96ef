// File: fuzz/fuzz_snp_report.cpp
//
// Feeds the input to snp::load_report (raw 1184 bytes, hex text, or an Azure
// HCL report) and each report that loads to the full SnpVerifier checklist,
// against the leaf certificate of one of the real vectors (AMD's built-in
// ASK/ASVK/ARK complete the chain; the clock is the leaf's not_before plus a
// day, as in verifier/test/real_reports_test.cpp).
// Asserts:
//  - serialize() is a fixed point: parse(serialize(r)) serialises the same;
//  - a report that verifies has the signed bytes [0, 0x2A0) of one of the
//    reports in the vectors (nobody can forge the ECDSA signature, so the
//    verifier accepting anything else is a finding);
//  - verification is deterministic (a second run, now from the chain cache,
//    gives the same answer).
// Thread-safety: libFuzzer's single thread; the fixtures are built once.
#include <cstddef>
#include <cstdint>
#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_io.h"
#include "crypto/x509.h"
#include "snp/report.h"
#include "snp/report_input.h"
#include "support/fuzz_support.h"
#include "verifier/snp_verifier.h"

namespace {

using namespace mpcc;

struct Pair {
  const char* report;
  const char* leaf;
};

// The positive cases of shared/vectors/README.md (VCEK and VLEK, Milan and
// Genoa, report versions 2, 3 and 5).
constexpr Pair kPairs[] = {
    {"snp/go-sev-guest/attestation.bin", "snp/go-sev-guest/vcek.testcer"},
    {"snp/virtee-sev/derived/report_milan.bin", "snp/virtee-sev/vcek_milan.der"},
    {"snp/trustee/snp/test-vlek-report.bin", "snp/trustee/snp/test-vlek.der"},
    {"snp/trustee/derived/az-evidence-genoa.report.bin", "snp/trustee/az-snp-vtpm/vcek-genoa.pem"},
    {"snp/teekit/sev-gcp.bin", "snp/teekit/sev-gcp-vcek.pem"},
    {"snp/constellation/derived/aws-report.bin", "snp/constellation/aws-snp/vlek.pem"},
};

struct Leaf {
  crypto::Certificate cert;
  FixedClock clock;
};

struct Fixture {
  verifier::SnpVerifier verifier;
  std::vector<Leaf> leaves;
  std::set<Bytes> genuine_signed_bytes;
  std::map<std::array<uint8_t, 32>, std::size_t> leaf_by_report_id;
};

const Fixture& fixture() {
  static const Fixture* f = [] {
    auto* out = new Fixture;
    for (const Pair& p : kPairs) {
      auto certs = crypto::Certificate::from_pem_or_der(fuzz::vector_file(p.leaf));
      FUZZ_CHECK(certs.ok() && !certs->empty(), "fixture: leaf certificate");
      const crypto::Certificate& leaf = certs->front();
      out->leaves.push_back({leaf, FixedClock(leaf.not_before() + 86400)});
      auto report = snp::AttestationReport::parse(fuzz::vector_file(p.report));
      FUZZ_CHECK(report.ok(), "fixture: report");
      out->leaf_by_report_id.emplace(report->report_id, out->leaves.size() - 1);
    }
    // Every report of the vectors is someone else's genuine (or deliberately
    // broken) evidence: those may verify, nothing the fuzzer makes may.
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(fuzz::vector_path("snp"))) {
      if (!entry.is_regular_file()) continue;
      auto bytes = read_file(entry.path());
      if (!bytes.ok()) continue;
      auto loaded = snp::load_report(*bytes);
      if (!loaded.ok()) continue;
      ByteSpan s = loaded->report.signed_bytes();
      out->genuine_signed_bytes.insert(Bytes(s.begin(), s.end()));
    }
    return out;
  }();
  return *f;
}

void check_round_trip(snp::AttestationReport report) {
  auto once = report.serialize();
  auto again = snp::AttestationReport::parse(ByteSpan(once.data(), once.size()));
  FUZZ_CHECK(again.ok(), "a serialised report does not parse");
  FUZZ_CHECK(again->serialize() == once, "serialize is not a fixed point");
}

}  // namespace

FUZZ_SETUP(fixture)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = fixture();
  auto loaded = snp::load_report(ByteSpan(data, size));
  if (!loaded.ok()) return 0;
  const snp::AttestationReport& report = loaded->report;
  check_round_trip(report);
  // One leaf per input (each verification costs an ECDSA check): the one of
  // the genuine report with this REPORT_ID, else the first MEASUREMENT byte
  // picks one, so mutations reach every chain.
  auto known = f.leaf_by_report_id.find(report.report_id);
  const Leaf& leaf = f.leaves[known != f.leaf_by_report_id.end()
                                  ? known->second
                                  : report.measurement[0] % f.leaves.size()];
  std::vector<crypto::Certificate> certs{leaf.cert};
  verifier::AppraisalPolicy policy;
  policy.allow_debug = true;
  auto verdict = f.verifier.verify(report, certs, leaf.clock, policy);
  auto again = f.verifier.verify(report, certs, leaf.clock, policy);
  FUZZ_CHECK(verdict.ok() == again.ok(), "verification is not deterministic");
  if (!verdict.ok()) {
    FUZZ_CHECK(verdict.status().code() == again.status().code() &&
                   verdict.status().message() == again.status().message(),
               "verification fails differently the second time");
    return 0;
  }
  ByteSpan s = report.signed_bytes();
  FUZZ_CHECK(f.genuine_signed_bytes.count(Bytes(s.begin(), s.end())) == 1,
             "a report with changed signed bytes verified");
  return 0;
}
