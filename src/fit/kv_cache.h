// The KV cache of a model, layer by layer, from its config (or a GGUF's hyperparameters): what each layer keeps per
// token (full attention, sliding window, MLA latent), per sequence (recurrent / linear-attention / Mamba state), or
// nothing (layers sharing another layer's KV). Engines differ in what they store, so sizes take the engine's rules.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "format/config.h"

namespace memfit {

struct KvLayer {
  enum class Kind { Full, Sliding, Mla, Recurrent, Shared, None };
  Kind kind = Kind::Full;
  int64_t kv_heads = 0;      // KV heads (MLA: 1 latent "head")
  int64_t k_dim = 0, v_dim = 0;  // per head; MLA: k_dim = kv_lora_rank + qk_rope_head_dim, v_dim = 0
  int64_t window = 0;        // sliding window (tokens)
  uint64_t state_bytes = 0;  // recurrent: bytes per sequence (fp32 conv + SSM / delta-rule state)
  // MLA only: what transformers' eager cache stores instead of the latent (decompressed heads).
  int64_t mla_heads = 0, mla_k_dim = 0, mla_v_dim = 0;
};

struct KvLayout {
  std::vector<KvLayer> layers;
  int64_t attention_heads = 0;  // query heads (TP divisibility)
  int64_t cross_layers = 0;     // encoder-decoder: decoder layers with cross-attention over the encoder output
  std::vector<std::string> notes;  // how the layout was read, one sentence each
};

// The config object holding the language model's dimensions (text_config, language_config, ... or the root).
const Json& language_config(const Json& config);
// First present integer among `keys` (floats truncated), else `def`.
int64_t config_int(const Json& j, std::initializer_list<const char*> keys, int64_t def);

// From a config.json object (text_config / language_config used when present). BadInput on absurd values.
Result<KvLayout> kv_layout_from_config(const Json& config);
// A GGUF hyperparameter as inspect reports it (scalar, or a per-layer array: its first element), else 0.
int64_t gguf_hp_int(const Json& hyperparameters, const char* key);
// From GGUF hyperparameters as inspect reports them (block_count, head_count(_kv) scalar or per layer,
// key_length, value_length, embedding_length, sliding_window, ...) plus the GGUF architecture name.
Result<KvLayout> kv_layout_from_gguf(const Json& hyperparameters, std::string_view architecture);

// Bytes of one KV element: fp32 4, fp16/bf16 2, fp8 1, q8_0 34/32, q4_0 18/32 (as a ratio, exact per 32).
struct KvType {
  std::string name;
  uint64_t num = 2, den = 1;  // bytes per element = num / den
};
Result<KvType> kv_type(std::string_view name);

enum class KvEngine { Hf, Vllm, LlamaCpp };

// The cache of `batch` sequences of `context` tokens each on one GPU (tensor parallel degree tp: KV heads per GPU =
// max(1, n_kv / tp)). hf: transformers' dynamic cache (sliding layers keep min(window, context), MLA decompressed);
// vllm: full layers by blocks of `block_size` (see vllm.cpp for its own rounding); llama.cpp: per cell.
uint64_t kv_bytes(const KvLayout& l, int64_t context, int64_t batch, const KvType& t, int tp, KvEngine e);
// Bytes per token of a full-length sequence, all layers that grow with context (MLA latent for vllm/llama.cpp).
uint64_t kv_bytes_per_token(const KvLayout& l, const KvType& t, int tp, KvEngine e);
// Per layer per token bytes (0 for layers that do not grow with context).
uint64_t layer_token_bytes(const KvLayer& x, const KvType& t, int tp, KvEngine e);
int64_t kv_heads_per_gpu(int64_t kv_heads, int tp);

}  // namespace memfit
