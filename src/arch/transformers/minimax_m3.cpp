// MiniMax-M3's text model (transformers' modeling_minimax_m3_vl.py, model_type minimax_m3_vl_text):
// MiniMaxM3VLTextModel. Attention without biases, Gemma-style per-head q/k norms, and on "minimax_m3_sparse" layers
// a lightning indexer (q_proj to index_n_heads x index_head_dim, k_proj to one index head, q/k norms). The MLP is a
// dense MiniMaxM3VLDenseMLP (one fused gate_up_proj Linear, down_proj) of dense_intermediate_size, or a MoE block:
// router with a float32 e_score_correction_bias, fused experts of intermediate_size, and a shared DenseMLP of
// shared_intermediate_size. RoPE covers head_dim x partial_rotary_factor (`rotary_dim` is not read by the table).
#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  const std::string p = "MiniMaxM3VL";
  DecoderSpec s = moe::read(c, p);
  s.rotary_dim = rope_dim(s.head_dim, rope_fraction(c));
  const int64_t experts = moe::experts_count(c, {"num_local_experts", "num_experts"}, 128);
  const int64_t dense_inter = moe::count(c, {"dense_intermediate_size"}, 12288);
  const int64_t shared_inter = moe::count(c, {"shared_intermediate_size"}, 3072);
  std::vector<std::string> types = c.strings("layer_types");
  if (types.empty()) types.assign(s.layers, "full_attention");
  if (static_cast<int64_t>(types.size()) != s.layers)
    throw ConfigError(fmt::format("`layer_types` lists {} layers, not {}", types.size(), s.layers));
  const std::string act = act_class("silu");  // __post_init__ sets hidden_act to silu

  auto attention = [&](bool sparse_attn) {
    auto a = decoder_attention(s);
    a->add("q_norm", rms_norm(p + "RMSNorm", s.head_dim));
    a->add("k_norm", rms_norm(p + "RMSNorm", s.head_dim));
    if (sparse_attn) {
      const int64_t ih = moe::count(c, {"index_n_heads"}, 4), id = moe::count(c, {"index_head_dim"}, 128);
      auto idx = make(p + "Indexer");
      idx->add("q_proj", linear(s.hidden, ih * id, false));
      idx->add("k_proj", linear(s.hidden, id, false));
      idx->add("q_norm", rms_norm(p + "RMSNorm", id));
      idx->add("k_norm", rms_norm(p + "RMSNorm", id));
      a->add("indexer", idx);
    }
    return a;
  };
  auto moe_block = make(p + "SparseMoeBlock");
  moe_block->add("gate", moe::router(p + "TopKRouter", experts, s.hidden, true));
  moe_block->add("experts", moe::experts(p + "Experts", experts, s.hidden, s.inter, act));
  moe_block->add("shared_experts", gate_up_mlp(p + "DenseMLP", s.hidden, shared_inter, act));
  auto dense = gate_up_mlp(p + "DenseMLP", s.hidden, dense_inter, act);

  const std::vector<bool> sparse = moe::sparse_layers(c, s.layers, 0);
  ModulePtr cache[2][2];
  s.layer = [&](int64_t i) {
    const bool a = types[i] == "minimax_m3_sparse", f = sparse[i];
    auto& l = cache[a][f];
    if (!l) l = moe::layer(s, attention(a), f ? moe_block : dense);
    return l;
  };
  auto text = decoder_model(s);
  text->cls = p + "TextModel";
  Model m = heads::base_or_causal_lm(cls, p + "TextModel", p + "ForCausalLM", text, s.hidden, s.vocab,
                                     c.b("tie_word_embeddings", false), {p + "DecoderLayer", p + "VisionEncoderLayer"});
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"minimax_m3_vl_text"}, "MiniMaxM3VL", build, "MiniMaxM3VLTextModel");

}  // namespace
}  // namespace memfit
