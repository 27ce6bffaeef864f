// AFMoE (modeling_afmoe.py): a Llama-shaped decoder whose attention adds per-head q_norm/k_norm and an output
// gate_proj (hidden -> heads * head_dim), whose layers register self_attn, input_/post_attention_layernorm,
// pre_/post_mlp_layernorm and then mlp: a dense AfmoeMLP for the first num_dense_layers, else AfmoeSparseMoeBlock
// (router.gate Linear H -> E, shared_experts of moe_intermediate x num_shared_experts, fused experts, and
// expert_bias [E], a parameter with requires_grad False). _no_split_modules: AfmoeDecoderLayer.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

Model build(const Config& c, std::string_view cls) {
  const std::string p = "Afmoe";
  DecoderSpec s = moe::read(c, p);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  const int64_t experts = moe::experts_count(c, {"num_experts"}, 64);
  const int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 1408);
  const int64_t shared = moe::count(c, {"num_shared_experts"}, 2, 0);
  const int64_t dense_layers = moe::count(c, {"num_dense_layers"}, 1, 0);
  auto attn = decoder_attention(s);
  attn->add("q_norm", decoder_norm(s, s.head_dim));
  attn->add("k_norm", decoder_norm(s, s.head_dim));
  attn->add("gate_proj", linear(s.hidden, s.heads * s.head_dim, false));
  auto make_layer = [&](ModulePtr mlp) {
    auto l = make(p + "DecoderLayer");
    l->add("self_attn", attn);
    for (const char* n : {"input_layernorm", "post_attention_layernorm", "pre_mlp_layernorm", "post_mlp_layernorm"})
      l->add(n, decoder_norm(s, s.hidden));
    l->add("mlp", mlp);
    return l;
  };
  auto dense = make_layer(decoder_mlp(s));
  auto block = make(p + "SparseMoeBlock");
  auto router = make(p + "TokenChoiceRouter");
  router->add("gate", linear(s.hidden, experts, false));
  block->add("router", router);
  block->add("shared_experts", gated_mlp(p + "MLP", s.hidden, moe_inter * shared, false, act_class(s.act)));
  block->add("experts", moe::experts(p + "Experts", experts, s.hidden, moe_inter, act_class(s.act)));
  block->param("expert_bias", {experts});
  auto sparse = make_layer(block);
  Model m = moe::decoder(s, cls, [=](int64_t i) { return i >= dense_layers ? sparse : dense; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"afmoe"}, "Afmoe", build);

}  // namespace
