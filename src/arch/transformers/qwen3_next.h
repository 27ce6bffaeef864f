// The Qwen3-Next text decoder, shared with Qwen3.5-MoE's language model: hybrid layers (gated DeltaNet linear
// attention, or gated full attention with q_norm/k_norm) each followed by a Qwen2-MoE-style sparse block.
#pragma once
#include <string>

#include "arch/transformers/decoder.h"
#include "format/config.h"

namespace memfit {

// How the two families differ: class prefix, config-class defaults, projection layout, MLP placement.
struct NextVariant {
  std::string prefix;            // "Qwen3Next", "Qwen3_5Moe"
  int64_t vocab, layers, experts;  // config class defaults
  bool split_proj;               // Qwen3.5's separate in_proj_qkv/z/b/a
  bool always_sparse;            // every layer's MLP is the MoE block (no mlp_only_layers / decoder_sparse_step)
};
// The text model (`prefix`Model layout: embed_tokens, layers, norm, rotary_emb); its spec goes to `spec_out`.
ModulePtr qwen3_next_text(const Config& c, const NextVariant& v, DecoderSpec* spec_out = nullptr);

}  // namespace memfit
