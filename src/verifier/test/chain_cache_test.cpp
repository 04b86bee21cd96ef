#include "verifier/chain_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "verifier/amd_roots.h"
#include "verifier/snp_verifier.h"
#include "verifier/test/vectors.h"

namespace mpcc::verifier {
namespace {

std::shared_ptr<const VerifiedChain> dummy_chain() {
  const AmdCertificates* m = amd_certificates(snp::Product::kMilan);
  return std::make_shared<VerifiedChain>(VerifiedChain{m->ask, m->ask, m->ark,
                                                       m->ark.public_key(), {}, snp::SigningKey::kVcek,
                                                       AnchorKind::kAmd, "x", "", "", "", {}, {}, {}});
}

TEST(ChainCache, KeyIsThreeFingerprints) {
  const AmdCertificates* m = amd_certificates(snp::Product::kMilan);
  std::string k = ChainCache::key_for(m->ask, m->asvk, m->ark);
  EXPECT_EQ(k.size(), 96u);
  EXPECT_NE(k, ChainCache::key_for(m->asvk, m->ask, m->ark));
}

TEST(ChainCache, EvictsLeastRecentlyUsed) {
  ChainCache cache(2);
  cache.insert("a", dummy_chain());
  cache.insert("b", dummy_chain());
  EXPECT_NE(cache.find("a"), nullptr);  // "b" is now the oldest
  cache.insert("c", dummy_chain());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_NE(cache.find("a"), nullptr);
  EXPECT_NE(cache.find("c"), nullptr);
  EXPECT_EQ(cache.hits(), 3u);
  EXPECT_EQ(cache.misses(), 1u);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ChainCache, RepeatedReportsHitTheCache) {
  SnpVerifier verifier;
  auto certs = vtest::read_certs("snp/virtee-sev/vcek_milan.der");
  auto report = vtest::read_report("snp/virtee-sev/derived/report_milan.bin");
  FixedClock clock(certs.front().not_before() + vtest::kOneDay);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(verifier.verify(report, certs, clock).ok());
  EXPECT_EQ(verifier.chain_cache().size(), 1u);
  EXPECT_EQ(verifier.chain_cache().misses(), 1u);
  EXPECT_EQ(verifier.chain_cache().hits(), 2u);
}

TEST(ChainCache, FailedChainsAreNotCached) {
  SnpVerifier verifier;
  auto certs = vtest::read_certs("snp/trustee/snp/test-vcek-invalid-legacy.der");
  auto report = vtest::read_report("snp/trustee/snp/test-report.bin");
  FixedClock clock(certs.front().not_before() + vtest::kOneDay);
  EXPECT_FALSE(verifier.verify(report, certs, clock).ok());
  EXPECT_FALSE(verifier.verify(report, certs, clock).ok());
  EXPECT_EQ(verifier.chain_cache().size(), 0u);
}

TEST(ChainCache, ConcurrentVerificationsAgree) {
  SnpVerifier verifier;
  struct Input {
    snp::AttestationReport report;
    std::vector<crypto::Certificate> certs;
    UnixSeconds at;
  };
  std::vector<Input> inputs;
  for (auto [r, c] : {std::pair{"snp/virtee-sev/derived/report_milan.bin", "snp/virtee-sev/vcek_milan.der"},
                      std::pair{"snp/trustee/snp/test-report.bin", "snp/trustee/snp/test-vcek.der"},
                      std::pair{"snp/trustee/snp/test-vlek-report.bin", "snp/trustee/snp/test-vlek.der"},
                      std::pair{"snp/trustee/derived/az-evidence-genoa.report.bin",
                                "snp/trustee/az-snp-vtpm/vcek-genoa.pem"}}) {
    auto certs = vtest::read_certs(c);
    inputs.push_back({vtest::read_report(r), certs, certs.front().not_before() + vtest::kOneDay});
  }
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 12; ++i) {
        const Input& in = inputs[static_cast<std::size_t>(t + i) % inputs.size()];
        auto v = verifier.verify(in.report, in.certs, FixedClock(in.at));
        (v.ok() ? ok : bad)++;
        // A tampered copy must fail even while other threads hit the cache.
        snp::AttestationReport tampered = in.report;
        tampered.raw[0x90] ^= 1;
        auto f = verifier.verify(ByteSpan(tampered.raw), in.certs, FixedClock(in.at));
        (f.ok() ? bad : ok)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(ok.load(), 4 * 12 * 2);
  EXPECT_EQ(verifier.chain_cache().size(), inputs.size());
}

}  // namespace
}  // namespace mpcc::verifier
