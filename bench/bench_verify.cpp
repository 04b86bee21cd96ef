// SEV-SNP report verification throughput on one core: the full checklist with
// the certificate chain cached, next to the raw ECDSA P-384 verification it
// contains, on the same real report (trustee's Milan test report and VCEK).
//
//   build/default/bench/bench_verify --benchmark_min_time=2
//
// items/s = reports (or signatures) verified per second. docs/benchmarks.md
// records the figures and the ratio (target: cached checklist >= 0.8 x raw).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/file_io.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "crypto/x509.h"
#include "snp/report.h"
#include "verifier/snp_verifier.h"

namespace {

using namespace mpcc;

struct Fixture {
  snp::AttestationReport report;
  std::vector<crypto::Certificate> certs;  // the VCEK only: ASK/ARK built in
  std::unique_ptr<FixedClock> clock;
  crypto::PublicKey vcek_key;
  Bytes der_signature;
  Bytes digest;
};

[[noreturn]] void die(const std::string& what, const Status& s) {
  std::cerr << "bench_verify: " << what << ": " << s.to_string() << "\n";
  std::exit(1);
}

const Fixture& fixture() {
  static const Fixture f = [] {
    const std::string dir = std::string(MPCC_VECTORS_DIR) + "/snp/trustee/snp/";
    auto report_bytes = read_file(dir + "test-report.bin");
    if (!report_bytes.ok()) die("report", report_bytes.status());
    auto report = snp::AttestationReport::parse(*report_bytes);
    if (!report.ok()) die("parse", report.status());
    auto vcek_bytes = read_file(dir + "test-vcek.der");
    if (!vcek_bytes.ok()) die("vcek", vcek_bytes.status());
    auto certs = crypto::Certificate::from_pem_or_der(*vcek_bytes);
    if (!certs.ok()) die("vcek", certs.status());
    auto der = crypto::ecdsa_raw_to_der(report->signature_raw());
    if (!der.ok()) die("signature", der.status());
    crypto::PublicKey key = certs->front().public_key();
    Bytes digest = crypto::sha384(report->signed_bytes());
    auto clock = std::make_unique<FixedClock>(certs->front().not_before() + 86400);
    return Fixture{*report, *certs, std::move(clock), key, *der, digest};
  }();
  return f;
}

// The full checklist (structure, chain lookup, validity, ECDSA, TCB, CHIP_ID,
// debug) with the chain already in the cache.
void BM_VerifyReportCached(benchmark::State& state) {
  const Fixture& f = fixture();
  verifier::SnpVerifier v;
  if (auto first = v.verify(f.report, f.certs, *f.clock); !first.ok()) die("verify", first.status());
  for (auto _ : state) {
    auto verdict = v.verify(f.report, f.certs, *f.clock);
    if (!verdict.ok()) die("verify", verdict.status());
    benchmark::DoNotOptimize(verdict);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyReportCached);

// As above, starting from the 1184 bytes (adds AttestationReport::parse).
void BM_VerifyReportBytesCached(benchmark::State& state) {
  const Fixture& f = fixture();
  verifier::SnpVerifier v;
  const ByteSpan bytes(f.report.raw);
  if (auto first = v.verify(bytes, f.certs, *f.clock); !first.ok()) die("verify", first.status());
  for (auto _ : state) {
    auto verdict = v.verify(bytes, f.certs, *f.clock);
    if (!verdict.ok()) die("verify", verdict.status());
    benchmark::DoNotOptimize(verdict);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyReportBytesCached);

// Every call verifies the chain too (three RSA-4096 PSS verifications): a
// fresh verifier, hence an empty cache, per report.
void BM_VerifyReportUncached(benchmark::State& state) {
  const Fixture& f = fixture();
  auto trust = std::make_shared<const verifier::TrustStore>();
  for (auto _ : state) {
    verifier::SnpVerifier v(trust);
    auto verdict = v.verify(f.report, f.certs, *f.clock);
    if (!verdict.ok()) die("verify", verdict.status());
    benchmark::DoNotOptimize(verdict);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyReportUncached);

// Raw ECDSA P-384/SHA-384 over the same 0x2A0 signed bytes (hash included).
void BM_EcdsaP384Verify(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    Status s = crypto::verify(f.vcek_key, crypto::SignatureAlg::kEcdsaP384Sha384,
                              f.report.signed_bytes(), f.der_signature);
    if (!s.ok()) die("ecdsa", s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaP384Verify);

// Raw ECDSA P-384 over the precomputed SHA-384 digest.
void BM_EcdsaP384VerifyDigest(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    Status s = crypto::verify_ecdsa_digest(f.vcek_key, f.digest, f.der_signature);
    if (!s.ok()) die("ecdsa", s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaP384VerifyDigest);

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// The ratio itself, robust to a busy machine: each iteration runs one cached
// checklist verification and one raw ECDSA verification (message form)
// back to back and charges each its own thread CPU time. Counters:
// checklist_per_s, ecdsa_per_s, ratio = checklist_per_s / ecdsa_per_s.
void BM_RatioCachedToRawInterleaved(benchmark::State& state) {
  const Fixture& f = fixture();
  verifier::SnpVerifier v;
  if (auto first = v.verify(f.report, f.certs, *f.clock); !first.ok()) die("verify", first.status());
  double checklist = 0, raw = 0;
  for (auto _ : state) {
    const double t0 = thread_cpu_seconds();
    auto verdict = v.verify(f.report, f.certs, *f.clock);
    const double t1 = thread_cpu_seconds();
    Status s = crypto::verify(f.vcek_key, crypto::SignatureAlg::kEcdsaP384Sha384,
                              f.report.signed_bytes(), f.der_signature);
    const double t2 = thread_cpu_seconds();
    if (!verdict.ok() || !s.ok()) die("interleaved", verdict.ok() ? s : verdict.status());
    checklist += t1 - t0;
    raw += t2 - t1;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["checklist_per_s"] = n / checklist;
  state.counters["ecdsa_per_s"] = n / raw;
  state.counters["ratio"] = raw / checklist;
}
BENCHMARK(BM_RatioCachedToRawInterleaved);

}  // namespace

BENCHMARK_MAIN();
