// PhiMoE (Phi-3.5-MoE): transformers' modeling_phimoe.py. Mixtral's layer with LayerNorm (weight + bias) norms,
// q/k/v/o biases from attention_bias, the router registered as `router` (PhimoeTopKRouter, an nn.Linear without
// bias) before the fused experts, and an lm_head biased by lm_head_bias. Checkpoints keep the v4 names
// block_sparse_moe.gate / experts.<e>.w1, w3, w2 (conversion_mapping "phimoe").
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  if (cls == "PhiMoEForCausalLM") cls = "PhimoeForCausalLM";  // the remote-code name Phi-3.5-MoE's config lists
  DecoderSpec s = moe::read(c, "Phimoe");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  const int64_t experts = moe::experts_count(c, {"num_local_experts"}, 16);
  auto block = make("PhimoeSparseMoeBlock");
  block->add("router", moe::router("PhimoeTopKRouter", experts, s.hidden));
  block->add("experts", moe::experts("PhimoeExperts", experts, s.hidden, s.inter, act_class(s.act)));
  auto layer = make("PhimoeDecoderLayer");
  layer->add("self_attn", decoder_attention(s));
  layer->add("mlp", block);
  layer->add("input_layernorm", layer_norm(s.hidden));
  layer->add("post_attention_layernorm", layer_norm(s.hidden));
  s.norm = [](int64_t dim) { return layer_norm(dim); };
  Model m = moe::decoder(s, cls, [layer](int64_t) { return layer; });
  if (cls == "PhimoeForCausalLM" && c.b("lm_head_bias", false)) m.root->child("lm_head")->param("bias", {s.vocab});
  m.to_checkpoint = moe::split_experts(
      {"w1", "w3", "w2"},
      rename_mapping({{R"(\.mlp\.router\.)", ".block_sparse_moe.gate."}, {R"(\.mlp\.)", ".block_sparse_moe."}}));
  return m;
}

MEMFIT_FAMILY({"phimoe"}, "Phimoe", build, "", "", /*cls_from_root=*/true);

}  // namespace
}  // namespace memfit
