// The Llama-shaped decoder that most causal LMs share (embed_tokens, layers of self_attn + mlp with two norms,
// final norm, rotary_emb), parameterised by the details in which families differ. Family files fill a
// DecoderSpec and may replace pieces (the attention, the MLP, the layer) with their own.
#pragma once
#include <functional>
#include <string>

#include "arch/blocks.h"
#include "format/config.h"
#include "tree/module.h"

namespace memfit {

struct DecoderSpec {
  std::string prefix;            // "Llama" -> LlamaModel, LlamaDecoderLayer, LlamaAttention, LlamaMLP, LlamaRMSNorm
  int64_t vocab = 0, hidden = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0, inter = 0;
  bool qkv_bias = false, o_bias = false, mlp_bias = false;
  bool qk_norm = false;          // per-head q_norm / k_norm (Qwen3)
  int64_t rotary_dim = 0;        // 0: head_dim
  std::string act = "silu";
  bool tie_embeddings = false;   // tie_word_embeddings
  // Optional overrides: build layer i (default: the standard decoder layer, shared across i).
  std::function<ModulePtr(int64_t i)> layer;
};

// Reads the common keys (with their aliases) into a spec; `tie_default` is the config class's default.
DecoderSpec read_decoder(const Config& c, std::string prefix, bool tie_default = false);

ModulePtr decoder_attention(const DecoderSpec& s);
ModulePtr decoder_mlp(const DecoderSpec& s);
ModulePtr decoder_layer(const DecoderSpec& s);
// XModel: embed_tokens, layers, norm, rotary_emb.
ModulePtr decoder_model(const DecoderSpec& s);
// XModel or XForCausalLM (model + lm_head) by class name; throws UnsupportedClass for other heads.
Model decoder_for(const DecoderSpec& s, std::string_view cls);

}  // namespace memfit
