// Granite MoE: transformers' modeling_granitemoe.py. A Llama-shaped decoder whose layers hold self_attn, the two
// norms and block_sparse_moe (router + fused experts); checkpoints keep the legacy single tensors
// input_linear / output_linear / router.layer (conversion_mapping "granitemoe").
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "GraniteMoe");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  int64_t experts = moe::experts_count(c, {"num_local_experts"}, 8);
  auto block = make("GraniteMoeMoE");
  block->add("router", moe::router("GraniteMoeTopKRouter", experts, s.hidden));
  block->add("experts", moe::experts("GraniteMoeExperts", experts, s.hidden, s.inter, act_class(s.act)));
  auto layer = make("GraniteMoeDecoderLayer");
  layer->add("self_attn", decoder_attention(s));
  layer->add("input_layernorm", rms_norm("GraniteMoeRMSNorm", s.hidden));
  layer->add("post_attention_layernorm", rms_norm("GraniteMoeRMSNorm", s.hidden));
  layer->add("block_sparse_moe", block);
  Model m = moe::decoder(s, cls, [layer](int64_t) { return layer; });
  m.to_checkpoint = rename_mapping({
      {R"(block_sparse_moe\.experts\.gate_up_proj$)", "block_sparse_moe.input_linear.weight"},
      {R"(block_sparse_moe\.experts\.down_proj$)", "block_sparse_moe.output_linear.weight"},
      {R"(block_sparse_moe\.router\.weight$)", "block_sparse_moe.router.layer.weight"},
  });
  return m;
}

MEMFIT_FAMILY({"granitemoe"}, "GraniteMoe", build);

}  // namespace
}  // namespace memfit
