// Wav2Vec2-BERT (w2v-BERT 2.0): transformers' modeling_wav2vec2_bert.py. No conv feature encoder: a feature
// projection from feature_projection_input_dim filterbank features, then conformer layers (two half-step FFNs,
// self-attention with linear_q/k/v/out plus a relative-key distance_embedding, or linear_pos and pos_bias_u/v when
// `relative`, a convolution module whose depthwise conv is followed by a LayerNorm), no positional conv and no final
// encoder norm; optionally an intermediate FFN and a strided conv adapter. Heads: CTC, sequence / frame classification.
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/wav2vec2.h"

namespace memfit {
namespace {
using namespace blocks;

const std::string kW2vBert = "Wav2Vec2Bert";

// Wav2Vec2BertSelfAttention over width h (the adapter's attention has no position embeddings).
ModulePtr self_attention(const Config& c, int64_t h, int64_t heads, const std::string& type) {
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  auto a = make(kW2vBert + "SelfAttention");
  for (const char* n : {"linear_q", "linear_k", "linear_v", "linear_out"}) a->add(n, linear(h, h));
  a->add("dropout", leaf("Dropout"));
  if (type == "relative") {
    a->add("linear_pos", linear(h, h, false));
    a->param("pos_bias_u", {heads, h / heads}).param("pos_bias_v", {heads, h / heads});
  } else if (type == "relative_key") {
    int64_t n = media::dim(c, "left_max_position_embeddings", 64) + media::dim(c, "right_max_position_embeddings", 8);
    a->add("distance_embedding", embedding(n + 1, h / heads));
  }
  return a;
}

ModulePtr ffn(const Config& c, int64_t h, const std::string& act) {
  return w2v::feed_forward({h, 1, media::dim(c, "intermediate_size", 4096), 0, {}, act, kW2vBert});
}

ModulePtr encoder(const Config& c, int64_t h, int64_t heads, const std::string& type) {
  int64_t k = media::dim(c, "conv_depthwise_kernel_size", 31);
  media::require(c, k % 2 == 1, "conv_depthwise_kernel_size must be odd");
  std::string act = c.s("hidden_act", "swish");
  auto conv = make(kW2vBert + "ConvolutionModule");
  conv->add("layer_norm", layer_norm(h));
  conv->add("pointwise_conv1", media::conv1d(h, 2 * h, 1, false));
  conv->add("glu", leaf("GLU"));
  conv->add("depthwise_conv", media::conv1d(h, h, k, false, h));
  conv->add("depthwise_layer_norm", layer_norm(h));
  conv->add("activation", leaf(act_class(act)));
  conv->add("pointwise_conv2", media::conv1d(h, h, 1, false));
  conv->add("dropout", leaf("Dropout"));
  auto l = make(kW2vBert + "EncoderLayer");
  l->add("ffn1_layer_norm", layer_norm(h));
  l->add("ffn1", ffn(c, h, act));
  l->add("self_attn_layer_norm", layer_norm(h));
  l->add("self_attn_dropout", leaf("Dropout"));
  l->add("self_attn", self_attention(c, h, heads, type));
  l->add("conv_module", conv);
  l->add("ffn2_layer_norm", layer_norm(h));
  l->add("ffn2", ffn(c, h, act));
  l->add("final_layer_norm", layer_norm(h));
  auto e = make(kW2vBert + "Encoder");
  if (type == "relative") {
    auto pe = e->add("embed_positions", make(kW2vBert + "RelPositionalEmbedding"));
    pe->buffer("pe", {1, 2 * media::dim(c, "max_source_positions", 5000) - 1, h}, DType::F32, false);
  } else if (type == "rotary") {
    auto pe = e->add("embed_positions", make(kW2vBert + "RotaryPositionalEmbedding"));
    pe->buffer("inv_freq", {(h / heads + 1) / 2}, DType::F32, false);
  }
  e->add("dropout", leaf("Dropout"));
  e->add("layers", repeat(l, media::count(c, "num_hidden_layers", 24)));
  return e;
}

ModulePtr adapter(const Config& c, int64_t h, int64_t heads, int64_t out) {
  int64_t k = media::dim(c, "adapter_kernel_size", 3);
  auto l = make(kW2vBert + "AdapterLayer");
  l->add("residual_layer_norm", layer_norm(out));
  l->add("residual_conv", media::conv1d(out, 2 * out, k));
  l->add("activation", leaf("GLU"));
  l->add("self_attn_layer_norm", layer_norm(out));
  l->add("self_attn_conv", media::conv1d(out, 2 * out, k));
  l->add("self_attn", self_attention(c, out, heads, ""));
  l->add("self_attn_dropout", leaf("Dropout"));
  l->add("ffn_layer_norm", layer_norm(out));
  l->add("ffn", w2v::feed_forward({out, 1, media::dim(c, "intermediate_size", 4096), 0, {},
                                   c.s("adapter_act", "relu"), kW2vBert}));
  auto a = make(kW2vBert + "Adapter");
  if (out != h) {
    a->add("proj", linear(h, out));
    a->add("proj_layer_norm", layer_norm(out));
  }
  a->add("layers", repeat(l, media::count(c, "num_adapter_layers", 1)));
  return a;
}

Model build(const Config& c, std::string_view cls) {
  int64_t h = media::dim(c, "hidden_size", 1024), heads = media::dim(c, "num_attention_heads", 16);
  int64_t in = media::dim(c, "feature_projection_input_dim", 160);
  int64_t out = c.has("output_hidden_size") ? media::dim(c, "output_hidden_size", h) : h;
  std::string type = c.s("position_embeddings_type", "relative_key");
  bool add_adapter = c.b("add_adapter", false);
  auto proj = make(kW2vBert + "FeatureProjection");
  proj->add("layer_norm", layer_norm(in));
  proj->add("projection", linear(in, h));
  proj->add("dropout", leaf("Dropout"));
  auto m = make(kW2vBert + "Model");
  m->add("feature_projection", proj);
  if (c.f("mask_time_prob", 0.05) > 0 || c.f("mask_feature_prob", 0) > 0) m->param("masked_spec_embed", {h});
  m->add("encoder", encoder(c, h, heads, type));
  if (add_adapter) m->add("adapter", adapter(c, h, heads, out));
  if (c.b("use_intermediate_ffn_before_adapter", false)) m->add("intermediate_ffn", ffn(c, h, "relu"));
  std::vector<std::string> no_split{kW2vBert + "EncoderLayer"};
  if (cls == kW2vBert + "Model") return {m, no_split};
  auto root = make(std::string(cls));
  root->add("wav2vec2_bert", m);
  int64_t layers = media::count(c, "num_hidden_layers", 24);
  if (cls == kW2vBert + "ForCTC") {
    root->add("dropout", leaf("Dropout"));
    root->add("lm_head", linear(add_adapter ? out : h, media::dim(c, "vocab_size", 32)));
  } else if (cls == kW2vBert + "ForSequenceClassification") {
    if (c.b("use_weighted_layer_sum", false)) root->param("layer_weights", {layers + 1});
    int64_t p = media::dim(c, "classifier_proj_size", 768);
    root->add("projector", linear(h, p));
    root->add("classifier", linear(p, heads::num_labels(c)));
  } else if (cls == kW2vBert + "ForAudioFrameClassification") {
    if (c.b("use_weighted_layer_sum", false)) root->param("layer_weights", {layers + 1});
    root->add("classifier", linear(h, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"wav2vec2-bert"}, kW2vBert, build);

}  // namespace
}  // namespace memfit
