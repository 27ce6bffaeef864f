// GLM-4.5 (glm4_moe): transformers' modeling_glm4_moe.py. Llama-shaped attention (q/k/v biases, optional per-head
// q_norm/k_norm, partial rotary), dense MLPs on the first `first_k_dense_replace` layers, then DeepSeek-V3-style MoE.
// GLM-4.5V's text model on its own (glm4v_moe_text, modeling_glm4v_moe.py) is the same decoder.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// `p` names the classes: "Glm4Moe", or "Glm4vMoeText" (GLM-4.5V's text model: biased q/k/v by default, no q/k norm).
Model build(const Config& c, std::string_view cls, const std::string& p = "Glm4Moe") {
  const bool text_v = p != "Glm4Moe";
  DecoderSpec s = moe::read(c, p);
  s.qkv_bias = c.b("attention_bias", text_v);
  s.qk_norm = !text_v && c.b("use_qk_norm", false);
  s.rotary_dim = moe::rotary_dim(c, s.head_dim, 0.5);
  moe::SharedMoe sm{p + "MoE", p + "TopkRouter", p + "Experts", p + "MLP", act_class(s.act)};
  sm.num_experts = moe::experts_count(c, {"n_routed_experts"}, 128);
  sm.hidden = s.hidden;
  sm.inter = moe::count(c, {"moe_intermediate_size"}, 1408);
  sm.n_shared = moe::count(c, {"n_shared_experts"}, 1, 0);
  sm.correction_bias = true;
  int64_t first_dense = moe::count(c, {"first_k_dense_replace"}, 1, 0);
  auto attn = decoder_attention(s);
  auto dense = moe::layer(s, attn, decoder_mlp(s)), sparse = moe::layer(s, attn, moe::shared_block(sm));
  Model m = moe::decoder(s, cls, [=](int64_t i) { return i >= first_dense ? sparse : dense; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"glm4_moe"}, "Glm4Moe", [](const Config& c, std::string_view cls) { return build(c, cls); });
MEMFIT_FAMILY({"glm4v_moe_text"}, "Glm4vMoeText", [](const Config& c, std::string_view cls) {
  Model m = build(c, cls, "Glm4vMoeText");
  m.no_split.push_back("Glm4vMoeVisionBlock");
  return m;
});

}  // namespace
}  // namespace memfit
