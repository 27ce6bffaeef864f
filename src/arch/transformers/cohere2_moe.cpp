// Cohere2-MoE (modeling_cohere2_moe.py): Cohere's parallel layer (self_attn, mlp, one input_layernorm) with q/k/v/o
// biases per attention_bias and no q/k norms; the mlp is a dense Cohere2MoeMLP (prefix_dense_intermediate_size, else
// intermediate_size) on "dense" mlp_layer_types, else Cohere2MoeSparseMoeBlock: gate (TopKRouter [E, H]), experts
// (fused, intermediate_size) and, with num_shared_experts > 0, shared_experts of intermediate x shared. Norms are
// RMSNorms when rms_norm_eps is set, else weight-only Cohere2MoeLayerNorms. _no_split_modules: the decoder layer.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

Model build(const Config& c, std::string_view cls) {
  const std::string p = "Cohere2Moe";
  DecoderSpec s = moe::read(c, p, true);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  const bool rms = c.has("rms_norm_eps");
  s.norm = [p, rms](int64_t d) {
    auto n = make(p + (rms ? "RMSNorm" : "LayerNorm"));
    n->param("weight", {d});
    return n;
  };
  const int64_t experts = moe::experts_count(c, {"num_experts"}, 8);
  const int64_t shared = moe::count(c, {"num_shared_experts"}, 0, 0);
  const int64_t dense_inter =
      c.has("prefix_dense_intermediate_size") ? moe::count(c, {"prefix_dense_intermediate_size"}, s.inter) : s.inter;
  auto attn = decoder_attention(s);
  auto make_layer = [&](ModulePtr mlp) {
    auto l = make(p + "DecoderLayer");
    l->add("self_attn", attn);
    l->add("mlp", mlp);
    l->add("input_layernorm", decoder_norm(s, s.hidden));
    return l;
  };
  auto dense = make_layer(gated_mlp(p + "MLP", s.hidden, dense_inter, false, act_class(s.act)));
  auto block = make(p + "SparseMoeBlock");
  block->add("gate", moe::router(p + "TopKRouter", experts, s.hidden));
  block->add("experts", moe::experts(p + "Experts", experts, s.hidden, s.inter, act_class(s.act)));
  if (shared > 0) block->add("shared_experts", gated_mlp(p + "MLP", s.hidden, s.inter * shared, false, act_class(s.act)));
  auto sparse = make_layer(block);
  const std::vector<bool> is_sparse = moe::sparse_layers(c, s.layers, 0);
  Model m = moe::decoder(s, cls, [=](int64_t i) { return is_sparse[static_cast<size_t>(i)] ? sparse : dense; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"cohere2_moe"}, "Cohere2Moe", build);

}  // namespace
