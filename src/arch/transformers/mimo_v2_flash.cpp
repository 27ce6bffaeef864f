// MiMo-V2-Flash: transformers' modeling_mimo_v2_flash.py. Sliding-window layers have twice the kv heads and a
// per-head `sinks` parameter; values have their own v_head_dim; dense or MoE (DeepSeek-V3's routed experts without
// shared ones) per mlp_layer_types; one RoPE buffer pair per layer type, each with its partial_rotary_factor.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  const std::string p = "MiMoV2Flash";
  DecoderSpec s = moe::read(c, p);
  const bool bias = c.b("attention_bias", false);
  const int64_t v_dim = moe::count(c, {"v_head_dim"}, 128);
  std::vector<std::string> types = c.strings("layer_types");
  if (types.empty()) types.assign(s.layers, "full_attention");
  if (static_cast<int64_t>(types.size()) != s.layers) throw ConfigError("`layer_types` must list every layer");
  auto attention = [&](bool swa) {
    const int64_t kv = swa ? 2 * s.kv_heads : s.kv_heads;
    auto a = make(p + "Attention");
    a->add("q_proj", linear(s.hidden, s.heads * s.head_dim, bias));
    a->add("k_proj", linear(s.hidden, kv * s.head_dim, bias));
    a->add("v_proj", linear(s.hidden, kv * v_dim, bias));
    a->add("o_proj", linear(s.heads * v_dim, s.hidden, false));
    if (swa) a->param("sinks", {s.heads});
    return a;
  };
  const int64_t experts = moe::experts_count(c, {"n_routed_experts", "num_local_experts"}, 256);
  auto block = make(p + "MoE");
  block->add("experts", moe::experts(p + "Experts", experts, s.hidden, moe::count(c, {"moe_intermediate_size"}, 2048),
                                     act_class(s.act)));
  block->add("gate", moe::router(p + "TopkRouter", experts, s.hidden, true));
  auto dense = gated_mlp(p + "MLP", s.hidden, s.inter, false, act_class(s.act));
  const std::vector<bool> sparse_at = moe::sparse_layers(c, s.layers, 1);
  ModulePtr layers[2][2];  // [swa][sparse], shared nodes
  for (int swa = 0; swa < 2; ++swa) {
    auto a = attention(swa);
    for (int sp = 0; sp < 2; ++sp) layers[swa][sp] = moe::layer(s, a, sp ? block : dense);
  }
  s.rotary_emb = [&] { return rotary_per_layer_type(c, p + "RotaryEmbedding", s.head_dim, types); };
  std::vector<ModulePtr> picked;
  for (int64_t i = 0; i < s.layers; ++i) picked.push_back(layers[types[i] == "sliding_attention"][sparse_at[i]]);
  Model m = moe::decoder(s, cls, [picked](int64_t i) { return picked[i]; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"mimo_v2_flash"}, "MiMoV2Flash", build);

}  // namespace
}  // namespace memfit
