// Protected customer records at scale (src/records), one and two cores:
//
//   import   CSV text of N generated records -> parse -> record id -> seal (JWE)
//   open     N sealed records -> open (JWE dir/A256GCM + header checks + record JSON)
//   aes_gcm  crypto::aes_gcm_seal / aes_gcm_open alone on buffers the size of
//            one record's plaintext: what the JOSE + JSON layers add on top
//   analysis PartnerAnalysis over 2 x N records opened from JWEs, against the
//            same analysis over the same records parsed from plaintext JSON
//            (the baseline without confidentiality); counter `ratio`
//
// N = 1,000,000 (MPCC_BENCH_RECORDS overrides it). Each benchmark runs once
// (one iteration = all N records) and reports records/s; see docs/benchmarks.md.
//   build/records-bench/bench/bench_records --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "crypto/aes_gcm.h"
#include "crypto/random.h"
#include "records/analytics.h"
#include "records/csv.h"
#include "records/generator.h"
#include "records/record_codec.h"
#include "records/record_id.h"
#include "records/timestamp.h"

namespace {

using namespace mpcc;           // NOLINT: a benchmark file
using namespace mpcc::records;  // NOLINT
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "bench_records: %s: %s\n", what.c_str(), s.to_string().c_str());
  std::exit(1);
}
template <typename T>
T must(StatusOr<T> v, const std::string& what) {
  if (!v.ok()) die(what, v.status());
  return std::move(v).value();
}

std::size_t record_count() {
  const char* env = std::getenv("MPCC_BENCH_RECORDS");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 1'000'000;
}

struct Sealed {
  std::string id;
  std::string jwe;
};

struct Party {
  std::string owner;
  std::string source;
  RecordCodec codec;
  std::vector<Sealed> sealed;
  std::vector<std::string> json;  // the same records as plaintext JSON
};

Party make_party(std::string owner, std::string source, std::uint64_t seed) {
  Party p{owner, std::move(source), RecordCodec(must(DataKey::generate(owner, "v1"), "key")), {}, {}};
  const std::vector<Record> rows = generate_records(record_count(), seed);
  const std::string ts = utc_timestamp_micros(std::chrono::system_clock::now());
  const RecordIds ids(p.codec.data_key());
  p.sealed.reserve(rows.size());
  p.json.reserve(rows.size());
  for (const Record& r : rows) {
    std::string id = ids.id_for(r);
    std::string jwe = must(p.codec.seal(id, r, ts), "seal");
    p.sealed.push_back({std::move(id), std::move(jwe)});
    p.json.push_back(r.to_json().dump());
  }
  return p;
}

// Built once, outside any timing: Contoso's and Fabrikam's sealed records.
const std::vector<Party>& parties() {
  static const std::vector<Party> p = [] {
    std::vector<Party> out;
    out.push_back(make_party("contoso", "Contoso", 20260206));
    out.push_back(make_party("fabrikam", "Fabrikam", 20260207));
    return out;
  }();
  return p;
}

// The CSV text to import, split into `parts` texts (each with the header) at
// row boundaries.
std::vector<std::string> csv_parts(std::size_t parts) {
  const std::string text = to_csv(generate_records(record_count(), 20260206));
  const std::size_t body = text.find('\n') + 1;
  const std::string header = text.substr(0, body);
  std::vector<std::string> out;
  std::size_t start = body;
  for (std::size_t i = 0; i < parts; ++i) {
    std::size_t end = i + 1 == parts ? text.size()
                                     : text.find('\n', start + (text.size() - body) / parts) + 1;
    out.push_back(header + text.substr(start, end - start));
    start = end;
  }
  return out;
}

// Runs `work(i)` for i in [0, threads) on that many threads; returns seconds.
double timed_on_threads(std::size_t threads, const std::function<void(std::size_t)>& work) {
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < threads; ++i) pool.emplace_back(work, i);
  work(0);
  for (std::thread& t : pool) t.join();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void report(benchmark::State& state, double seconds, double records) {
  state.SetIterationTime(seconds);
  state.counters["records"] = records;
  state.counters["records_per_s"] = records / seconds;
  state.counters["us_per_record"] = seconds * 1e6 / records;
}

void BM_ImportEncrypt(benchmark::State& state) {
  const std::size_t threads = static_cast<std::size_t>(state.range(0));
  const std::vector<std::string> texts = csv_parts(threads);
  const RecordCodec codec(must(DataKey::generate("contoso", "v1"), "key"));
  const RecordIds ids(codec.data_key());
  for (auto _ : state) {
    std::vector<std::size_t> sealed(threads, 0);
    const double seconds = timed_on_threads(threads, [&](std::size_t t) {
      const std::vector<Record> rows = must(parse_records_csv(texts[t]), "parse");
      for (const Record& r : rows) {
        const std::string id = ids.id_for(r);
        const std::string ts = utc_timestamp_micros(std::chrono::system_clock::now());
        std::string jwe = must(codec.seal(id, r, ts), "seal");
        benchmark::DoNotOptimize(jwe);
        ++sealed[t];
      }
    });
    std::size_t total = 0;
    for (std::size_t n : sealed) total += n;
    report(state, seconds, static_cast<double>(total));
  }
}
BENCHMARK(BM_ImportEncrypt)->Arg(1)->Arg(2)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_OpenRecords(benchmark::State& state) {
  const std::size_t threads = static_cast<std::size_t>(state.range(0));
  const Party& p = parties()[0];
  for (auto _ : state) {
    const double seconds = timed_on_threads(threads, [&](std::size_t t) {
      for (std::size_t i = t; i < p.sealed.size(); i += threads) {
        OpenedRecord r = must(p.codec.open(p.sealed[i].jwe, p.owner, p.sealed[i].id), "open");
        benchmark::DoNotOptimize(r);
      }
    });
    report(state, seconds, static_cast<double>(p.sealed.size()));
  }
}
BENCHMARK(BM_OpenRecords)->Arg(1)->Arg(2)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// Raw OpenSSL AES-256-GCM (through crypto::) on one record's plaintext size.
void BM_AesGcmRaw(benchmark::State& state) {
  const Party& p = parties()[0];
  std::size_t bytes = 0;
  for (const std::string& j : p.json) bytes += j.size();
  const std::size_t size = bytes / p.json.size();  // mean record JSON size
  const SecureBytes key = crypto::random_secret(32);
  const Bytes iv = crypto::random_bytes(crypto::kGcmIvSize);
  const Bytes aad = crypto::random_bytes(200);  // about a record header's base64url
  const Bytes plaintext = crypto::random_bytes(size);
  const crypto::GcmSealed sealed = must(crypto::aes_gcm_seal(key, iv, aad, plaintext), "gcm");
  const std::size_t n = p.json.size();
  for (auto _ : state) {
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      crypto::GcmSealed s = must(crypto::aes_gcm_seal(key, iv, aad, plaintext), "gcm seal");
      benchmark::DoNotOptimize(s);
    }
    const double seal_s = std::chrono::duration<double>(Clock::now() - t0).count();
    t0 = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      SecureBytes out =
          must(crypto::aes_gcm_open(key, iv, aad, sealed.ciphertext, sealed.tag), "gcm open");
      benchmark::DoNotOptimize(out);
    }
    const double open_s = std::chrono::duration<double>(Clock::now() - t0).count();
    report(state, seal_s, static_cast<double>(n));
    state.counters["plaintext_bytes"] = static_cast<double>(size);
    state.counters["seal_MB_per_s"] = static_cast<double>(n * size) / seal_s / 1e6;
    state.counters["open_per_s"] = static_cast<double>(n) / open_s;
    state.counters["open_MB_per_s"] = static_cast<double>(n * size) / open_s / 1e6;
  }
}
BENCHMARK(BM_AesGcmRaw)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// Both analyses back to back on the same 2 x N records, each timed alone.
void BM_AnalysisJweVsPlaintext(benchmark::State& state) {
  const std::vector<Party>& ps = parties();
  for (auto _ : state) {
    auto t0 = Clock::now();
    PartnerAnalysis from_jwe;
    for (const Party& p : ps) {
      for (const Sealed& s : p.sealed) {
        from_jwe.add(p.source, must(p.codec.open(s.jwe, p.owner, s.id), "open").record);
      }
    }
    nlohmann::json a = from_jwe.result();
    const double jwe_s = std::chrono::duration<double>(Clock::now() - t0).count();

    t0 = Clock::now();
    PartnerAnalysis from_json;
    for (const Party& p : ps) {
      for (const std::string& j : p.json) from_json.add(p.source, must(Record::parse_json(j), "json"));
    }
    nlohmann::json b = from_json.result();
    const double json_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (a != b) {
      std::fprintf(stderr, "bench_records: the two analyses differ\n");
      std::exit(1);
    }
    const double n = static_cast<double>(from_jwe.total_count());
    report(state, jwe_s, n);
    state.counters["jwe_s"] = jwe_s;
    state.counters["plaintext_s"] = json_s;
    state.counters["plaintext_per_s"] = n / json_s;
    state.counters["ratio"] = jwe_s / json_s;
  }
}
BENCHMARK(BM_AnalysisJweVsPlaintext)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
