// OLMoE: transformers' modeling_olmoe.py. A Llama-shaped decoder whose attention normalises the whole q and k
// projections (q_norm over heads*head_dim, k_norm over kv_heads*head_dim) and whose MLP is a sparse block
// (gate router, fused experts) on every layer.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "Olmoe");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  int64_t experts = moe::experts_count(c, {"num_experts", "num_local_experts"}, 64);
  auto attn = decoder_attention(s);
  attn->add("q_norm", rms_norm("OlmoeRMSNorm", s.hidden));
  attn->add("k_norm", rms_norm("OlmoeRMSNorm", (s.hidden / s.heads) * s.kv_heads));
  auto block = make("OlmoeSparseMoeBlock");
  block->add("gate", moe::router("OlmoeTopKRouter", experts, s.hidden));
  block->add("experts", moe::experts("OlmoeExperts", experts, s.hidden, s.inter, act_class(s.act)));
  auto layer = moe::layer(s, attn, block);
  Model m = moe::decoder(s, cls, [layer](int64_t) { return layer; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"olmoe"}, "Olmoe", build);

}  // namespace
}  // namespace memfit
