// The directory store's listing as a container grows (src/blobstore): what a
// party app pays per /company/list page and per record count.
//
//   list_page   one page of 50 names under one owner's prefix (names_only),
//               the page a party lists, in a container of N blobs shared by
//               two owners
//   list_heads  the same page with each blob's properties (one header read
//               per blob)
//   count       how many blobs one owner has
//   write_list  a create-only put, by the reader's own store or by another
//               store object (another process), then the page: what keeping
//               the index current costs
//
// N = 1,000 / 10,000 / 50,000 blobs (half per owner). Non-durable store on
// /tmp; see docs/benchmarks.md.
//   build/bench/bench/bench_blobstore --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "blobstore/directory_store.h"

namespace {

using namespace mpcc;             // NOLINT: a benchmark file
using namespace mpcc::blobstore;  // NOLINT

template <typename T>
T must(StatusOr<T> v) {
  if (!v.ok()) {
    fmt::print(stderr, "bench_blobstore: {}\n", v.status().to_string());
    std::exit(1);
  }
  return std::move(v).value();
}

ListOptions page_of_50(bool names_only) {
  ListOptions o;
  o.prefix = "records/contoso/";
  o.max_results = 50;
  o.names_only = names_only;
  return o;
}

// One root per N, filled once and shared by the benchmarks of that N.
struct Filled {
  std::filesystem::path root;
  std::unique_ptr<BlobStore> store;
  std::unique_ptr<BlobStore> other;  // a second store object: another process's view
};

Filled& filled(int n) {
  static std::map<int, Filled> roots;
  auto it = roots.find(n);
  if (it != roots.end()) return it->second;
  Filled f;
  f.root = std::filesystem::temp_directory_path() / fmt::format("mpcc-bench-blobstore-{}-{}", ::getpid(), n);
  std::filesystem::remove_all(f.root);
  DirectoryStoreOptions options;
  options.root = f.root;
  options.durable = false;
  f.store = must(open_directory_store(options));
  f.other = must(open_directory_store(options));
  if (!f.store->create_container("data").ok()) std::exit(1);
  const std::string jwe(1200, 'x');  // about one sealed record
  for (int i = 0; i < n; ++i) {
    must(f.store->put("data", fmt::format("records/{}/{:08x}.jwe", i % 2 ? "fabrikam" : "contoso", i), jwe));
  }
  must(f.store->list("data", page_of_50(true)));  // builds the reader's index, untimed
  return roots.emplace(n, std::move(f)).first->second;
}

void BM_ListPage(benchmark::State& state) {
  Filled& f = filled(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(must(f.store->list("data", page_of_50(true))));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListPage)->Arg(1000)->Arg(10000)->Arg(50000)->Unit(benchmark::kMicrosecond);

void BM_ListPageWithHeads(benchmark::State& state) {
  Filled& f = filled(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(must(f.store->list("data", page_of_50(false))));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListPageWithHeads)->Arg(1000)->Arg(10000)->Arg(50000)->Unit(benchmark::kMicrosecond);

void BM_Count(benchmark::State& state) {
  Filled& f = filled(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(must(f.store->count("data", "records/contoso/")));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Count)->Arg(1000)->Arg(10000)->Arg(50000)->Unit(benchmark::kMicrosecond);

// A create-only put then the page; range(1) = 1: the put comes from another
// store object (as another process's would), 0: from the reader's own store.
// Both write and read the one on-disk index, so the two should cost the same.
void BM_WriteThenListPage(benchmark::State& state) {
  Filled& f = filled(static_cast<int>(state.range(0)));
  const bool elsewhere = state.range(1) == 1;
  BlobStore& writer = elsewhere ? *f.other : *f.store;
  int i = 0;
  for (auto _ : state) {
    must(writer.put("data", fmt::format("records/{}/new-{:08x}.jwe", elsewhere ? "fabrikam" : "contoso", i++), "x"));
    benchmark::DoNotOptimize(must(f.store->list("data", page_of_50(true))));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WriteThenListPage)
    ->ArgsProduct({{1000, 10000}, {0, 1}})
    ->ArgNames({"blobs", "other_writer"})
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(200);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (int n : {1000, 10000, 50000}) {
    std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                fmt::format("mpcc-bench-blobstore-{}-{}", ::getpid(), n));
  }
  return 0;
}
