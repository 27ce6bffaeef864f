// What fit's engines (hf.cpp, vllm.cpp, llamacpp.cpp), the verdict and search share; internal to src/fit.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fit/fit.h"
#include "fit/kv_cache.h"

namespace memfit::fitdetail {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

// The model as fit sees it: dimensions, KV layout, and where its weights' sizes come from.
struct ModelInfo {
  std::string model, architecture, model_type, source;
  std::optional<BuiltModel> built;  // absent for a GGUF checkpoint
  Json config = Json::object();
  uint64_t parameters = 0;
  int64_t hidden = 0, ffn = 0, vocab = 0, n_layers = 0, heads = 0, max_position = 0;
  int64_t experts = 0, experts_per_token = 0;
  uint64_t expert_parameters = 0;  // parameters inside routed experts (MoE)
  std::string config_dtype;        // torch_dtype / dtype of the config ("" if none)
  bool tied_embeddings = false;
  KvLayout kv;
  // A checkpoint given as MODEL: its exact bytes, and for GGUF the per-block bytes.
  std::string checkpoint_format;   // "" | safetensors | gguf
  uint64_t checkpoint_bytes = 0;
  std::vector<uint64_t> layer_bytes;  // GGUF: bytes of blk.N.*
  uint64_t embed_bytes = 0, output_bytes = 0;  // GGUF: token_embd, output (+ output_norm)
  std::string gguf_file_type;
  std::vector<std::string> notes;
};

// One point to evaluate: every option resolved.
struct Setting {
  FitOptions o;
  GpuChoice gpu;
  int gpus = 1, tp = 1;
  int64_t context = 0, batch = 1;
  std::string dtype;        // float32 | float16 | bfloat16
  int dtype_bytes = 2;
  KvType kv;
  std::string quantization;  // scheme applied to the weights ("" none)
  uint64_t weights_total = 0;   // as loaded, all GPUs together
  uint64_t weights_per_gpu = 0; // after the engine's split (tp / layers)
};

// Terms in bytes per GPU, and the budget they are held against.
struct Terms {
  uint64_t weights = 0, kv_cache = 0, activations = 0, gradients = 0, optimizer = 0, overhead = 0;
  uint64_t budget = 0;  // usable bytes per GPU under this engine (vLLM: utilization x total)
  bool ok = true;       // the engine's own condition (vLLM starts and holds the batch)
  uint64_t trainable = 0;
  Json engine;          // "vllm" / "llamacpp" / "training" object
  std::vector<std::string> assumptions;
  uint64_t total() const {  // saturating: hostile sizes never wrap around into "fits"
    uint64_t t = 0;
    for (uint64_t v : {weights, kv_cache, activations, gradients, optimizer, overhead})
      if (__builtin_add_overflow(t, v, &t)) return UINT64_MAX;
    return t;
  }
  bool fits() const { return ok && total() <= budget; }
};

Result<Terms> hf_terms(const ModelInfo& m, const Setting& s);
Result<Terms> vllm_terms(const ModelInfo& m, const Setting& s);
Result<Terms> llamacpp_terms(const ModelInfo& m, const Setting& s);
Result<Terms> training_eval(const ModelInfo& m, const Setting& s);
// Dispatches on the engine (or training).
Result<Terms> evaluate(const ModelInfo& m, const Setting& s);

// Loads the model (catalog / Hub / local config, or a checkpoint path).
Result<ModelInfo> load_model(std::string_view model, const FitOptions& o);
// Resolves the options' defaults for this model (assumptions listed); computes the weights as loaded.
Result<Setting> make_setting(const ModelInfo& m, const FitOptions& o, std::vector<std::string>& assumptions);
// Weights as loaded for a dtype / quantization (all GPUs together).
Result<uint64_t> weights_as_loaded(const ModelInfo& m, const std::string& dtype, const std::string& quantization);

// Verdict helpers (verdict.cpp).
int64_t max_context(const ModelInfo& m, const Setting& s);  // 0 = not even 1 token
int64_t max_batch(const ModelInfo& m, const Setting& s);
int gpus_needed(const ModelInfo& m, const Setting& s);      // 0 = more than 64
Json suggestions(const ModelInfo& m, const Setting& s, const Terms& t);
Json curve(const ModelInfo& m, const Setting& s);

// Whether tp splits this model's heads the way the engine requires (Usage error otherwise).
std::optional<Error> check_tp(const ModelInfo& m, const std::string& engine, int tp);

std::string gib(uint64_t bytes);  // "12.34 GiB"
uint64_t ceil_div(uint64_t a, uint64_t b);
// A product of sizes computed in long double and clamped to uint64 (configs may hold absurd dimensions).
uint64_t sat(long double v);

}  // namespace memfit::fitdetail
