// Mask2Former: transformers' modeling_mask2former.py. The pixel-level module: the backbone load_backbone builds
// (SwinBackbone by default) and a pixel decoder (level embeddings, conv + GroupNorm projections of the three coarsest
// levels, six multi-scale deformable attention encoder layers, a mask projection, and adapter / layer convs for the
// finer levels down to common_stride). The transformer module: query tables, the masked-attention decoder
// (decoder_layers - 1 layers of self-attention, nn.MultiheadAttention cross-attention and an FFN; a LayerNorm; the
// mask predictor's three-block MLP) and the level embedding. Its per-level input projections are a plain list, never
// registered.
#include "arch/transformers/mask2former.h"

#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/auto_class.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/rt_detr.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr group_norm(int64_t ch) { return layer_norm(ch, true, "GroupNorm"); }

ModulePtr pixel_decoder(const Config& c, const mask2former::Keys& k, const std::vector<int64_t>& channels) {
  const std::string& p = k.p;
  int64_t f = media::dim(c, k.dim, 256), heads = media::dim(c, "num_attention_heads", 8);
  media::require(c, channels.size() >= 3, "the backbone must give at least three feature levels");
  auto strides = media::dims(c, k.strides, {4, 8, 16, 32});
  media::require(c, strides.size() >= 3, "feature strides need three entries");
  auto d = make(p + "PixelDecoder");
  d->add("position_embedding", leaf(p + "SinePositionEmbedding"));
  d->param("level_embed", {3, f});
  auto projs = make("ModuleList");
  for (size_t i = 0; i < 3; ++i)  // the three coarsest levels, coarsest first
    projs->add(std::to_string(i), module_list({conv2d(channels[channels.size() - 1 - i], f, 1), group_norm(f)},
                                              "Sequential"));
  d->add("input_projections", projs);
  int64_t ffn = media::dim(c, "encoder_feedforward_dim", 1024);
  auto l = make(p + "PixelDecoderEncoderLayer");
  l->add("self_attn", rt_detr::deformable_attention(p + "PixelDecoderEncoder", f, heads, 3, 4, false));
  l->add("self_attn_layer_norm", layer_norm(f));
  l->add("fc1", linear(f, ffn));
  l->add("fc2", linear(ffn, f));
  l->add("final_layer_norm", layer_norm(f));
  auto enc = make(p + "PixelDecoderEncoderOnly");
  enc->add("layers", repeat(l, media::count(c, "encoder_layers", 6)));
  d->add("encoder", enc);
  d->add("mask_projection", conv2d(f, media::dim(c, k.mask_dim, 256), 1));
  // int(log2(min(last three strides)) - log2(common_stride)) finer levels get an adapter and an output conv.
  int64_t finest = std::min({strides[strides.size() - 3], strides[strides.size() - 2], strides.back()});
  auto n = static_cast<int64_t>(std::log2(static_cast<double>(finest)) -
                                std::log2(static_cast<double>(media::dim(c, "common_stride", 4))));
  media::require(c, n <= static_cast<int64_t>(channels.size()), "common_stride out of range");
  for (int64_t i = 0; i < n; ++i) {
    d->add("adapter_" + std::to_string(i + 1),
           module_list({conv2d(channels[static_cast<size_t>(i)], f, 1, false), group_norm(f)}, "Sequential"));
    d->add("layer_" + std::to_string(i + 1), module_list({conv2d(f, f, 3, false), group_norm(f), leaf("ReLU")}, "Sequential"));
  }
  return d;
}

ModulePtr decoder_layer(const Config& c, int64_t h) {
  auto self = make("Mask2FormerAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) self->add(n, linear(h, h));
  int64_t ffn = media::dim(c, "dim_feedforward", 2048);
  auto l = make("Mask2FormerMaskedAttentionDecoderLayer");
  l->add("self_attn", self);
  l->add("activation_fn", leaf(act_class(c.s("activation_function", "relu"))));
  l->add("self_attn_layer_norm", layer_norm(h));
  l->add("cross_attn", mask2former::multihead_attention(h));
  l->add("cross_attn_layer_norm", layer_norm(h));
  l->add("fc1", linear(h, ffn));
  l->add("fc2", linear(ffn, h));
  l->add("final_layer_norm", layer_norm(h));
  return l;
}

// Mask2FormerMLPPredictionHead: blocks "0".."2", each a Linear ("0") and its activation ("1").
ModulePtr mask_mlp(int64_t h, int64_t out) {
  auto m = make("Mask2FormerMLPPredictionHead");
  for (int i = 0; i < 3; ++i) {
    auto b = make("Mask2FormerPredictionBlock");
    b->add("0", linear(h, i == 2 ? out : h));
    b->add("1", leaf(i < 2 ? "ReLU" : "Identity"));
    m->add(std::to_string(i), b);
  }
  return m;
}

ModulePtr transformer_module(const Config& c) {
  int64_t h = media::dim(c, "hidden_dim", 256), q = media::dim(c, "num_queries", 100);
  int64_t layers = media::count(c, "decoder_layers", 10);
  media::require(c, layers >= 1, "decoder_layers must be at least 1");
  auto pred = make("Mask2FormerMaskPredictor");
  pred->add("mask_embedder", mask_mlp(h, media::dim(c, "mask_feature_size", 256)));
  auto dec = make("Mask2FormerMaskedAttentionDecoder");
  dec->add("layers", repeat(decoder_layer(c, h), layers - 1));
  dec->add("layernorm", layer_norm(h));
  dec->add("mask_predictor", pred);
  auto t = make("Mask2FormerTransformerModule");
  t->add("position_embedder", leaf("Mask2FormerSinePositionEmbedding"));
  t->add("queries_embedder", embedding(q, h));
  t->add("queries_features", embedding(q, h));
  t->add("decoder", dec);
  t->add("level_embed", embedding(3, h));
  return t;
}

Model build(const Config& c, std::string_view cls) {
  auto m = make("Mask2FormerModel");
  m->add("pixel_level_module",
         mask2former::pixel_level_module(c, {"Mask2Former", "feature_size", "mask_feature_size", "feature_strides"}));
  m->add("transformer_module", transformer_module(c));
  if (cls == "Mask2FormerModel") return {m, {}};
  if (cls != "Mask2FormerForUniversalSegmentation") heads::unsupported(cls);
  auto root = make("Mask2FormerForUniversalSegmentation");
  root->add("model", m);
  root->add("class_predictor", linear(media::dim(c, "hidden_dim", 256), heads::num_labels(c) + 1));
  auto loss = make("Mask2FormerLoss");
  loss->buffer("empty_weight", {heads::num_labels(c) + 1}, DType::F32);
  root->add("criterion", loss);
  return {root, {}};
}

MEMFIT_FAMILY({"mask2former"}, "Mask2Former", build);

}  // namespace

namespace mask2former {

ModulePtr multihead_attention(int64_t h) {
  auto a = make("MultiheadAttention");
  a->param("in_proj_weight", {3 * h, h}).param("in_proj_bias", {3 * h});
  auto out = blocks::linear(h, h);
  out->cls = "NonDynamicallyQuantizableLinear";
  a->add("out_proj", out);
  return a;
}

ModulePtr pixel_level_module(const Config& c, const Keys& k) {
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "swin"}}, "swin");
  if (bc.c.s("model_type", "swin") != "swin")
    heads::unsupported(k.p + "Model with a " + bc.c.s("model_type", "") + " backbone");
  Model bb = auto_class(bc.c, "SwinBackbone");
  std::vector<int64_t> channels;  // the widths of the backbone's out_features levels
  for (const auto& [name, norm] : bb.root->child("hidden_states_norms")->children)
    channels.push_back(norm->params[0].second.shape[0]);
  auto m = make(k.p + "PixelLevelModule");
  m->add("encoder", bb.root);
  m->add("decoder", pixel_decoder(c, k, channels));
  return m;
}

}  // namespace mask2former
}  // namespace memfit
