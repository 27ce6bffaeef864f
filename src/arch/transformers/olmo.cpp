// OLMo, OLMo 2 and OLMo 3: transformers' modeling_olmo.py, modeling_olmo2.py, modeling_olmo3.py.
// OLMo: Llama-shaped with parameterless LayerNorms (OlmoLayerNorm). OLMo 2: RMSNorm q_norm/k_norm over all heads
// (num_heads * head_dim) and norms after attention and MLP only. OLMo 3: OLMo 2 plus a rotary embedding holding one
// inv_freq pair per layer type (sliding/full attention).
#include <set>

#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"olmo"}, "Olmo", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Olmo");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.norm = [](int64_t) { return leaf("OlmoLayerNorm"); };
  return decoder_for(s, cls);
});

DecoderSpec olmo2_spec(const Config& c, const std::string& prefix) {
  DecoderSpec s = read_decoder(c, prefix);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.attention = [s] {
    auto a = qkvo_attention(s.prefix + "Attention", {s.hidden, s.heads, s.kv_heads, s.head_dim, s.qkv_bias, s.o_bias});
    a->add("q_norm", rms_norm(s.prefix + "RMSNorm", s.heads * s.head_dim));
    a->add("k_norm", rms_norm(s.prefix + "RMSNorm", s.kv_heads * s.head_dim));
    return a;
  };
  s.layer_norms = {"post_attention_layernorm", "post_feedforward_layernorm"};
  return s;
}

MEMFIT_FAMILY({"olmo2"}, "Olmo2", [](const Config& c, std::string_view cls) {
  return decoder_for(olmo2_spec(c, "Olmo2"), cls);
});

MEMFIT_FAMILY({"olmo3"}, "Olmo3", [](const Config& c, std::string_view cls) {
  DecoderSpec s = olmo2_spec(c, "Olmo3");
  // layer_types default: every 4th layer full attention, the others sliding.
  std::set<std::string> types;
  for (const auto& t : c.strings("layer_types")) types.insert(t);
  if (types.empty()) {
    if (s.layers > 0) types.insert("sliding_attention");
    if (s.layers >= 4) types.insert("full_attention");
  }
  s.rotary_emb = [types, dim = s.head_dim / 2] {
    auto r = make("Olmo3RotaryEmbedding");
    for (const auto& t : types) {  // Python registers them in set order; the order changes no size
      r->buffer(t + "_inv_freq", {dim}, DType::F32, false);
      r->buffer(t + "_original_inv_freq", {dim}, DType::F32, false);
    }
    return r;
  };
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
