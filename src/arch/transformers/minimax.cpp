// MiniMax-Text-01: transformers' modeling_minimax.py. Mixtral's sparse block on every layer; layer_types alternate
// softmax attention (q/k/v/o) and lightning (linear) attention: fused qkv_proj, output_gate, out_proj, an RMSNorm over
// heads * head_dim and four persistent float32 decay tables (slope_rate [H,1,1], query_decay and key_decay [H,B,1],
// diagonal_decay [1,H,B,B] for block_size B). Checkpoints keep Mixtral's names (conversion_mapping "mixtral").
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr lightning_attention(const DecoderSpec& s, int64_t block) {
  int64_t inner = s.heads * s.head_dim, h = s.heads;
  auto a = make("MiniMaxLightningAttention");
  a->add("act_fn", leaf(act_class(s.act)));
  a->add("norm", rms_norm("MiniMaxRMSNorm", inner));
  a->add("qkv_proj", linear(s.hidden, 3 * inner, false));
  a->add("out_proj", linear(inner, s.hidden, false));
  a->add("output_gate", linear(s.hidden, inner, false));
  a->buffer("slope_rate", {h, 1, 1}, DType::F32);
  a->buffer("query_decay", {h, block, 1}, DType::F32);
  a->buffer("key_decay", {h, block, 1}, DType::F32);
  a->buffer("diagonal_decay", {1, h, block, block}, DType::F32);
  return a;
}

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "MiniMax");
  int64_t experts = moe::experts_count(c, {"num_local_experts"}, 8);
  int64_t block = moe::dim(c, "block_size", c.i("block_size", 256), 1, 1 << 14);
  auto moe_block = make("MiniMaxSparseMoeBlock");
  moe_block->add("gate", moe::router("MiniMaxTopKRouter", experts, s.hidden));
  moe_block->add("experts", moe::experts("MiniMaxExperts", experts, s.hidden, s.inter, act_class(s.act)));
  auto full = moe::layer(s, decoder_attention(s), moe_block);
  auto linear_layer = moe::layer(s, lightning_attention(s, block), moe_block);
  auto types = c.strings("layer_types");
  Model m = moe::decoder(s, cls, [&](int64_t i) {
    bool lin = i < static_cast<int64_t>(types.size()) && types[i] == "linear_attention";
    return lin ? linear_layer : full;
  });
  m.to_checkpoint = moe::split_experts({"w1", "w3", "w2"}, rename_mapping({{R"(\.mlp\.)", ".block_sparse_moe."}}));
  return m;
}

MEMFIT_FAMILY({"minimax"}, "MiniMax", build);

}  // namespace
}  // namespace memfit
