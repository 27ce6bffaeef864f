// Solar Open (modeling_solar_open.py): GLM-4.5's MoE block (experts, TopkRouter with an e_score_correction_bias
// buffer, shared_experts) in every layer (no dense first layers), Llama attention (q/k/v bias per attention_bias,
// o_proj always bias-free, no q/k norms) and full-head RoPE (partial_rotary_factor defaults to 1.0).
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

Model build(const Config& c, std::string_view cls) {
  const std::string p = "SolarOpen";
  // SolarOpenConfig deletes intermediate_size (every MLP is an expert or the shared expert): no dense width.
  Json j = c.raw();
  j["intermediate_size"] = 0;
  const Config cc(j, c.model_type());
  DecoderSpec s = moe::read(cc, p);
  s.qkv_bias = c.b("attention_bias", false);
  s.o_bias = false;
  s.rotary_dim = moe::rotary_dim(c, s.head_dim, 1.0);
  moe::SharedMoe sm{p + "MoE", p + "TopkRouter", p + "Experts", p + "MLP", act_class(s.act)};
  sm.num_experts = moe::experts_count(c, {"n_routed_experts"}, 128);
  sm.hidden = s.hidden;
  sm.inter = moe::count(c, {"moe_intermediate_size"}, 1280);
  sm.n_shared = moe::count(c, {"n_shared_experts"}, 1, 0);
  sm.correction_bias = true;
  auto sparse = moe::layer(s, decoder_attention(s), moe::shared_block(sm));
  Model m = moe::decoder(s, cls, [=](int64_t) { return sparse; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"solar_open"}, "SolarOpen", build);

}  // namespace
