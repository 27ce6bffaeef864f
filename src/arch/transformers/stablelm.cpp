// StableLM (2 / Zephyr / 3B-4E1T): transformers' modeling_stablelm.py. Llama-shaped with nn.LayerNorm norms,
// optional q/k/v biases (o_proj never), optional per-head q/k LayerNorms (one bias-free LayerNorm per head),
// an optional parallel residual (then no post_attention_layernorm) and partial rotary (default factor 0.25).
// Also the remote-code StableLMEpoch configs (model_type stablelm_epoch), which hold the same tensors.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr per_head_norm(int64_t dim, int64_t heads) {
  auto m = make("StableLmLayerNormPerHead");
  m->add("norms", repeat(layer_norm(dim, false), heads));
  return m;
}

MEMFIT_FAMILY({"stablelm"}, "StableLm", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "StableLm");
  s.kv_heads = c.i("num_key_value_heads", 32);
  s.head_dim = s.hidden / s.heads;
  s.qkv_bias = c.b("use_qkv_bias", false);
  bool qk_norm = c.b("qk_layernorm", false);
  s.attention = [s, qk_norm] {
    auto a = qkvo_attention("StableLmAttention", {s.hidden, s.heads, s.kv_heads, s.head_dim, s.qkv_bias, false});
    if (qk_norm) {
      a->add("q_layernorm", per_head_norm(s.head_dim, s.heads));
      a->add("k_layernorm", per_head_norm(s.head_dim, s.kv_heads));
    }
    return a;
  };
  s.norm = [](int64_t dim) { return layer_norm(dim); };
  if (c.b("use_parallel_residual", false)) s.layer_norms = {"input_layernorm"};
  s.rotary_dim = rope_dim(s.head_dim, rope_fraction(c, 0.25));
  return decoder_for(s, cls);
});

// stable-code-3b / stablelm-3b-4e1t's remote code (model_type stablelm_epoch) is StableLM under older key names.
MEMFIT_REMOTE_CODE_ALIAS(
    "stablelm_epoch", "stablelm",
    [](const Json& c) {
      Json n = c;
      if (c.contains("rope_pct")) n["partial_rotary_factor"] = c["rope_pct"];
      if (c.contains("norm_eps")) n["layer_norm_eps"] = c["norm_eps"];
      n["architectures"] = Json::array({"StableLmForCausalLM"});
      return n;
    },
    "StableLMEpoch's q/k/v/o, gated MLP and LayerNorms are StableLM's, rope_pct its partial_rotary_factor");

}  // namespace
}  // namespace memfit
