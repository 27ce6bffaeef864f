// The GPU table (data/gpus.json, compiled into the binary) and the parsers for --gpu NAME[xN] and --gpu-memory.
// One row per product; `usable_bytes` is what the runtime can allocate (CUDA's total, or Apple's GPU working set).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace memfit {

struct Gpu {
  std::string vendor;                // NVIDIA | AMD | Apple | Intel
  std::string name;                  // canonical, e.g. "H100-80GB", "RTX-4090", "M3-Max-128GB"
  std::vector<std::string> aliases;  // other spellings people use
  std::string family;                // architecture, e.g. "Hopper", "Ada", "CDNA3", "Apple M3"
  std::string segment;               // datacenter | workstation | consumer | apple
  uint64_t memory_bytes = 0;         // nominal memory as marketed
  uint64_t usable_bytes = 0;         // what the runtime reports as total / may allocate
  double bandwidth_gbs = 0;          // memory bandwidth, GB/s
  double bf16_tflops = 0;            // dense bf16/fp16 tensor TFLOPS (0: unknown)
  bool bf16 = true;                  // native bf16 support
  bool fp8 = false;                  // native fp8 support
  bool unified = false;              // unified memory (Apple, some APUs)
  int year = 0;
  std::string source;                // where the row's numbers come from
  bool usable_measured = false;      // usable_bytes measured (a log, a driver report) rather than estimated
  std::string usable_source;         // "measured: <where>" or "estimate: <rule>"
  double hf_tflops = 0;              // huggingface.js's approximate fp16 TFLOPS (0: not listed there)
};

const std::vector<Gpu>& gpu_table();

// A parsed --gpu / --gpu-memory choice: one product (or a custom one) times a count.
struct GpuChoice {
  Gpu gpu;
  int count = 1;
  bool custom = false;  // from --gpu-memory
};

// "H100-80GBx8", "rtx 4090", "RTX 4090 *2", "M3-Max-128GB": case, spaces and punctuation forgiven; a count
// suffix xN or *N with N in 1..4096 (else Usage). Unknown names: NotFound naming the three closest table names.
// Specs over 200 characters: Usage.
Result<GpuChoice> parse_gpu(std::string_view spec);
// "24GiB", "24 GB", "80G", "512MiB", "1.5TB" to bytes: KB/MB/GB/TB/PB are decimal (1e9), KiB/MiB/GiB/TiB/PiB
// and the one-letter K/M/G/T/P binary (G = GiB, as in `docker --memory 80g`), B bytes, a bare number GiB. Zero,
// negative, not finite, over 1 PiB, or anything else: Usage.
Result<uint64_t> parse_memory_size(std::string_view text);
// --gpu-memory SIZE with --gpus N: a "custom" GPU whose memory and usable memory are both `bytes` (the user states
// what the runtime may use), bf16 assumed, no fp8, bandwidth unknown. N outside 1..4096: Usage.
Result<GpuChoice> custom_gpu(uint64_t bytes, int count = 1);
// Closest canonical names to an unknown one, best first (edit distance between normalised spellings).
std::vector<std::string> closest_gpu_names(std::string_view name, size_t n = 3);

// The row whose name or alias matches `name` after normalisation; nullptr if none.
const Gpu* find_gpu(std::string_view name);
// The spelling-insensitive key names are compared by: lower case, letters and digits only, the words nvidia,
// geforce, tesla, amd, instinct, apple and intel dropped, and a memory unit after a number dropped ("80GB" -> "80").
std::string normalize_gpu_name(std::string_view name);

}  // namespace memfit
