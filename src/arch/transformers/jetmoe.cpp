// JetMoE: transformers' modeling_jetmoe.py. A decoder whose attention and MLP are both mixtures of experts:
// JetMoeMoA (per-expert query/output projections, shared kv_proj) and JetMoeMoE (per-expert gated FFN), each with
// a top-k gating Linear, stacked expert weights [E, out, in] and an output bias [hidden].
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr parallel_experts(int64_t experts, int64_t in, int64_t out) {
  auto m = make("JetMoeParallelExperts");
  m->param("weight", {experts, out, in});
  return m;
}

// JetMoeMoE / JetMoeMoA: bias, input_linear, output_linear, router.
ModulePtr mixture(const std::string& cls, int64_t experts, int64_t hidden, int64_t inner, int64_t in_out,
                  const std::string& act) {
  auto m = make(cls);
  if (!act.empty()) m->add("activation", leaf(act_class(act)));
  m->param("bias", {hidden});
  m->add("input_linear", parallel_experts(experts, hidden, in_out));
  m->add("output_linear", parallel_experts(experts, inner, hidden));
  auto router = make("JetMoeTopKGating");
  router->add("layer", linear(hidden, experts, false));
  m->add("router", router);
  return m;
}

MEMFIT_FAMILY({"jetmoe"}, "JetMoe", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "JetMoe", true);
  s.head_dim = checked(c, "kv_channels", c.i("kv_channels", 128));  // config.head_dim is an alias of kv_channels
  int64_t experts = checked(c, "num_local_experts", c.i("num_local_experts", 8), 1 << 16);
  int64_t kv = s.head_dim * s.kv_heads;
  std::string act = c.s("activation_function", "silu");
  auto attn = make("JetMoeAttention");
  attn->add("experts", mixture("JetMoeMoA", experts, s.hidden, kv, kv, ""));
  attn->add("kv_proj", linear(s.hidden, 2 * kv, false));
  auto layer = make("JetMoeDecoderLayer");
  layer->add("mlp", mixture("JetMoeMoE", experts, s.hidden, s.inter, 2 * s.inter, act));
  layer->add("input_layernorm", rms_norm("JetMoeRMSNorm", s.hidden));
  layer->add("post_attention_layernorm", rms_norm("JetMoeRMSNorm", s.hidden));
  layer->add("self_attention", attn);
  s.layer = [layer](int64_t) { return layer; };
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
