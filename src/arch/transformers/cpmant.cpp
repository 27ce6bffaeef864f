// CPM-Ant: transformers' modeling_cpmant.py. Pre-norm blocks (CpmAntLayerNorm: a weight only) of bias-free attention
// (project_q/k/v, attention_out) and a gated GELU FFN (w_in.w_0, w_in.w_1, w_out); the token table also holds
// prompt_types * prompt_length prompt rows; segment embeddings and a segment/bucket relative position bias.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  if (cls != "CpmAntModel") heads::unsupported(cls);
  const int64_t h = c.i("hidden_size", 4096), heads = c.i("num_attention_heads", 32), dh = c.i("dim_head", 128);
  const int64_t ff = c.i("dim_ff", 10240), segments = checked_count(c.i("segment_types", 32), "segment_types");
  auto norm = [&] { return rms_norm("CpmAntLayerNorm", h); };
  auto attn = make("CpmAntAttention");
  attn->add("project_q", linear(h, heads * dh, false));
  attn->add("project_k", linear(h, heads * dh, false));
  attn->add("project_v", linear(h, heads * dh, false));
  attn->add("attention_out", linear(heads * dh, h, false));
  auto att_block = make("CpmAntSelfAttentionBlock");
  att_block->add("layernorm_before_attention", norm());
  att_block->add("self_attention", attn);
  auto gated = make("CpmAntDenseGatedACT");
  gated->add("w_0", linear(h, ff, false));
  gated->add("w_1", linear(h, ff, false));
  gated->add("act", leaf("GELU"));
  auto ffn = make("CpmAntFeedForward");
  ffn->add("w_in", gated);
  ffn->add("w_out", linear(ff, h, false));
  auto ffn_block = make("CpmAntFFNBlock");
  ffn_block->add("layernorm_before_ffn", norm());
  ffn_block->add("ffn", ffn);
  auto layer = make("CpmAntTransformerBlock");
  layer->add("self_att", att_block);
  layer->add("ffn", ffn_block);
  auto enc = make("CpmAntEncoder");
  enc->add("layers", repeat(layer, checked_count(c.i("num_hidden_layers", 48))));
  enc->add("output_layernorm", norm());
  auto pos = make("CpmAntSegmentPositionEmbedding");
  pos->param("relative_attention_bias", {segments * segments + c.i("position_bias_num_buckets", 512), heads});
  auto m = make("CpmAntModel");
  m->add("encoder", enc);
  m->add("segment_embedding", embedding(segments, h));
  m->add("input_embedding",
         embedding(c.i("vocab_size", 30720) + c.i("prompt_types", 32) * c.i("prompt_length", 32), h));
  m->add("position_bias", pos);
  return {m, {}};
}

MEMFIT_FAMILY({"cpmant"}, "CpmAnt", build);

}  // namespace
}  // namespace memfit
