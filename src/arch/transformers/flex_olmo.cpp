// FlexOlmo: transformers' modeling_flex_olmo.py. OLMoE's sparse block (gate router, fused experts) in OLMo 2's
// layer: q_norm over heads * head_dim, k_norm over kv_heads * head_dim, norms after attention and after the MLP.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "FlexOlmo");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  int64_t experts = moe::experts_count(c, {"num_experts"}, 7);
  auto attn = decoder_attention(s);
  attn->add("q_norm", rms_norm("FlexOlmoRMSNorm", s.heads * s.head_dim));
  attn->add("k_norm", rms_norm("FlexOlmoRMSNorm", s.kv_heads * s.head_dim));
  auto block = make("FlexOlmoSparseMoeBlock");
  block->add("gate", moe::router("FlexOlmoTopKRouter", experts, s.hidden));
  block->add("experts", moe::experts("FlexOlmoExperts", experts, s.hidden, s.inter, act_class(s.act)));
  auto layer = make("FlexOlmoDecoderLayer");
  layer->add("self_attn", attn);
  layer->add("mlp", block);
  layer->add("post_attention_layernorm", rms_norm("FlexOlmoRMSNorm", s.hidden));
  layer->add("post_feedforward_layernorm", rms_norm("FlexOlmoRMSNorm", s.hidden));
  Model m = moe::decoder(s, cls, [layer](int64_t) { return layer; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"flex_olmo"}, "FlexOlmo", build);

}  // namespace
}  // namespace memfit
