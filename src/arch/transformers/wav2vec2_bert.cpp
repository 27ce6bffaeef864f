// Wav2Vec2-BERT (w2v-BERT 2.0): transformers' modeling_wav2vec2_bert.py. No conv feature encoder: a feature
// projection from feature_projection_input_dim filterbank features, then conformer layers (two half-step FFNs,
// self-attention with linear_q/k/v/out plus a relative-key distance_embedding, or linear_pos and pos_bias_u/v when
// `relative`, a convolution module whose depthwise conv is followed by a LayerNorm), no positional conv and no final
// encoder norm; optionally an intermediate FFN and a strided conv adapter. Heads: CTC, sequence / frame classification.
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/conformer.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kW2vBert = "Wav2Vec2Bert";

conformer::Spec spec(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1024), heads = media::dim(c, "num_attention_heads", 16);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  return {kW2vBert, h, heads, media::dim(c, "intermediate_size", 4096),
          media::dim(c, "conv_depthwise_kernel_size", 31), c.s("hidden_act", "swish"),
          c.s("position_embeddings_type", "relative_key"),
          media::dim(c, "left_max_position_embeddings", 64) + media::dim(c, "right_max_position_embeddings", 8) + 1,
          true};
}

ModulePtr encoder(const Config& c, const conformer::Spec& s) {
  auto e = make(kW2vBert + "Encoder");
  if (s.positions == "relative") {
    auto pe = e->add("embed_positions", make(kW2vBert + "RelPositionalEmbedding"));
    pe->buffer("pe", {1, 2 * media::dim(c, "max_source_positions", 5000) - 1, s.h}, DType::F32, false);
  } else if (s.positions == "rotary") {
    auto pe = e->add("embed_positions", make(kW2vBert + "RotaryPositionalEmbedding"));
    pe->buffer("inv_freq", {(s.h / s.heads + 1) / 2}, DType::F32, false);
  }
  e->add("dropout", leaf("Dropout"));
  e->add("layers", repeat(conformer::encoder_layer(s), media::count(c, "num_hidden_layers", 24)));
  return e;
}

ModulePtr adapter(const Config& c, const conformer::Spec& s, int64_t out) {
  auto a = make(kW2vBert + "Adapter");
  if (out != s.h) {
    a->add("proj", linear(s.h, out));
    a->add("proj_layer_norm", layer_norm(out));
  }
  auto l = conformer::adapter_layer(s, out, media::dim(c, "adapter_kernel_size", 3), c.s("adapter_act", "relu"));
  a->add("layers", repeat(l, media::count(c, "num_adapter_layers", 1)));
  return a;
}

Model build(const Config& c, std::string_view cls) {
  conformer::Spec s = spec(c);
  int64_t h = s.h, in = media::dim(c, "feature_projection_input_dim", 160);
  int64_t out = c.has("output_hidden_size") ? media::dim(c, "output_hidden_size", h) : h;
  bool add_adapter = c.b("add_adapter", false);
  auto proj = make(kW2vBert + "FeatureProjection");
  proj->add("layer_norm", layer_norm(in));
  proj->add("projection", linear(in, h));
  proj->add("dropout", leaf("Dropout"));
  auto m = make(kW2vBert + "Model");
  m->add("feature_projection", proj);
  if (c.f("mask_time_prob", 0.05) > 0 || c.f("mask_feature_prob", 0) > 0) m->param("masked_spec_embed", {h});
  m->add("encoder", encoder(c, s));
  if (add_adapter) m->add("adapter", adapter(c, s, out));
  if (c.b("use_intermediate_ffn_before_adapter", false)) m->add("intermediate_ffn", conformer::feed_forward(s, h, "relu"));
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

MEMFIT_FAMILY({"wav2vec2-bert"}, "Wav2Vec2Bert", build);

}  // namespace
}  // namespace memfit
