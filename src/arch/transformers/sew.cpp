// SEW (Squeezed and Efficient Wav2vec): transformers' modeling_sew.py. Wav2Vec2's feature encoder, a LayerNorm over
// its output and a projection only when conv_dim[-1] differs from hidden_size; the encoder squeezes the sequence
// (a strided weight-normed positional conv and an AvgPool1d), runs post-norm wav2vec2 layers and upsamples back
// (SEWUpsampling: Linear hidden -> hidden * squeeze_factor). SEW-D (modeling_sew_d.py) is the same model whose
// middle encoder is DeBERTa-v2's stack (SEWDTransformerEncoder, deberta_v2.h) instead of wav2vec2 layers.
#include "arch/blocks.h"
#include "arch/transformers/deberta_v2.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/wav2vec2.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr encoder(const Config& c, const w2v::Shape& s) {
  std::string act = act_class(c.s("feat_extract_activation", "gelu"));
  auto up = make(s.p + "Upsampling");
  up->add("projection", linear(s.h, s.h * media::dim(c, "squeeze_factor", 2)));
  up->add("activation", leaf(act));
  auto e = make(s.p + "Encoder");
  e->add("pos_conv_embed", w2v::pos_conv_embed(c, s));
  e->add("pool", leaf("AvgPool1d"));
  if (s.p == "SEWD") {
    media::divisible(c, s.h, s.heads, "hidden_size / num_attention_heads");
    deberta::Shape d{0, s.h, s.h, s.layers, s.h, s.inter, media::dim(c, "max_position_embeddings", 512), 0, s.act};
    e->add("encoder", deberta::v2_encoder(c, d, "SEWD"));
  } else {
    e->add("layer_norm", layer_norm(s.h));
    e->add("dropout", leaf("Dropout"));
    e->add("layers", repeat(w2v::encoder_layer(c, s, false), s.layers));
  }
  e->add("upsample", up);
  return e;
}

ModulePtr sew_model(const Config& c, const w2v::Shape& s) {
  auto m = make(s.p + "Model");
  m->add("feature_extractor", w2v::feature_encoder(c, s));
  m->add("layer_norm", layer_norm(s.conv_dim.back()));
  if (s.conv_dim.back() != s.h) m->add("feature_projection", linear(s.conv_dim.back(), s.h));
  m->add("feature_dropout", leaf("Dropout"));
  if (c.f("mask_time_prob", 0.05) > 0 || c.f("mask_feature_prob", 0) > 0) m->param("masked_spec_embed", {s.h});
  m->add("encoder", encoder(c, s));
  return m;
}

// `p`: "SEW" or "SEWD".
Model build(const Config& c, std::string_view cls, const std::string& p) {
  w2v::Shape s{media::dim(c, "hidden_size", 768), media::dim(c, "num_attention_heads", 12),
               media::dim(c, "intermediate_size", 3072), media::count(c, "num_hidden_layers", 12),
               media::dims(c, "conv_dim", {64, 128, 128, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512}),
               c.s("hidden_act", "gelu"), p};
  media::require(c, !s.conv_dim.empty(), "conv_dim is empty");
  if (cls == p + "Model") return {sew_model(c, s), {}};
  auto root = make(std::string(cls));
  root->add(p == "SEW" ? "sew" : "sew_d", sew_model(c, s));
  if (cls == p + "ForCTC") {
    root->add("dropout", leaf("Dropout"));
    root->add("lm_head", linear(s.h, media::dim(c, "vocab_size", 32)));
  } else if (cls == p + "ForSequenceClassification") {
    if (c.b("use_weighted_layer_sum", false)) root->param("layer_weights", {s.layers + 1});
    int64_t proj = media::dim(c, "classifier_proj_size", 256);
    root->add("projector", linear(s.h, proj));
    root->add("classifier", linear(proj, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"sew"}, "SEW", [](const Config& c, std::string_view cls) { return build(c, cls, "SEW"); });
MEMFIT_FAMILY({"sew-d"}, "SEWD", [](const Config& c, std::string_view cls) { return build(c, cls, "SEWD"); });

}  // namespace
}  // namespace memfit
