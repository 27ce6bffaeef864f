// OneFormer: transformers' modeling_oneformer.py. Mask2Former's pixel-level module (mask2former.h: SwinBackbone and
// the deformable pixel decoder, over conv_dim / mask_dim / strides), a transformer module (query table; a decoder of
// a task-conditioned query transformer, a norm, decoder_layers - 1 layers of cross-attention (nn.MultiheadAttention),
// self-attention and FFN sublayers, a query input projection, the class head and the mask MLP; a level embedding)
// and the task encoder MLP. The text mapper exists only when is_training and is not built.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/mask2former.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// OneFormerMLPPredictionHead: `layers`, a Sequential of PredictionBlocks (a Linear "0" and its activation "1").
ModulePtr mlp_head(int64_t in, int64_t hidden, int64_t out, int layers) {
  auto seq = make("Sequential");
  for (int i = 0; i < layers; ++i) {
    auto b = make("PredictionBlock");
    b->add("0", linear(i == 0 ? in : hidden, i == layers - 1 ? out : hidden));
    b->add("1", leaf(i < layers - 1 ? "ReLU" : "Identity"));
    seq->add(std::to_string(i), b);
  }
  auto m = make("OneFormerMLPPredictionHead");
  m->add("layers", seq);
  return m;
}

ModulePtr query_transformer(const Config& c, int64_t h, int64_t ffn) {
  auto l = make("OneFormerTransformerDecoderQueryTransformerDecoderLayer");
  l->add("self_attn", mask2former::multihead_attention(h));
  l->add("multihead_attn", mask2former::multihead_attention(h));
  l->add("linear1", linear(h, ffn));
  l->add("dropout", leaf("Dropout"));
  l->add("linear2", linear(ffn, h));
  for (const char* n : {"norm1", "norm2", "norm3"}) l->add(n, layer_norm(h));
  for (const char* n : {"dropout1", "dropout2", "dropout3"}) l->add(n, leaf("Dropout"));
  auto d = make("OneFormerTransformerDecoderQueryTransformerDecoder");
  d->add("layers", repeat(l, media::count(c, "query_dec_layers", 2)));
  d->add("norm", layer_norm(h));
  auto q = make("OneFormerTransformerDecoderQueryTransformer");
  q->add("decoder", d);
  return q;
}

ModulePtr decoder_layer(int64_t h, int64_t ffn) {
  auto cross = make("OneFormerTransformerDecoderCrossAttentionLayer");
  cross->add("multihead_attn", mask2former::multihead_attention(h));
  cross->add("norm", layer_norm(h));
  cross->add("dropout", leaf("Dropout"));
  auto attn = make("OneFormerAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(h, h));
  auto self = make("OneFormerTransformerDecoderSelfAttentionLayer");
  self->add("self_attn", attn);
  self->add("norm", layer_norm(h));
  self->add("dropout", leaf("Dropout"));
  auto f = make("OneFormerTransformerDecoderFFNLayer");
  f->add("linear1", linear(h, ffn));
  f->add("dropout", leaf("Dropout"));
  f->add("linear2", linear(ffn, h));
  f->add("norm", layer_norm(h));
  auto l = make("OneFormerTransformerDecoderLayer");
  l->add("cross_attn", cross);
  l->add("self_attn", self);
  l->add("ffn", f);
  return l;
}

ModulePtr transformer_module(const Config& c) {
  int64_t h = media::dim(c, "hidden_dim", 256), ffn = media::dim(c, "dim_feedforward", 2048);
  int64_t layers = media::count(c, "decoder_layers", 10);
  media::require(c, layers >= 1, "decoder_layers must be at least 1");
  auto dec = make("OneFormerTransformerDecoder");
  dec->add("query_transformer", query_transformer(c, h, ffn));
  dec->add("decoder_norm", layer_norm(h));
  dec->add("layers", repeat(decoder_layer(h, ffn), layers - 1));
  dec->add("query_input_projection", conv2d(media::dim(c, "conv_dim", 256), h, 1));
  dec->add("class_embed", linear(h, heads::num_labels(c) + 1));
  dec->add("mask_embed", mlp_head(h, h, media::dim(c, "mask_dim", 256), 3));
  auto t = make("OneFormerTransformerModule");
  t->add("position_embedder", leaf("OneFormerSinePositionEmbedding"));
  t->add("queries_embedder", embedding(media::dim(c, "num_queries", 150), h));
  t->add("decoder", dec);
  t->add("level_embed", embedding(3, h));
  return t;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "OneFormerModel") heads::unsupported(cls);
  if (c.b("is_training", false)) heads::unsupported("OneFormerModel with the text mapper (is_training)");
  int64_t h = media::dim(c, "hidden_dim", 256);
  auto task = make("OneFormerTaskModel");
  task->add("task_mlp", mlp_head(media::dim(c, "task_seq_len", 77), h, h, 2));
  auto m = make("OneFormerModel");
  m->add("pixel_level_module", mask2former::pixel_level_module(c, {"OneFormer", "conv_dim", "mask_dim", "strides"}));
  m->add("transformer_module", transformer_module(c));
  m->add("task_encoder", task);
  return {m, {}};
}

MEMFIT_FAMILY({"oneformer"}, "OneFormer", build);

}  // namespace
}  // namespace memfit
