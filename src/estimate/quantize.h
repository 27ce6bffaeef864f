// Model size as loaded with a quantization method: from the config's quantization_config (bitsandbytes 8/4-bit with
// or without double quantization, GPTQ, AWQ, FP8 per-tensor/per-channel/blocks, MXFP4, compressed-tensors) or a
// what-if scheme (--quantization bnb-nf4, gptq-4bit-g128, gguf-q4_k_m, ...), applying each method's real layout:
// which modules stay unquantized, scales / zeros per group, padding to blocks. Separate from accelerate's rows.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "tree/module.h"

namespace memfit {

struct QuantScheme {
  enum class Kind { Bnb8, Bnb4, Gptq, Awq, Fp8, Mxfp4, Nvfp4, CompressedInt, Gguf };
  Kind kind = Kind::Bnb4;
  std::string name;              // as shown: "bnb-nf4-dq", "gptq-4bit-g128", "fp8-block128", "gguf-q4_k_m", ...
  int bits = 4;
  int64_t group = 128;           // GPTQ/AWQ/compressed-tensors group size (-1: per output channel)
  bool double_quant = false;     // bitsandbytes 4-bit
  int64_t block_rows = 0, block_cols = 0;  // FP8 scale blocks (0: per-tensor; rows only: per-channel)
  bool asymmetric = false;       // compressed-tensors zero points
  std::string gguf_ftype;        // "Q4_K_M", "Q8_0", ...
  bool experts_only = false;     // MXFP4 (transformers quantizes only the MoE experts)
  std::vector<std::string> skip;  // modules_to_not_convert / llm_int8_skip_modules / ignore patterns
};

// The what-if names --quantization accepts.
const std::vector<std::string>& quantization_names();
Result<QuantScheme> scheme_from_name(std::string_view name);
// From config.json's quantization_config (also under text_config); Unsupported for unknown methods.
Result<QuantScheme> scheme_from_config(const nlohmann::json& quantization_config);
// The config's quantization_config object (top level or in text_config), or nullptr.
const nlohmann::json* find_quantization_config(const nlohmann::json& config);

struct QuantizedSize {
  std::string scheme;
  uint64_t quantized_params = 0, unquantized_params = 0;
  uint64_t quantized_tensors = 0;
  uint64_t weight_bytes = 0;       // the quantized weights' packed data
  uint64_t overhead_bytes = 0;     // scales, zeros, g_idx, absmax, code tables
  uint64_t unquantized_bytes = 0;  // embeddings, lm_head, norms, biases, routers, skipped modules (16-bit)
  uint64_t buffer_bytes = 0;       // buffers in their own dtype
  uint64_t total_bytes = 0;
  double bits_per_quantized_weight = 0;
};

// Size of the model's tensors under `s`; unquantized floating tensors count at `unquantized_bits` (16 default).
QuantizedSize quantized_size(const Model& m, const QuantScheme& s, int unquantized_bits = 16);

}  // namespace memfit
