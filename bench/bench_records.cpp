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
// (one iteration = all N records) and reports records/s (wall) and CPU
// microseconds per record (all threads); see docs/benchmarks.md.
//   build/records-bench/bench/bench_records --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
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

// Seals `rows` under a fresh data key. Ids are the row numbers: the fixture
// needs unique ids, not HMACs (BM_ImportEncrypt times those).
Party make_party(std::string owner, std::string source, const std::vector<Record>& rows) {
  Party p{owner, std::move(source), RecordCodec(must(DataKey::generate(owner, "v1"), "key")), {}, {}};
  const std::string ts = utc_timestamp_micros(std::chrono::system_clock::now());
  p.sealed.reserve(rows.size());
  p.json.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string id = fmt::format("{:032x}", i);
    std::string jwe = must(p.codec.seal(id, rows[i], ts), "seal");
    p.sealed.push_back({std::move(id), std::move(jwe)});
    p.json.push_back(rows[i].to_json().dump());
  }
  return p;
}

struct Fixture {
  std::string contoso_csv;     // Contoso's records as CSV text
  std::vector<Party> parties;  // Contoso, Fabrikam
};

// Built once, outside any timing, one thread per party.
const Fixture& fixture() {
  static const Fixture f = [] {
    std::optional<Party> fabrikam;
    std::thread other([&] {
      fabrikam.emplace(make_party("fabrikam", "Fabrikam", generate_records(record_count(), 20260207)));
    });
    Fixture out;
    const std::vector<Record> contoso = generate_records(record_count(), 20260206);
    out.contoso_csv = to_csv(contoso);
    out.parties.push_back(make_party("contoso", "Contoso", contoso));
    other.join();
    out.parties.push_back(std::move(*fabrikam));
    return out;
  }();
  return f;
}

// The header and the first `rows` rows of `text`, split into `parts` CSV
// texts (each with the header) at row boundaries.
std::vector<std::string> csv_parts(const std::string& text, std::size_t rows, std::size_t parts) {
  const std::size_t body = text.find('\n') + 1;
  std::size_t stop = body;
  for (std::size_t i = 0; i < rows && stop < text.size(); ++i) stop = text.find('\n', stop) + 1;
  const std::string header = text.substr(0, body);
  std::vector<std::string> out;
  std::size_t start = body;
  for (std::size_t i = 0; i < parts; ++i) {
    const std::size_t end =
        i + 1 == parts ? stop : text.find('\n', start + (stop - body) / parts) + 1;
    out.push_back(header + text.substr(start, end - start));
    start = end;
  }
  return out;
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall time and CPU time (all threads) of one timed section. The machine is
// shared: CPU time per record is the figure that other load disturbs least.
struct Timing {
  double wall_s = 0;
  double cpu_s = 0;
};

class Stopwatch {
 public:
  Stopwatch() : wall_(Clock::now()), cpu_(process_cpu_seconds()) {}
  Timing elapsed() const {
    return {std::chrono::duration<double>(Clock::now() - wall_).count(),
            process_cpu_seconds() - cpu_};
  }

 private:
  Clock::time_point wall_;
  double cpu_;
};

// Runs `work(i)` for i in [0, threads) on that many threads.
Timing timed_on_threads(std::size_t threads, const std::function<void(std::size_t)>& work) {
  const Stopwatch watch;
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < threads; ++i) pool.emplace_back(work, i);
  work(0);
  for (std::thread& t : pool) t.join();
  return watch.elapsed();
}

void report(benchmark::State& state, Timing t, double records) {
  state.SetIterationTime(t.wall_s);
  state.counters["records"] = records;
  state.counters["records_per_s"] = records / t.wall_s;
  state.counters["cpu_us_per_record"] = t.cpu_s * 1e6 / records;
}

// One thread imports all N records; two threads import N/4 (the rate is the
// figure; a quarter keeps the whole run near two minutes).
void BM_ImportEncrypt(benchmark::State& state) {
  const std::size_t threads = static_cast<std::size_t>(state.range(0));
  const std::size_t rows = threads == 1 ? record_count() : record_count() / 4;
  const std::vector<std::string> texts = csv_parts(fixture().contoso_csv, rows, threads);
  const RecordCodec codec(must(DataKey::generate("contoso", "v1"), "key"));
  const RecordIds ids(codec.data_key());
  for (auto _ : state) {
    std::vector<std::size_t> sealed(threads, 0);
    const Timing timing = timed_on_threads(threads, [&](std::size_t t) {
      const std::vector<Record> parsed = must(parse_records_csv(texts[t]), "parse");
      for (const Record& r : parsed) {
        const std::string id = ids.id_for(r);
        const std::string ts = utc_timestamp_micros(std::chrono::system_clock::now());
        std::string jwe = must(codec.seal(id, r, ts), "seal");
        benchmark::DoNotOptimize(jwe);
        ++sealed[t];
      }
    });
    std::size_t total = 0;
    for (std::size_t n : sealed) total += n;
    report(state, timing, static_cast<double>(total));
  }
}
BENCHMARK(BM_ImportEncrypt)->Arg(1)->Arg(2)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_OpenRecords(benchmark::State& state) {
  const std::size_t threads = static_cast<std::size_t>(state.range(0));
  const Party& p = fixture().parties[0];
  for (auto _ : state) {
    const Timing timing = timed_on_threads(threads, [&](std::size_t t) {
      for (std::size_t i = t; i < p.sealed.size(); i += threads) {
        OpenedRecord r = must(p.codec.open(p.sealed[i].jwe, p.owner, p.sealed[i].id), "open");
        benchmark::DoNotOptimize(r);
      }
    });
    report(state, timing, static_cast<double>(p.sealed.size()));
  }
}
BENCHMARK(BM_OpenRecords)->Arg(1)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// Raw OpenSSL AES-256-GCM (through crypto::) on one record's plaintext size.
void BM_AesGcmRaw(benchmark::State& state) {
  const Party& p = fixture().parties[0];
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
    const Stopwatch seal_watch;
    for (std::size_t i = 0; i < n; ++i) {
      crypto::GcmSealed s = must(crypto::aes_gcm_seal(key, iv, aad, plaintext), "gcm seal");
      benchmark::DoNotOptimize(s);
    }
    const Timing seal = seal_watch.elapsed();
    const Stopwatch open_watch;
    for (std::size_t i = 0; i < n; ++i) {
      SecureBytes out =
          must(crypto::aes_gcm_open(key, iv, aad, sealed.ciphertext, sealed.tag), "gcm open");
      benchmark::DoNotOptimize(out);
    }
    const Timing open = open_watch.elapsed();
    report(state, seal, static_cast<double>(n));
    state.counters["plaintext_bytes"] = static_cast<double>(size);
    state.counters["seal_MB_per_s"] = static_cast<double>(n * size) / seal.wall_s / 1e6;
    state.counters["open_per_s"] = static_cast<double>(n) / open.wall_s;
    state.counters["open_MB_per_s"] = static_cast<double>(n * size) / open.wall_s / 1e6;
    state.counters["open_cpu_us"] = open.cpu_s * 1e6 / static_cast<double>(n);
  }
}
BENCHMARK(BM_AesGcmRaw)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// Both analyses back to back on the same 2 x N records, each timed alone.
void BM_AnalysisJweVsPlaintext(benchmark::State& state) {
  const std::vector<Party>& ps = fixture().parties;
  for (auto _ : state) {
    const Stopwatch jwe_watch;
    PartnerAnalysis from_jwe;
    for (const Party& p : ps) {
      for (const Sealed& s : p.sealed) {
        from_jwe.add(p.source, must(p.codec.open(s.jwe, p.owner, s.id), "open").record);
      }
    }
    nlohmann::json a = from_jwe.result();
    const Timing jwe = jwe_watch.elapsed();

    const Stopwatch json_watch;
    PartnerAnalysis from_json;
    for (const Party& p : ps) {
      for (const std::string& j : p.json) from_json.add(p.source, must(Record::parse_json(j), "json"));
    }
    nlohmann::json b = from_json.result();
    const Timing plain = json_watch.elapsed();
    if (a != b) {
      std::fprintf(stderr, "bench_records: the two analyses differ\n");
      std::exit(1);
    }
    const double n = static_cast<double>(from_jwe.total_count());
    report(state, jwe, n);
    state.counters["jwe_s"] = jwe.wall_s;
    state.counters["plaintext_s"] = plain.wall_s;
    state.counters["plaintext_per_s"] = n / plain.wall_s;
    state.counters["plaintext_cpu_us"] = plain.cpu_s * 1e6 / n;
    state.counters["ratio"] = jwe.wall_s / plain.wall_s;
    state.counters["cpu_ratio"] = jwe.cpu_s / plain.cpu_s;
  }
}
BENCHMARK(BM_AnalysisJweVsPlaintext)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
