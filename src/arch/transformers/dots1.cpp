// dots.llm1: transformers' modeling_dots1.py. A Qwen3-style attention (per-head q_norm / k_norm) under DeepSeek-V3's
// MoE: layers from first_k_dense_replace on hold Dots1MoE (fused experts of moe_intermediate_size, a top-k router
// with the float32 e_score_correction_bias buffer, shared_experts of moe_intermediate_size x n_shared_experts), the
// first ones a dense Dots1MLP. n_routed_experts and n_shared_experts have no class default (None): transformers
// fails on them, and so does memfit. Checkpoints hold per-expert gate/up/down_proj (conversion_mapping "qwen2_moe").
#include <fmt/format.h>

#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  for (const char* k : {"n_routed_experts", "n_shared_experts", "moe_intermediate_size"})
    if (!c.has(k))
      throw ConfigError(fmt::format("config key `{}` is null: Dots1MoE needs it, as in transformers (model_type `{}`)",
                                    k, c.model_type()));
  DecoderSpec s = moe::read(c, "Dots1");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.qk_norm = true;
  moe::SharedMoe sm{"Dots1MoE", "Dots1TopkRouter", "Dots1Experts", "Dots1MLP", act_class(s.act)};
  sm.num_experts = moe::experts_count(c, {"n_routed_experts"}, 0);
  sm.hidden = s.hidden;
  sm.inter = moe::count(c, {"moe_intermediate_size"}, 1408, 0);
  sm.n_shared = moe::count(c, {"n_shared_experts"}, 0, 0);
  sm.correction_bias = true;
  auto attn = decoder_attention(s);
  auto dense = moe::layer(s, attn, decoder_mlp(s));
  auto sparse = moe::layer(s, attn, moe::shared_block(sm));
  const std::vector<bool> is_sparse = moe::sparse_layers(c, s.layers, 0);
  Model m = moe::decoder(s, cls, [=](int64_t i) { return is_sparse[i] ? sparse : dense; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"dots1"}, "Dots1", build);

}  // namespace
}  // namespace memfit
