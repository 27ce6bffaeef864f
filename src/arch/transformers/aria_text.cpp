// Aria's language model (aria_text, modeling_aria.py's AriaTextModel): a Llama decoder whose MLP is AriaTextMoELayer:
// router (Linear H -> E, no bias), experts (fc1 [E, H, 2I] and fc2 [E, I, H] grouped GEMM weights) and shared_experts
// (a gated MLP of intermediate_size * moe_num_shared_experts).
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"aria_text"}, "AriaText", [](const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "AriaText");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  const int64_t experts = moe::experts_count(c, {"moe_num_experts"}, 8);
  auto gemm = [&](int64_t in, int64_t out) {
    auto g = make("AriaGroupedExpertsGemm");
    g->param("weight", {experts, in, out});
    return g;
  };
  auto ex = make("AriaExperts");
  ex->add("fc1", gemm(s.hidden, 2 * s.inter));
  ex->add("fc2", gemm(s.inter, s.hidden));
  auto block = make("AriaTextMoELayer");
  block->add("router", linear(s.hidden, experts, false));
  block->add("experts", ex);
  block->add("shared_experts", gated_mlp("AriaSharedExpertsMLP", s.hidden,
                                         s.inter * moe::count(c, {"moe_num_shared_experts"}, 2, 0), s.mlp_bias,
                                         act_class(s.act)));
  auto layer = moe::layer(s, decoder_attention(s), block);
  return moe::decoder(s, cls, [layer](int64_t) { return layer; });
});

}  // namespace
}  // namespace memfit
