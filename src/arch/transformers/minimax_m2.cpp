// MiniMax-M2 (modeling_minimax_m2.py) and Hunyuan-V3 (hy_v3, modeling_hy_v3.py, built from MiniMax-M2's MoE block):
// a sparse MoE block of gate (TopKRouter), experts and a float32 buffer e_score_correction_bias [E]. MiniMax-M2's
// attention normalises q and k over all heads at once (q_norm [heads * head_dim]) and every layer is sparse;
// HY-V3 adds shared experts, per-head q/k norms, and dense or sparse layers per mlp_layer_types.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls, const std::string& p) {
  const bool hy = p == "HYV3";
  DecoderSpec s = moe::read(c, p);
  s.qkv_bias = s.o_bias = hy && c.b("attention_bias", false);
  s.mlp_bias = hy && c.b("mlp_bias", false);
  s.qk_norm = hy;
  s.rotary_dim = rope_dim(s.head_dim, rope_fraction(c));
  const std::string act = act_class(s.act);
  const int64_t experts = moe::experts_count(c, {"num_local_experts", "num_experts"}, hy ? 192 : 256);
  const int64_t inter = hy ? moe::count(c, {"moe_intermediate_size"}, 1536) : s.inter;

  auto attn = decoder_attention(s);
  if (!hy) {  // FlexOlmo-style norms over the whole projection
    attn->add("q_norm", rms_norm(p + "RMSNorm", s.heads * s.head_dim));
    attn->add("k_norm", rms_norm(p + "RMSNorm", s.kv_heads * s.head_dim));
  }
  auto block = make(p + (hy ? "MoE" : "SparseMoeBlock"));
  block->add("gate", moe::router(p + "TopKRouter", experts, s.hidden));
  block->add("experts", moe::experts(p + "Experts", experts, s.hidden, inter, act));
  block->buffer("e_score_correction_bias", {experts}, DType::F32);
  if (hy) {
    // HYV3MLP(intermediate_size=moe_intermediate_size * num_shared_experts), `or intermediate_size` when that is 0.
    int64_t shared = inter * moe::count(c, {"num_shared_experts"}, 1, 0);
    block->add("shared_experts", gated_mlp(p + "MLP", s.hidden, shared ? shared : s.inter, s.mlp_bias, act));
  }
  auto sparse = moe::layer(s, attn, block);
  if (!hy) {
    Model m = moe::decoder(s, cls, [=](int64_t) { return sparse; });
    m.to_checkpoint = moe::split_experts();
    return m;
  }

  const std::vector<bool> sparse_at = moe::sparse_layers(c, s.layers, 1);
  auto dense = moe::layer(s, attn, gated_mlp(p + "MLP", s.hidden, s.inter, s.mlp_bias, act));
  Model m = moe::decoder(s, cls, [=](int64_t i) { return sparse_at[i] ? sparse : dense; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"minimax_m2"}, "MiniMaxM2",
              [](const Config& c, std::string_view cls) { return build(c, cls, "MiniMaxM2"); });
MEMFIT_FAMILY({"hy_v3"}, "HYV3", [](const Config& c, std::string_view cls) { return build(c, cls, "HYV3"); });

}  // namespace
}  // namespace memfit
