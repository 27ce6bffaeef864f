// Wav2Vec2: transformers' modeling_wav2vec2.py. A Conv1d feature encoder over the raw waveform, a feature
// projection, and a transformer encoder whose positional embedding is a grouped Conv1d under weight norm
// (torch's parametrizations: conv.parametrizations.weight.original0/1). Heads: CTC, classification, pretraining.
// HuBERT (modeling_hubert.py) is the same tree under its own prefix: a feature projection whose LayerNorm is
// optional (feat_proj_layer_norm), an optional BatchNorm1d instead of weight norm in the positional conv
// (conv_pos_batch_norm), no adapter. Data2VecAudio (modeling_data2vec_audio.py): LayerNorm conv layers, and a
// positional embedding of num_conv_pos_embeddings plain grouped Conv1d layers (kernel conv_pos_kernel_size) each
// followed by a LayerNorm without parameters. WavLM (modeling_wavlm.py): wav2vec2's tree whose attention adds the
// gated relative position parameters (gru_rel_pos_const [1, heads, 1, 1], gru_rel_pos_linear head_dim -> 8) and,
// in layer 0, the relative bucket table rel_attn_embed [num_buckets, heads]. UniSpeech (modeling_unispeech.py):
// wav2vec2's base tree under its own prefix, without the adapter. UniSpeechSat (modeling_unispeech_sat.py): the
// same, its masked_spec_embed unconditional, plus Wav2Vec2's audio-frame classifier.
#include "arch/transformers/wav2vec2.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit::w2v {
using namespace blocks;

ModulePtr feature_encoder(const Config& c, const Shape& s) {
  auto kernel = media::dims(c, "conv_kernel", {10, 3, 3, 3, 3, 2, 2});
  media::require(c, kernel.size() >= s.conv_dim.size(), "conv_kernel is shorter than conv_dim");
  std::string norm = s.data2vec ? "layer" : c.s("feat_extract_norm", "group");
  media::require(c, norm == "group" || norm == "layer", "feat_extract_norm must be `group` or `layer`");
  bool bias = c.b("conv_bias", false);
  std::string act = act_class(c.s("feat_extract_activation", "gelu"));
  auto layers = make("ModuleList");
  for (size_t i = 0; i < s.conv_dim.size(); ++i) {
    int64_t in = i == 0 ? 1 : s.conv_dim[i - 1], out = s.conv_dim[i];
    ModulePtr l;
    if (norm == "layer") {
      l = make(s.p + (s.data2vec ? "ConvLayer" : "LayerNormConvLayer"));
      l->add("conv", media::conv1d(in, out, kernel[i], bias));
      l->add("layer_norm", layer_norm(out));
      l->add("activation", leaf(act));
    } else if (i == 0) {
      l = make(s.p + "GroupNormConvLayer");
      l->add("conv", media::conv1d(in, out, kernel[i], bias));
      l->add("activation", leaf(act));
      l->add("layer_norm", layer_norm(out, true, "GroupNorm"));
    } else {
      l = make(s.p + "NoLayerNormConvLayer");
      l->add("conv", media::conv1d(in, out, kernel[i], bias));
      l->add("activation", leaf(act));
    }
    layers->add(std::to_string(i), l);
  }
  auto m = make(s.p + "FeatureEncoder");
  m->add("conv_layers", layers);
  return m;
}

ModulePtr pos_conv_embed(const Config& c, const Shape& s) {
  int64_t k = media::dim(c, "num_conv_pos_embeddings", 128), groups = media::dim(c, "num_conv_pos_embedding_groups", 16);
  media::divisible(c, s.h, groups, "hidden_size / num_conv_pos_embedding_groups");
  auto pos = make(s.p + "PositionalConvEmbedding");
  pos->add("conv", media::weight_norm_conv1d(s.h, s.h, k, groups));
  pos->add("padding", leaf(s.p + "SamePadLayer"));
  pos->add("activation", leaf(act_class(c.s("feat_extract_activation", "gelu"))));
  return pos;
}

ModulePtr feed_forward(const Shape& s) {
  auto ff = make(s.p + "FeedForward");
  ff->add("intermediate_dropout", leaf("Dropout"));
  ff->add("intermediate_dense", linear(s.h, s.inter));
  ff->add("intermediate_act_fn", leaf(act_class(s.act)));
  ff->add("output_dense", linear(s.inter, s.h));
  ff->add("output_dropout", leaf("Dropout"));
  return ff;
}

ModulePtr encoder_layer(const Config& c, const Shape& s, bool stable, bool first) {
  auto ff = feed_forward(s);
  auto l = make(s.p + (stable ? "EncoderLayerStableLayerNorm" : "EncoderLayer"));
  auto attn = l->add("attention", media::kvq_attention(s.p + "Attention", s.h));
  if (s.wavlm) {
    media::divisible(c, s.h, s.heads, "hidden_size / num_attention_heads");
    attn->param("gru_rel_pos_const", {1, s.heads, 1, 1});
    attn->add("gru_rel_pos_linear", linear(s.h / s.heads, 8));
    if (first) attn->add("rel_attn_embed", embedding(media::dim(c, "num_buckets", 320), s.heads));
  }
  l->add("dropout", leaf("Dropout"));
  l->add("layer_norm", layer_norm(s.h));
  l->add("feed_forward", ff);
  l->add("final_layer_norm", layer_norm(s.h));
  if (stable && c.has("adapter_attn_dim")) {
    int64_t a = media::dim(c, "adapter_attn_dim", 0);
    auto ad = make(s.p + "AttnAdapterLayer");
    ad->add("norm", layer_norm(s.h));
    ad->add("linear_1", linear(s.h, a));
    ad->add("act_fn", leaf("ReLU"));
    ad->add("linear_2", linear(a, s.h));
    l->add("adapter_layer", ad);
  }
  return l;
}

}  // namespace memfit::w2v

namespace memfit {
namespace {
using namespace blocks;
using w2v::Shape;

ModulePtr encoder(const Config& c, const Shape& s) {
  if (s.p == "Wav2Vec2Conformer") return w2v::conformer_encoder(c, s);
  bool stable = c.b("do_stable_layer_norm", false);
  int64_t k = media::dim(c, "num_conv_pos_embeddings", 128);
  int64_t groups = media::dim(c, "num_conv_pos_embedding_groups", 16);
  media::divisible(c, s.h, groups, "hidden_size / num_conv_pos_embedding_groups");
  auto pos = make(s.p + "PositionalConvEmbedding");
  if (s.data2vec) {
    auto l = make(s.p + "PositionalConvLayer");
    l->add("conv", media::conv1d(s.h, s.h, media::dim(c, "conv_pos_kernel_size", 19), true, groups));
    l->add("padding", leaf(s.p + "PadLayer"));
    l->add("activation", leaf(act_class(c.s("feat_extract_activation", "gelu"))));
    l->add("layer_norm", leaf("LayerNorm"));  // elementwise_affine=False
    pos->add("layers", repeat(l, k));
  } else if (s.hubert && c.b("conv_pos_batch_norm", false)) {
    pos->add("conv", media::conv1d(s.h, s.h, k, true, groups));
    pos->add("batch_norm", batch_norm(s.h, "BatchNorm1d"));
  } else {
    pos->add("conv", media::weight_norm_conv1d(s.h, s.h, k, groups));
  }
  if (!s.data2vec) {
    pos->add("padding", leaf(s.p + "SamePadLayer"));
    pos->add("activation", leaf(act_class(c.s("feat_extract_activation", "gelu"))));
  }
  auto e = make(s.p + (stable ? "EncoderStableLayerNorm" : "Encoder"));
  e->add("pos_conv_embed", pos);
  e->add("layer_norm", layer_norm(s.h));
  e->add("dropout", leaf("Dropout"));
  if (s.wavlm && s.layers > 0) {  // only layer 0 owns the relative bucket table
    std::vector<ModulePtr> layers{w2v::encoder_layer(c, s, stable, true)};
    auto rest = w2v::encoder_layer(c, s, stable);
    for (int64_t i = 1; i < s.layers; ++i) layers.push_back(rest);
    e->add("layers", module_list(std::move(layers)));
  } else {
    e->add("layers", repeat(w2v::encoder_layer(c, s, stable), s.layers));
  }
  return e;
}

ModulePtr wav2vec2_model(const Config& c, const Shape& s) {
  auto proj = make(s.p + "FeatureProjection");
  if (!s.hubert || c.b("feat_proj_layer_norm", true)) proj->add("layer_norm", layer_norm(s.conv_dim.back()));
  proj->add("projection", linear(s.conv_dim.back(), s.h));
  proj->add("dropout", leaf("Dropout"));
  auto m = make(s.p + "Model");
  m->add("feature_extractor", w2v::feature_encoder(c, s));
  m->add("feature_projection", proj);
  if (s.p == "UniSpeechSat" || c.f("mask_time_prob", 0.05) > 0 || c.f("mask_feature_prob", 0) > 0)
    m->param("masked_spec_embed", {s.h});
  m->add("encoder", encoder(c, s));
  if (!s.hubert && s.p != "UniSpeech" && s.p != "UniSpeechSat" && c.b("add_adapter", false)) {
    int64_t out = c.has("output_hidden_size") ? media::dim(c, "output_hidden_size", s.h) : s.h;
    auto ad = make(s.p + "Adapter");
    if (out != s.h) {
      ad->add("proj", linear(s.h, out));
      ad->add("proj_layer_norm", layer_norm(out));
    }
    auto conv = make(s.p + "AdapterLayer");
    conv->add("conv", media::conv1d(out, 2 * out, media::dim(c, "adapter_kernel_size", 3)));
    ad->add("layers", repeat(conv, media::count(c, "num_adapter_layers", 3)));
    m->add("adapter", ad);
  }
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& prefix) {
  Shape s{media::dim(c, "hidden_size", 768), media::dim(c, "num_attention_heads", 12),
          media::dim(c, "intermediate_size", 3072), media::count(c, "num_hidden_layers", 12),
          media::dims(c, "conv_dim", {512, 512, 512, 512, 512, 512, 512}), c.s("hidden_act", "gelu"), prefix,
          prefix == "Hubert", prefix == "Data2VecAudio", prefix == "WavLM"};
  std::vector<std::string> no_split;
  if (s.hubert) no_split = {"HubertEncoderLayer", "ParametrizedConv1d"};
  const std::string base = s.hubert     ? "hubert"
                           : s.data2vec ? "data2vec_audio"
                           : s.wavlm    ? "wavlm"
                           : prefix == "UniSpeech" ? "unispeech"
                           : prefix == "UniSpeechSat" ? "unispeech_sat"
                           : prefix == "Wav2Vec2Conformer" ? "wav2vec2_conformer"
                                                   : "wav2vec2";
  media::require(c, !s.conv_dim.empty(), "conv_dim is empty");
  if (cls == prefix + "Model") return {wav2vec2_model(c, s), no_split};
  auto root = make(std::string(cls));
  root->add(base, wav2vec2_model(c, s));
  auto layer_weights = [&] {
    if (c.b("use_weighted_layer_sum", false)) root->param("layer_weights", {s.layers + 1});
  };
  if (cls == prefix + "ForCTC") {
    root->add("dropout", leaf("Dropout"));
    bool adapter = c.b("add_adapter", false) && c.has("output_hidden_size");
    int64_t in = adapter ? media::dim(c, "output_hidden_size", s.h) : s.h;
    root->add("lm_head", linear(in, media::dim(c, "vocab_size", 32)));
  } else if (cls == prefix + "ForSequenceClassification") {
    layer_weights();
    int64_t proj = media::dim(c, "classifier_proj_size", 256);
    root->add("projector", linear(s.h, proj));
    root->add("classifier", linear(proj, heads::num_labels(c)));
  } else if (!s.hubert && prefix != "UniSpeech" && cls == prefix + "ForAudioFrameClassification") {
    layer_weights();
    root->add("classifier", linear(s.h, heads::num_labels(c)));
  } else if (!s.hubert && (cls == "Wav2Vec2ForPreTraining" || cls == "Wav2Vec2ConformerForPreTraining")) {
    int64_t groups = media::dim(c, "num_codevector_groups", 2), vars = media::dim(c, "num_codevectors_per_group", 320);
    int64_t cv = media::dim(c, "codevector_dim", 256), pcv = media::dim(c, "proj_codevector_dim", 256);
    media::divisible(c, cv, groups, "codevector_dim / num_codevector_groups");
    root->add("dropout_features", leaf("Dropout"));
    auto q = make("Wav2Vec2GumbelVectorQuantizer");
    q->param("codevectors", {1, groups * vars, cv / groups});
    q->add("weight_proj", linear(s.conv_dim.back(), groups * vars));
    root->add("quantizer", q);
    root->add("project_hid", linear(s.h, pcv));
    root->add("project_q", linear(cv, pcv));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"wav2vec2"}, "Wav2Vec2",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Wav2Vec2"); });
MEMFIT_FAMILY({"data2vec-audio"}, "Data2VecAudio",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Data2VecAudio"); });
MEMFIT_FAMILY({"wavlm"}, "WavLM", [](const Config& c, std::string_view cls) { return build(c, cls, "WavLM"); });
MEMFIT_FAMILY({"unispeech"}, "UniSpeech",
              [](const Config& c, std::string_view cls) { return build(c, cls, "UniSpeech"); });
MEMFIT_FAMILY({"unispeech-sat"}, "UniSpeechSat",
              [](const Config& c, std::string_view cls) { return build(c, cls, "UniSpeechSat"); });
MEMFIT_FAMILY({"wav2vec2-conformer"}, "Wav2Vec2Conformer",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Wav2Vec2Conformer"); });
MEMFIT_FAMILY({"hubert"}, "Hubert", [](const Config& c, std::string_view cls) { return build(c, cls, "Hubert"); });

}  // namespace
}  // namespace memfit
