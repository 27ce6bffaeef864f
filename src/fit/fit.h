// memfit fit: will a model run on given GPUs under an engine (transformers, vLLM, llama.cpp), or can it be
// fine-tuned (full, LoRA, QLoRA, ZeRO/FSDP)? Terms in bytes per GPU, a verdict, and what to change.
// The CLI (`memfit fit`, `memfit search`) and the server (/api/fit, /api/search) call only this header.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "fit/training.h"
#include "hardware/gpus.h"
#include "memfit.h"

namespace memfit {

// Every option of `memfit fit`. Zero / empty means "the default a person would run" (the result lists it).
struct FitOptions {
  EstimateOptions estimate;             // resolution (Hub, cache, catalog) and library
  std::string gpu;                      // --gpu NAME[xN]
  uint64_t gpu_memory = 0;              // --gpu-memory (bytes) for a custom GPU
  int gpus = 0;                         // --gpus N
  std::string engine = "hf";            // hf | vllm | llama.cpp
  std::string dtype;                    // float32 | float16 | bfloat16 ("" = config torch_dtype if the GPU has it)
  std::string quantization;             // what-if (quantization_names()), "" = the config's
  std::string kv_dtype;                 // fp16 | bf16 | fp8 | q8_0 | q4_0 ("" = the weights' 16-bit dtype)
  int64_t context = 0;                  // tokens per sequence (0 = min(model maximum, 8192))
  int64_t batch = 1;                    // concurrent sequences
  int tp = 0;                           // tensor parallel degree (0 = the GPU count for vllm, else 1)
  // vLLM
  double gpu_memory_utilization = 0.9;
  int64_t max_num_batched_tokens = 0;   // 0 = vLLM's default
  int64_t max_num_seqs = 0;             // 0 = vLLM's default
  bool enforce_eager = false;
  // llama.cpp
  int n_gpu_layers = -1;                // -1 = all (or the largest that fits, as --fit would)
  int64_t ubatch = 512;
  std::string cache_type_k, cache_type_v;
  bool flash_attn = true;
  // Training (set: a training estimate instead of inference)
  std::optional<TrainingOptions> train;
};

// Parses options given as (name, value) pairs with the CLI's long names, `-` or `_` alike ("gpu", "gpu_memory",
// "max_model_len" = "context", "train", "lora_rank", ...). The CLI and the server both use this, so validation and
// error messages are the same everywhere. Usage errors name the option.
Result<FitOptions> fit_options_from_params(const std::vector<std::pair<std::string, std::string>>& params);

// The result; `to_json` gives the stable JSON documented in the README (keys listed in the fit issue).
struct FitResult {
  nlohmann::json json;  // the full result in its documented JSON form
};

Result<FitResult> fit(std::string_view model, const FitOptions& o);
std::string render_fit_table(const FitResult& r);
std::string render_fit_markdown(const FitResult& r);
std::string render_fit_csv(const FitResult& r);  // term,bytes_per_gpu rows plus total and usable

// memfit search: the fit verdict over the catalog and the HF cache; what fits, smallest first.
struct SearchOptions {
  FitOptions fit;
  size_t limit = 50;
  bool include_cache = true;
};
Result<nlohmann::json> search(const SearchOptions& o);

}  // namespace memfit
