// gpt-oss: transformers' modeling_gpt_oss.py. Attention with q/k/v/o biases and per-head `sinks`; the MLP is a
// router (weight + bias) and experts fused with biases (gate_up_proj [E, H, 2I], down_proj [E, I, H]), saved as is.
// The OpenAI Privacy Filter encoder has the same tree.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls, const std::string& p = "GptOss") {
  DecoderSpec s = moe::read(c, p);
  s.qkv_bias = s.o_bias = c.b("attention_bias", true);
  int64_t experts = moe::experts_count(c, {"num_local_experts", "num_experts"}, 128);
  auto attn = decoder_attention(s);
  attn->param("sinks", {s.heads});
  auto router = make(p + "TopKRouter");
  router->param("weight", {experts, s.hidden}).param("bias", {experts});
  auto ex = make(p + "Experts");
  ex->param("gate_up_proj", {experts, s.hidden, 2 * s.inter}).param("gate_up_proj_bias", {experts, 2 * s.inter});
  ex->param("down_proj", {experts, s.inter, s.hidden}).param("down_proj_bias", {experts, s.hidden});
  auto mlp = make(p + "MLP");
  mlp->add("router", router);
  mlp->add("experts", ex);
  auto layer = moe::layer(s, attn, mlp);
  if (p != "GptOss") layer->cls = p + "EncoderLayer";
  return moe::decoder(s, cls, [layer](int64_t) { return layer; });
}

MEMFIT_FAMILY({"gpt_oss"}, "GptOss", [](const Config& c, std::string_view cls) { return build(c, cls); });
// OpenAI Privacy Filter (modeling_openai_privacy_filter.py): gpt-oss's layers as a bidirectional encoder.
MEMFIT_FAMILY({"openai_privacy_filter"}, "OpenAIPrivacyFilter", [](const Config& c, std::string_view cls) {
  Model m = build(c, cls, "OpenAIPrivacyFilter");
  m.no_split = {"OpenAIPrivacyFilterEncoderLayer"};
  return m;
});

}  // namespace
}  // namespace memfit
