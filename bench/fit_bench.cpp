// Benchmarks of memfit fit (one verdict with its bisections and curve) and memfit search (the whole catalog).
// Linked into memfit_bench with estimate_bench.cpp (which holds BENCHMARK_MAIN).
#include <benchmark/benchmark.h>

#include "fit/fit.h"

namespace {

using namespace memfit;

FitOptions options(std::vector<std::pair<std::string, std::string>> p) { return *fit_options_from_params(p); }

void BM_Fit(benchmark::State& state, const char* id, const char* engine) {
  FitOptions o = options({{"gpu-memory", "24GiB"}, {"engine", engine}, {"context", "32768"}});
  for (auto _ : state) {
    auto r = fit(id, o);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK_CAPTURE(BM_Fit, llama_2_7b_hf, "meta-llama/Llama-2-7b-hf", "hf")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Fit, llama_3_1_70b_vllm, "meta-llama/Llama-3.1-70B", "vllm")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Fit, llama_3_1_70b_llamacpp, "meta-llama/Llama-3.1-70B", "llama.cpp")
    ->Unit(benchmark::kMillisecond);

void BM_SearchCatalog(benchmark::State& state) {
  SearchOptions so;
  so.fit = options({{"gpu-memory", "24GiB"}, {"context", "8192"}});
  so.include_cache = false;
  for (auto _ : state) {
    auto r = search(so);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SearchCatalog)->Unit(benchmark::kMillisecond);

}  // namespace
