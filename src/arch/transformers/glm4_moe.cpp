// GLM-4.5 (glm4_moe): transformers' modeling_glm4_moe.py. Llama-shaped attention (q/k/v biases, optional per-head
// q_norm/k_norm, partial rotary), dense MLPs on the first `first_k_dense_replace` layers, then DeepSeek-V3-style MoE.
// GLM-4.5V's text model (modeling_glm4v_moe.py, Glm4vMoeTextModel) is the same tree without q/k norms.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

Model build(const Config& c, std::string_view cls, const std::string& p) {
  DecoderSpec s = moe::read(c, p);
  s.qkv_bias = c.b("attention_bias", false);
  s.qk_norm = p == "Glm4Moe" && c.b("use_qk_norm", false);
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

MEMFIT_FAMILY({"glm4_moe"}, "Glm4Moe", [](const Config& c, std::string_view cls) { return build(c, cls, "Glm4Moe"); });
MEMFIT_FAMILY({"glm4v_moe_text"}, "Glm4vMoeText",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Glm4vMoeText"); });

}  // namespace
}  // namespace memfit
