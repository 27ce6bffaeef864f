#include "arch/transformers/conformer.h"

#include "arch/blocks.h"
#include "arch/transformers/media.h"

namespace memfit::conformer {
using namespace blocks;

ModulePtr feed_forward(const Spec& s, int64_t h, const std::string& act) {
  auto m = make(s.p + "FeedForward");
  m->add("intermediate_dropout", leaf("Dropout"));
  m->add("intermediate_dense", linear(h, s.inter));
  m->add("intermediate_act_fn", leaf(act_class(act)));
  m->add("output_dense", linear(s.inter, h));
  m->add("output_dropout", leaf("Dropout"));
  return m;
}

ModulePtr self_attention(const Spec& s, int64_t h, bool positions) {
  if (s.heads <= 0 || h % s.heads) throw ConfigError("the attention width must divide by the number of heads");
  auto a = make(s.p + "SelfAttention");
  for (const char* n : {"linear_q", "linear_k", "linear_v", "linear_out"}) a->add(n, linear(h, h));
  a->add("dropout", leaf("Dropout"));
  if (positions && s.positions == "relative") {
    a->add("linear_pos", linear(h, h, false));
    a->param("pos_bias_u", {s.heads, h / s.heads}).param("pos_bias_v", {s.heads, h / s.heads});
  } else if (positions && s.positions == "relative_key") {
    a->add("distance_embedding", embedding(s.distances, h / s.heads));
  }
  return a;
}

ModulePtr encoder_layer(const Spec& s) {
  if (s.conv_kernel % 2 != 1) throw ConfigError("conv_depthwise_kernel_size must be odd");
  auto conv = make(s.p + "ConvolutionModule");
  conv->add("layer_norm", layer_norm(s.h));
  conv->add("pointwise_conv1", media::conv1d(s.h, 2 * s.h, 1, false));
  conv->add("glu", leaf("GLU"));
  conv->add("depthwise_conv", media::conv1d(s.h, s.h, s.conv_kernel, false, s.h));
  if (s.depthwise_layer_norm) conv->add("depthwise_layer_norm", layer_norm(s.h));
  else conv->add("batch_norm", batch_norm(s.h, "BatchNorm1d"));
  conv->add("activation", leaf(act_class(s.act)));
  conv->add("pointwise_conv2", media::conv1d(s.h, s.h, 1, false));
  conv->add("dropout", leaf("Dropout"));
  auto l = make(s.p + "EncoderLayer");
  l->add("ffn1_layer_norm", layer_norm(s.h));
  l->add("ffn1", feed_forward(s, s.h, s.act));
  l->add("self_attn_layer_norm", layer_norm(s.h));
  l->add("self_attn_dropout", leaf("Dropout"));
  l->add("self_attn", self_attention(s, s.h, true));
  l->add("conv_module", conv);
  l->add("ffn2_layer_norm", layer_norm(s.h));
  l->add("ffn2", feed_forward(s, s.h, s.act));
  l->add("final_layer_norm", layer_norm(s.h));
  return l;
}

ModulePtr adapter_layer(const Spec& s, int64_t h, int64_t k, const std::string& act) {
  auto l = make(s.p + "AdapterLayer");
  l->add("residual_layer_norm", layer_norm(h));
  l->add("residual_conv", media::conv1d(h, 2 * h, k));
  l->add("activation", leaf("GLU"));
  l->add("self_attn_layer_norm", layer_norm(h));
  l->add("self_attn_conv", media::conv1d(h, 2 * h, k));
  l->add("self_attn", self_attention(s, h, false));
  l->add("self_attn_dropout", leaf("Dropout"));
  l->add("ffn_layer_norm", layer_norm(h));
  l->add("ffn", feed_forward(s, h, act));
  return l;
}

}  // namespace memfit::conformer
