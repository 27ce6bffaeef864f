// Granite MoE: transformers' modeling_granitemoe.py (and GraniteMoeShared, GraniteMoeSWA). A Llama-shaped decoder
// whose layers hold self_attn, the two norms and block_sparse_moe (router + fused experts); checkpoints keep the
// legacy single tensors input_linear / output_linear / router.layer (conversion_mapping "granitemoe").
#include <set>

#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// GraniteMoe's layer under `p`; GraniteMoeShared (`shared`) adds a shared_mlp (input_linear to 2 x
// shared_intermediate_size, output_linear back) after the MoE block unless shared_intermediate_size is 0;
// GraniteMoeSWA (`sinks`) adds attention sinks [heads].
Model build(const Config& c, std::string_view cls, const std::string& p, bool shared, bool sinks = false) {
  DecoderSpec s = moe::read(c, p);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  int64_t experts = moe::experts_count(c, {"num_local_experts"}, 8);
  auto block = make(p + "MoE");
  block->add("router", moe::router(p + "TopKRouter", experts, s.hidden));
  block->add("experts", moe::experts(p + "Experts", experts, s.hidden, s.inter, act_class(s.act)));
  auto layer = make(p + "DecoderLayer");
  layer->add("self_attn", decoder_attention(s));
  if (sinks) layer->child("self_attn")->param("sinks", {s.heads});
  layer->add("input_layernorm", rms_norm(p + "RMSNorm", s.hidden));
  layer->add("post_attention_layernorm", rms_norm(p + "RMSNorm", s.hidden));
  layer->add("block_sparse_moe", block);
  if (const int64_t inter = shared ? moe::count(c, {"shared_intermediate_size"}, 0, 0) : 0; inter > 0) {
    auto mlp = make(p + "MLP");
    mlp->add("activation", leaf(act_class(s.act)));
    mlp->add("input_linear", linear(s.hidden, 2 * inter, false));
    mlp->add("output_linear", linear(inter, s.hidden, false));
    layer->add("shared_mlp", mlp);
  }
  Model m = moe::decoder(s, cls, [layer](int64_t) { return layer; });
  m.to_checkpoint = rename_mapping({
      {R"(block_sparse_moe\.experts\.gate_up_proj$)", "block_sparse_moe.input_linear.weight"},
      {R"(block_sparse_moe\.experts\.down_proj$)", "block_sparse_moe.output_linear.weight"},
      {R"(block_sparse_moe\.router\.weight$)", "block_sparse_moe.router.layer.weight"},
  });
  return m;
}

MEMFIT_FAMILY({"granitemoe"}, "GraniteMoe", [](const Config& c, std::string_view cls) {
  return build(c, cls, "GraniteMoe", false);
});
// GraniteMoeShared (modeling_granitemoeshared.py): GraniteMoe with the shared_mlp; checkpoints keep GraniteMoe's
// legacy names (conversion_mapping "granitemoeshared" -> "granitemoe").
MEMFIT_FAMILY({"granitemoeshared"}, "GraniteMoeShared", [](const Config& c, std::string_view cls) {
  return build(c, cls, "GraniteMoeShared", true);
});

// GraniteMoeSWA (modeling_granitemoe_swa.py): GraniteMoeShared's layer with GraniteSWA's attention sinks [heads],
// and rotary_embs: one rotary embedding per distinct non-zero layer_rope_theta beside the model's rotary_emb. Its
// checkpoints keep the fused expert names (no conversion mapping).
MEMFIT_FAMILY({"granitemoe_swa"}, "GraniteMoeSWA", [](const Config& c, std::string_view cls) {
  const std::string p = "GraniteMoeSWA";
  Model m = build(c, cls, p, true, /*sinks=*/true);
  m.to_checkpoint = {};
  ModulePtr text = m.root->cls == p + "Model" ? m.root : m.root->child("model");
  std::set<double> thetas;
  if (auto j = c.raw().find("layer_rope_theta"); j != c.raw().end() && j->is_array())
    for (const auto& t : *j)
      if (t.is_number() && t.get<double>() != 0) thetas.insert(t.get<double>());
  const int64_t head_dim = moe::read(c, p).head_dim;
  text->add("rotary_embs", module_list(std::vector<ModulePtr>(thetas.size(), rotary(p + "RotaryEmbedding", head_dim))));
  return m;
});

}  // namespace
}  // namespace memfit
