// Parsing a safetensors header: linear in its size (issue 12: the old callback parser was quadratic in the tensor
// count). A header of N one-element tensors, up to the format's 100 MB cap.
#include <benchmark/benchmark.h>

#include <string>

#include "format/safetensors.h"

namespace {

std::string header(size_t n) {
  std::string json = "{";
  for (size_t k = 0; k < n; ++k)
    json += (k ? ",\"model.layers." : "\"model.layers.") + std::to_string(k) + ".w\":{\"dtype\":\"F32\",\"shape\":[1]," +
            "\"data_offsets\":[" + std::to_string(4 * k) + "," + std::to_string(4 * k + 4) + "]}";
  return json + "}";
}

void BM_SafetensorsHeader(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::string json = header(n);
  for (auto _ : state) {
    auto h = memfit::safetensors::parse_header(json, 4 * n, "bench");
    benchmark::DoNotOptimize(h);
  }
  state.counters["header_MB"] = static_cast<double>(json.size()) / 1e6;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

// 40k tensors took 10.6 s before; 1.2M tensors is a ~100 MB header, the format's cap.
BENCHMARK(BM_SafetensorsHeader)->Arg(40'000)->Arg(400'000)->Arg(1'200'000)->Unit(benchmark::kMillisecond);

}  // namespace
