// Wav2Vec2-Conformer's encoder: transformers' modeling_wav2vec2_conformer.py. Relative (a float32 `pe` table
// [1, 2 * max_source_positions - 1, hidden], not persistent) or rotary (inv_freq, persistent) positions, wav2vec2's
// weight-normed positional conv, and conformer layers: half-step FFN, self-attention (linear_q/k/v/out, plus
// linear_pos and pos_bias_u/v when relative), a convolution module (pointwise GLU conv, depthwise conv,
// BatchNorm1d, pointwise conv), a second FFN and a final LayerNorm. The rest of the model is wav2vec2.cpp's.
#include "arch/blocks.h"
#include "arch/transformers/media.h"
#include "arch/transformers/wav2vec2.h"

namespace memfit::w2v {
using namespace blocks;

namespace {

ModulePtr self_attention(const Shape& s, bool relative) {
  auto a = make(s.p + "SelfAttention");
  for (const char* n : {"linear_q", "linear_k", "linear_v", "linear_out"}) a->add(n, linear(s.h, s.h));
  a->add("dropout", leaf("Dropout"));
  if (relative) {
    a->add("linear_pos", linear(s.h, s.h, false));
    a->param("pos_bias_u", {s.heads, s.h / s.heads}).param("pos_bias_v", {s.heads, s.h / s.heads});
  }
  return a;
}

ModulePtr conv_module(const Config& c, const Shape& s) {
  int64_t k = media::dim(c, "conv_depthwise_kernel_size", 31);
  media::require(c, k % 2 == 1, "conv_depthwise_kernel_size must be odd");
  auto m = make(s.p + "ConvolutionModule");
  m->add("layer_norm", layer_norm(s.h));
  m->add("pointwise_conv1", media::conv1d(s.h, 2 * s.h, 1, false));
  m->add("glu", leaf("GLU"));
  m->add("depthwise_conv", media::conv1d(s.h, s.h, k, false, s.h));
  m->add("batch_norm", batch_norm(s.h, "BatchNorm1d"));
  m->add("activation", leaf(act_class(s.act)));
  m->add("pointwise_conv2", media::conv1d(s.h, s.h, 1, false));
  m->add("dropout", leaf("Dropout"));
  return m;
}

}  // namespace

ModulePtr conformer_encoder(const Config& c, const Shape& s) {
  media::divisible(c, s.h, s.heads, "hidden_size / num_attention_heads");
  std::string type = c.s("position_embeddings_type", "relative");
  auto l = make(s.p + "EncoderLayer");
  l->add("ffn1_layer_norm", layer_norm(s.h));
  l->add("ffn1", feed_forward(s));
  l->add("self_attn_layer_norm", layer_norm(s.h));
  l->add("self_attn_dropout", leaf("Dropout"));
  l->add("self_attn", self_attention(s, type == "relative"));
  l->add("conv_module", conv_module(c, s));
  l->add("ffn2_layer_norm", layer_norm(s.h));
  l->add("ffn2", feed_forward(s));
  l->add("final_layer_norm", layer_norm(s.h));
  auto e = make(s.p + "Encoder");
  if (type == "relative") {
    auto pe = e->add("embed_positions", make(s.p + "RelPositionalEmbedding"));
    pe->buffer("pe", {1, 2 * media::dim(c, "max_source_positions", 5000) - 1, s.h}, DType::F32, false);
  } else if (type == "rotary") {
    auto pe = e->add("embed_positions", make(s.p + "RotaryPositionalEmbedding"));
    pe->buffer("inv_freq", {(s.h / s.heads + 1) / 2}, DType::F32);
  }
  e->add("pos_conv_embed", pos_conv_embed(c, s));
  e->add("layer_norm", layer_norm(s.h));
  e->add("dropout", leaf("Dropout"));
  e->add("layers", repeat(l, s.layers));
  return e;
}

}  // namespace memfit::w2v
