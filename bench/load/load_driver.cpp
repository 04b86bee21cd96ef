// File: bench/load/load_driver.cpp
//
// scripts/load's driver (issue 7, item 3): a soak of a running `mpcc up`
// deployment at half its measured maximum over a mix of the party API, key
// release, identity and vault calls (load_mix.cpp lists the mix and weights).
//
//   load_driver --state-dir DIR [--workers 8] [--max-seconds 25] [--soak-seconds 600]
//               [--fraction 0.5] [--rate R] [--warmup-seconds 60] [--rss-interval 10]
//               [--storage-prefix datakeys/]
//
// Setup: Contoso and Fabrikam release their keys and import their CSVs; one
// stored record is kept for /decrypt; a vault token is fetched.
// Phase 1 (max): closed loop, --workers threads, each with its own keep-alive
// TLS connections, for --max-seconds: the mix's maximum rate.
// Phase 2 (soak): open loop at --fraction of that rate (or --rate) for
// --soak-seconds: a scheduler releases one call every 1/rate s into a queue that
// 2 x --workers threads serve; a call's latency counts from its scheduled time,
// so a server that falls behind shows in the latencies and in the lag report.
// Resident memory of every deployment process (DIR/run/*.pid) is sampled every
// --rss-interval s.
// Checks (exit 1 when one fails): no 5xx and no call without an answer, every
// answer 200; every acknowledged /company/save present in its owner's
// /company/list afterwards; each process's RSS growth from the first sample
// after the warm-up (min(--warmup-seconds, soak/2)) to the end < --max-rss-growth.
// Exit 2: usage, or the deployment could not be set up. No token is printed.
// Thread-safety: main owns the phases; workers share SharedState only.
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "load/load_mix.h"
#include "load/load_stats.h"
#include "load/rss_sampler.h"

namespace {

using namespace mpcc::load;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  std::string state_dir;
  int workers = 8;
  double max_seconds = 25;
  double soak_seconds = 600;
  double fraction = 0.5;
  double rate = 0;
  double warmup_seconds = 60;
  double rss_interval = 10;
  double max_rss_growth = 0.10;
  double late_ms = 250;
  std::string storage_prefix = "datakeys/";
};

struct Acked {
  bool contoso;
  std::string record_id;
};

// What one worker thread keeps; merged after the threads join.
struct WorkerResult {
  PhaseStats stats;
  std::vector<Acked> acked;
};

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

void record(WorkerResult& r, Op op, const Outcome& o, double latency_ms) {
  r.stats.add(op, o, latency_ms);
  if (!o.record_id.empty()) r.acked.push_back({op == Op::kSaveContoso, o.record_id});
}

void merge(std::vector<WorkerResult>& results, PhaseStats& stats, std::vector<Acked>& acked) {
  for (auto& r : results) {
    stats.merge(r.stats);
    acked.insert(acked.end(), r.acked.begin(), r.acked.end());
  }
}

[[noreturn]] void setup_failed(const std::string& what) {
  std::fprintf(stderr, "load: setup failed: %s\n", what.c_str());
  std::exit(2);
}

void expect_200(Worker& w, const Service& s, const std::string& method, const std::string& path,
                std::string* body = nullptr) {
  Outcome o = w.call(s.url, method, path, "", bearer(s.token), body);
  if (o.status != 200) {
    setup_failed(method + " " + s.url + path + " answered " +
                 (o.status == 0 ? "nothing (" + o.error + ")" : std::to_string(o.status)));
  }
}

void set_up(const Deployment& d, SharedState& shared) {
  Worker w(d, shared, 0);
  for (const Service* s : {&d.contoso, &d.fabrikam}) {
    expect_200(w, *s, "POST", "/skr/release");
    expect_200(w, *s, "POST", "/company/populate");
  }
  std::string page;
  expect_200(w, d.contoso, "GET", "/company/list?max_results=1", &page);
  json j = json::parse(page);
  if (j["records"].empty()) setup_failed("Contoso lists no record after /company/populate");
  shared.record_jwe = j["records"][0]["ciphertext"].get<std::string>();
  if (w.run(Op::kIdentityToken).status != 200 || shared.vault_token().empty()) {
    setup_failed("the identity service gave no vault token to Contoso's identity");
  }
}

// Phase 1: closed loop; returns the calls per second achieved.
double run_max(const Deployment& d, SharedState& shared, const Options& opt, PhaseStats& stats,
               std::vector<Acked>& acked) {
  std::vector<WorkerResult> results(static_cast<std::size_t>(opt.workers));
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(opt.max_seconds);
  for (int i = 0; i < opt.workers; ++i) {
    threads.emplace_back([&, i] {
      Worker w(d, shared, static_cast<unsigned>(i + 1));
      while (Clock::now() < deadline) {
        const Op op = w.pick();
        const auto t0 = Clock::now();
        const Outcome o = w.run(op);
        record(results[static_cast<std::size_t>(i)], op, o, ms_between(t0, Clock::now()));
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  merge(results, stats, acked);
  stats.print("phase 1, maximum (closed loop, " + std::to_string(opt.workers) + " workers)", seconds);
  return static_cast<double>(stats.total()) / seconds;
}

struct SoakReport {
  double seconds = 0;
  std::uint64_t scheduled = 0;
  std::uint64_t late = 0;  // started more than late_ms after their scheduled time
  double max_lag_ms = 0;
  std::size_t max_queue = 0;
};

// Phase 2: open loop at `rate` calls/s.
SoakReport run_soak(const Deployment& d, SharedState& shared, const Options& opt, double rate, RssSampler& rss,
                    double warmup, PhaseStats& stats, std::vector<Acked>& acked) {
  const int workers = 2 * opt.workers;
  std::vector<WorkerResult> results(static_cast<std::size_t>(workers));
  std::mutex mu;
  std::condition_variable cv;       // workers: a call is due, or done
  std::condition_variable stop_cv;  // the sampler: done
  std::deque<Clock::time_point> queue;
  bool done = false;
  SoakReport report;
  std::atomic<std::uint64_t> completed{0}, late{0};
  std::atomic<double> max_lag{0};

  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(opt.soak_seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&, i] {
      Worker w(d, shared, static_cast<unsigned>(1000 + i));
      for (;;) {
        Clock::time_point scheduled;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return done || !queue.empty(); });
          if (queue.empty()) return;
          scheduled = queue.front();
          queue.pop_front();
        }
        const double lag = ms_between(scheduled, Clock::now());
        if (lag > opt.late_ms) ++late;
        for (double m = max_lag.load(); lag > m && !max_lag.compare_exchange_weak(m, lag);) {
        }
        const Op op = w.pick();
        const Outcome o = w.run(op);
        record(results[static_cast<std::size_t>(i)], op, o, ms_between(scheduled, Clock::now()));
        ++completed;
      }
    });
  }
  std::thread sampler([&] {
    for (int k = 0;; ++k) {
      const auto at = start + std::chrono::duration<double>(k * opt.rss_interval);
      {
        std::unique_lock lock(mu);
        if (stop_cv.wait_until(lock, std::min(at, end), [&] { return done; })) break;
      }
      if (Clock::now() >= end) break;
      rss.sample(std::chrono::duration<double>(Clock::now() - start).count());
      rss.print_last();
      std::fprintf(stderr, "load:          %llu calls done, %.1f calls/s so far\n",
                   static_cast<unsigned long long>(completed.load()),
                   static_cast<double>(completed.load()) /
                       std::max(1e-3, std::chrono::duration<double>(Clock::now() - start).count()));
    }
  });
  // The scheduler: call k is due at start + k / rate.
  const auto interval = std::chrono::duration<double>(1.0 / rate);
  for (std::uint64_t k = 0;; ++k) {
    const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(k));
    if (due >= end) break;
    std::this_thread::sleep_until(due);
    {
      std::lock_guard lock(mu);
      queue.push_back(due);
      report.max_queue = std::max(report.max_queue, queue.size());
    }
    cv.notify_one();
    ++report.scheduled;
  }
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  stop_cv.notify_all();
  for (auto& t : threads) t.join();
  sampler.join();
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  rss.sample(report.seconds);  // the end sample, after the last call
  report.late = late.load();
  report.max_lag_ms = max_lag.load();
  merge(results, stats, acked);
  char title[160];
  std::snprintf(title, sizeof title, "phase 2, soak (open loop at %.1f calls/s, %d workers, warm-up %.0f s)", rate,
                workers, warmup);
  stats.print(title, report.seconds);
  return report;
}

// Every acknowledged save must be listed by its owner. Returns the missing count.
std::size_t lost_records(const Deployment& d, SharedState& shared, const std::vector<Acked>& acked) {
  Worker w(d, shared, 0);
  std::size_t missing = 0;
  for (bool contoso : {true, false}) {
    const Service& s = contoso ? d.contoso : d.fabrikam;
    std::set<std::string> listed;
    std::string marker;
    do {
      std::string page;
      expect_200(w, s, "GET", "/company/list?max_results=5000" + (marker.empty() ? "" : "&marker=" + marker), &page);
      json j = json::parse(page);
      for (const auto& r : j["records"]) listed.insert(r["record_id"].get<std::string>());
      marker = j.value("next_marker", std::string());
    } while (!marker.empty());
    std::size_t acked_here = 0, missing_here = 0;
    for (const auto& a : acked) {
      if (a.contoso != contoso) continue;
      ++acked_here;
      if (!listed.count(a.record_id)) ++missing_here;
    }
    std::printf("%s: %zu saves acknowledged, %zu records listed, %zu acknowledged saves missing\n",
                contoso ? "contoso" : "fabrikam", acked_here, listed.size(), missing_here);
    missing += missing_here;
  }
  return missing;
}

bool check(bool ok, const std::string& what) {
  std::printf("%s  %s\n", ok ? "PASS" : "FAIL", what.c_str());
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"Load soak of a running mpcc deployment (scripts/load)"};
  app.add_option("--state-dir", opt.state_dir, "The deployment's state directory (mpcc up --state-dir)")->required();
  app.add_option("--workers", opt.workers, "Closed-loop workers in phase 1 (the soak uses twice as many)")
      ->check(CLI::Range(1, 256));
  app.add_option("--max-seconds", opt.max_seconds, "Phase 1 length")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--soak-seconds", opt.soak_seconds, "Phase 2 length")->check(CLI::Range(1.0, 86400.0));
  app.add_option("--fraction", opt.fraction, "Soak rate as a fraction of phase 1's rate")->check(CLI::Range(0.01, 1.0));
  app.add_option("--rate", opt.rate, "Soak rate in calls/s; skips phase 1")->check(CLI::Range(0.0, 100000.0));
  app.add_option("--warmup-seconds", opt.warmup_seconds, "RSS growth is measured from the first sample after this");
  app.add_option("--rss-interval", opt.rss_interval, "Seconds between RSS samples")->check(CLI::Range(0.5, 600.0));
  app.add_option("--max-rss-growth", opt.max_rss_growth, "Largest RSS growth allowed per process (0.10 = 10 %)");
  app.add_option("--late-ms", opt.late_ms, "A call starting this long after its due time counts as late");
  app.add_option("--storage-prefix", opt.storage_prefix,
                 "Prefix of the Snooper's /storage/list calls (\"\" = the whole container, which grows with the saves)");
  CLI11_PARSE(app, argc, argv);
  // A server closing a keep-alive connection must not kill the driver (SSL_write -> EPIPE).
  std::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<Deployment> d;
  try {
    d = Deployment::load(opt.state_dir);
    d->storage_prefix = opt.storage_prefix;
  } catch (const std::exception& e) {
    setup_failed(e.what());
  }
  SharedState shared;
  set_up(*d, shared);
  RssSampler rss(opt.state_dir);
  if (rss.processes() == 0) setup_failed("no pid files in " + opt.state_dir + "/run");

  std::vector<Acked> acked;
  PhaseStats max_stats, soak_stats;
  double rate = opt.rate;
  if (rate <= 0) rate = opt.fraction * run_max(*d, shared, opt, max_stats, acked);
  const double warmup = std::min(opt.warmup_seconds, opt.soak_seconds / 2);
  std::fprintf(stderr, "load: soak at %.1f calls/s for %.0f s\n", rate, opt.soak_seconds);
  const SoakReport soak = run_soak(*d, shared, opt, rate, rss, warmup, soak_stats, acked);
  const double achieved = static_cast<double>(soak_stats.total()) / soak.seconds;
  std::printf("scheduler: %llu calls due, %.1f calls/s achieved of %.1f planned; %llu started more than %.0f ms late "
              "(max lag %.0f ms, max queue %zu)%s\n",
              static_cast<unsigned long long>(soak.scheduled), achieved, rate,
              static_cast<unsigned long long>(soak.late), opt.late_ms, soak.max_lag_ms, soak.max_queue,
              soak.late > 0 ? "  BEHIND" : "");
  const bool rss_ok = rss.print_and_check(warmup, opt.max_rss_growth);
  std::printf("\n");
  const std::size_t missing = lost_records(*d, shared, acked);

  std::printf("\n");
  bool ok = true;
  const std::uint64_t server_errors = max_stats.server_errors() + soak_stats.server_errors();
  const std::uint64_t no_answer = max_stats.transport_errors() + soak_stats.transport_errors();
  const std::uint64_t other = max_stats.unexpected() + soak_stats.unexpected() - server_errors - no_answer;
  ok &= check(server_errors == 0, "no 5xx answer (" + std::to_string(server_errors) + ")");
  ok &= check(no_answer == 0, "every call answered (" + std::to_string(no_answer) + " without an answer)");
  ok &= check(other == 0, "every answer 200 (" + std::to_string(other) + " other 4xx/3xx/1xx)");
  ok &= check(missing == 0, "no lost record (" + std::to_string(acked.size()) + " saves acknowledged, " +
                                std::to_string(missing) + " missing)");
  char growth[96];
  std::snprintf(growth, sizeof growth, "resident memory growth < %.0f %% per process", opt.max_rss_growth * 100);
  ok &= check(rss_ok, growth);
  return ok ? 0 : 1;
}
