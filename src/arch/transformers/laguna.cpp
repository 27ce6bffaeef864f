// Laguna (modeling_laguna.py) and Mellum (modeling_mellum.py, built from Laguna's layer): per-layer MLP types
// (`mlp_layer_types`: "dense" or "sparse"), Qwen3-MoE experts, and a Gemma-3-style rotary embedding with one pair of
// inv_freq buffers per layer type, each with its own partial_rotary_factor. Laguna's attention adds a softplus
// output gate (g_proj, one value per head or per channel) and a per-layer head count; Mellum's is Qwen3-MoE's.
#include <fmt/format.h>

#include <map>

#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// A per-layer list from the config (`key`, as long as the layer count), else `def` for every layer.
std::vector<std::string> per_layer(const Config& c, std::string_view key, int64_t n, const std::string& def) {
  std::vector<std::string> v = c.strings(key);
  if (v.empty()) v.assign(n, def);
  if (static_cast<int64_t>(v.size()) != n)
    throw ConfigError(fmt::format("`{}` must list {} layers (model_type `{}`)", key, n, c.model_type()));
  return v;
}

Model build(const Config& c, std::string_view cls, const std::string& p) {
  const bool laguna = p == "Laguna";
  DecoderSpec s = moe::read(c, p);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.qk_norm = true;
  const int64_t experts = moe::experts_count(c, {"num_experts", "num_local_experts"}, laguna ? 256 : 64);
  const int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, laguna ? 512 : 896);
  const std::string act = act_class(s.act);
  const std::vector<bool> sparse_at = moe::sparse_layers(c, s.layers, laguna ? 1 : 0);
  const auto attn_types = per_layer(c, "layer_types", s.layers, "full_attention");
  std::vector<int64_t> heads(s.layers, s.heads);
  if (laguna && c.has("num_attention_heads_per_layer")) heads = c.ints("num_attention_heads_per_layer");
  if (static_cast<int64_t>(heads.size()) != s.layers) throw ConfigError("`num_attention_heads_per_layer` length");

  // <P>SparseMoeBlock: experts, gate (Laguna's router adds the parameter e_score_correction_bias), Laguna's
  // shared_experts MLP.
  auto block = make(p + "SparseMoeBlock");
  block->add("experts", moe::experts(p + "Experts", experts, s.hidden, moe_inter, act));
  auto gate = moe::router(p + "TopKRouter", experts, s.hidden);
  if (laguna) gate->param("e_score_correction_bias", {experts});
  block->add("gate", gate);
  if (laguna)
    block->add("shared_experts",
               gated_mlp(p + "MLP", s.hidden, moe::count(c, {"shared_expert_intermediate_size"}, 512), false, act));
  auto dense = gated_mlp(p + "MLP", s.hidden, s.inter, false, act);

  const std::string gating = c.raw().contains("gating") && c.raw()["gating"].is_string()
                                 ? c.raw()["gating"].get<std::string>()
                                 : (c.b("gating", true) ? "per-head" : "per-element");
  auto attention = [&](int64_t h) {
    DecoderSpec a = s;
    a.heads = moe::dim(c, "num_attention_heads_per_layer", h);
    auto m = decoder_attention(a);
    if (laguna) m->add("g_proj", linear(s.hidden, gating == "per-head" ? h : h * s.head_dim, false));
    return m;
  };
  std::map<std::pair<int64_t, bool>, ModulePtr> layers;  // shared nodes per (heads, sparse)
  for (int64_t i = 0; i < s.layers; ++i) {
    const bool sparse = sparse_at[i];
    auto& l = layers[{heads[i], sparse}];
    if (!l) l = moe::layer(s, attention(heads[i]), sparse ? block : dense);
  }
  s.rotary_emb = [&] { return rotary_per_layer_type(c, p + "RotaryEmbedding", s.head_dim, attn_types); };
  auto pick = [&](int64_t i) { return layers.at({heads[i], static_cast<bool>(sparse_at[i])}); };
  std::vector<ModulePtr> picked;
  for (int64_t i = 0; i < s.layers; ++i) picked.push_back(pick(i));
  Model m = moe::decoder(s, cls, [picked](int64_t i) { return picked[i]; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"laguna"}, "Laguna", [](const Config& c, std::string_view cls) { return build(c, cls, "Laguna"); });
MEMFIT_FAMILY({"mellum"}, "Mellum", [](const Config& c, std::string_view cls) { return build(c, cls, "Mellum"); });

}  // namespace
}  // namespace memfit
