// The Llama-shaped decoder that most causal LMs share (embed_tokens, layers of self_attn + mlp with two norms,
// final norm, rotary_emb), parameterised by the details in which families differ. Family files fill a
// DecoderSpec and may replace pieces (the attention, the MLP, the layer) with their own.
#pragma once
#include <functional>
#include <string>
#include <vector>

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
  int64_t num_labels = 2;        // PretrainedConfig.num_labels, for the classification heads
  // Optional overrides: build layer i (default: the standard decoder layer, shared across i).
  std::function<ModulePtr(int64_t i)> layer;
  // Optional family details (all defaulted: the Llama layout is unchanged when they are left alone).
  bool embed_scale = false;      // Gemma: <prefix>TextScaledWordEmbedding with a 0-d float32 buffer `embed_scale`
  std::function<ModulePtr(int64_t dim)> norm;  // norm module (default: <prefix>RMSNorm with a weight)
  std::vector<std::string> layer_norms;        // the layer's norms after self_attn and mlp (default: input_ and
                                               // post_attention_layernorm)
  std::function<ModulePtr()> attention;        // replaces decoder_attention in the standard layer
  std::function<ModulePtr()> mlp;              // replaces decoder_mlp in the standard layer
  std::function<ModulePtr()> rotary_emb;       // replaces the model's rotary_emb module
};

// The RoPE fraction of head_dim: rope_parameters' (or rope_scaling's) partial_rotary_factor, else the top-level
// key `key`, else `def` (the config class's default), as transformers 5 standardises it.
double rope_fraction(const Config& c, double def = 1.0, std::string_view key = "partial_rotary_factor");
// int(head_dim * fraction), the dimension RoPE covers, rounded up to even so that blocks::rotary's dim/2 is the
// length of torch.arange(0, dim, 2).
int64_t rope_dim(int64_t head_dim, double fraction);
// Throws ConfigError naming `key` unless 1 <= v <= max: guards divisions and loops on config-provided counts.
int64_t checked(const Config& c, std::string_view key, int64_t v, int64_t max = int64_t{1} << 24);
// The spec's norm module (its `norm` factory, else <prefix>RMSNorm).
ModulePtr decoder_norm(const DecoderSpec& s, int64_t dim);

// Gemma-3-style <cls> with `<type>_inv_freq` / `<type>_original_inv_freq` [ceil(int(head_dim * f) / 2)] for each
// distinct layer type, f being rope_parameters[type].partial_rotary_factor (1.0 when absent).
ModulePtr rotary_per_layer_type(const Config& c, const std::string& cls, int64_t head_dim,
                                const std::vector<std::string>& types);

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
