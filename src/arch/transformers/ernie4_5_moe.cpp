// ERNIE 4.5 MoE: transformers' modeling_ernie4_5_moe.py. A Llama-shaped decoder (use_bias on every projection) whose
// MLP is a sparse MoE block on layers start..end every `moe_layer_interval`; the router carries its
// moe_statics.e_score_correction_bias, which checkpoints keep one level up (mlp.moe_statics).
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "Ernie4_5_Moe", true);
  bool bias = c.b("use_bias", false);
  s.qkv_bias = s.o_bias = s.mlp_bias = bias;
  int64_t experts = moe::experts_count(c, {"moe_num_experts", "num_experts"}, 64);
  int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 1536);
  int64_t n_shared = moe::count(c, {"moe_num_shared_experts"}, 2, 0);
  int64_t start = c.i("moe_layer_start_index", 1), end = c.i("moe_layer_end_index", -1);
  int64_t interval = moe::dim(c, "moe_layer_interval", c.i("moe_layer_interval", 1));
  if (end == -1) end = s.layers - 1;

  auto gate = moe::router("Ernie4_5_MoeTopKRouter", experts, s.hidden);
  gate->add("moe_statics", make("Ernie4_5_MoeStatics"))->param("e_score_correction_bias", {1, experts});
  auto block = make("Ernie4_5_MoeSparseMoeBlock");
  block->add("gate", gate);
  block->add("experts", moe::experts("Ernie4_5_MoeExperts", experts, s.hidden, moe_inter, act_class(s.act)));
  if (n_shared > 0)
    block->add("shared_experts", gated_mlp("Ernie4_5_MoeMLP", s.hidden, moe_inter * n_shared, bias, act_class(s.act)));
  auto attn = decoder_attention(s);
  auto dense = moe::layer(s, attn, decoder_mlp(s)), sparse = moe::layer(s, attn, block);
  Model m = moe::decoder(s, cls, [=](int64_t i) {
    return ((i + 1) % interval == 0 && i >= start && i <= end) ? sparse : dense;
  });
  if (auto head = m.root->child("lm_head"); head && bias) head->param("bias", {s.vocab});  // Linear(bias=use_bias)
  m.to_checkpoint = moe::split_experts(
      {}, rename_mapping({{R"(\.mlp\.gate\.moe_statics\.)", ".mlp.moe_statics."}}));
  return m;
}

MEMFIT_FAMILY({"ernie4_5_moe"}, "Ernie4_5_Moe", build);

}  // namespace
}  // namespace memfit
