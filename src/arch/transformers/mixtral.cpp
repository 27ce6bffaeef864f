// Mixtral: transformers' modeling_mixtral.py. A Mistral decoder whose MLP is MixtralSparseMoeBlock (gate router,
// fused experts); checkpoints keep the v4 names block_sparse_moe.experts.<e>.w1/w3/w2 (conversion_mapping "mixtral").
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "Mixtral");
  int64_t experts = moe::experts_count(c, {"num_local_experts", "num_experts"}, 8);
  auto block = make("MixtralSparseMoeBlock");
  block->add("gate", moe::router("MixtralTopKRouter", experts, s.hidden));
  block->add("experts", moe::experts("MixtralExperts", experts, s.hidden, s.inter, act_class(s.act)));
  auto layer = moe::layer(s, decoder_attention(s), block);
  Model m = moe::decoder(s, cls, [layer](int64_t) { return layer; });
  m.to_checkpoint = moe::split_experts({"w1", "w3", "w2"}, rename_mapping({{R"(\.mlp\.)", ".block_sparse_moe."}}));
  return m;
}

MEMFIT_FAMILY({"mixtral"}, "Mixtral", build);

}  // namespace
}  // namespace memfit
