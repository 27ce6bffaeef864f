// gpt-oss: transformers' modeling_gpt_oss.py. Attention with q/k/v/o biases and per-head `sinks`; the MLP is a
// router (weight + bias) and experts fused with biases (gate_up_proj [E, H, 2I], down_proj [E, I, H]), saved as is.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "GptOss");
  s.qkv_bias = s.o_bias = c.b("attention_bias", true);
  int64_t experts = moe::experts_count(c, {"num_local_experts", "num_experts"}, 128);
  auto attn = decoder_attention(s);
  attn->param("sinks", {s.heads});
  auto router = make("GptOssTopKRouter");
  router->param("weight", {experts, s.hidden}).param("bias", {experts});
  auto ex = make("GptOssExperts");
  ex->param("gate_up_proj", {experts, s.hidden, 2 * s.inter}).param("gate_up_proj_bias", {experts, 2 * s.inter});
  ex->param("down_proj", {experts, s.inter, s.hidden}).param("down_proj_bias", {experts, s.hidden});
  auto mlp = make("GptOssMLP");
  mlp->add("router", router);
  mlp->add("experts", ex);
  auto layer = moe::layer(s, attn, mlp);
  return moe::decoder(s, cls, [layer](int64_t) { return layer; });
}

MEMFIT_FAMILY({"gpt_oss"}, "GptOss", build);

}  // namespace
}  // namespace memfit
