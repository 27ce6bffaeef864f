// Deformable DETR: transformers' modeling_deformable_detr.py. DeformableDetrModel: the backbone (a timm ResNet-50
// by default, features_only with out_indices [2, 3, 4] -- [4] for a single feature level -- its BatchNorms frozen)
// under backbone.model; a sine (or learned) position embedding; input_proj, one conv 1x1 + GroupNorm(32) per
// backbone level and a strided 3x3 conv + GroupNorm for each extra level (the first reading the last backbone
// width); query_position_embeddings (2 x d_model wide, absent with two_stage); an encoder of multi-scale deformable
// self-attention layers; a decoder of self-attention + deformable cross-attention layers; level_embed; and
// reference_points (or two_stage's enc_output / pos_trans layers and norms).
// DeformableDetrForObjectDetection adds decoder_layers class_embed Linears and bbox_embed MLPs, all but the first
// tied to the first (its _tied_weights_keys, under tie_word_embeddings, true by default).
// A transformers backbone (use_timm_backbone false or a non-timm backbone_config) is refused as in DETR.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/detr.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/rt_detr.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "DeformableDetr";

// The output width of a module: the out-channels of the last Conv2d below it.
int64_t last_conv_width(const Module& m) {
  int64_t w = 0;
  for (const auto& [name, child] : m.children) {
    if (child->cls == "Conv2d" && !child->params.empty()) w = child->params[0].second.shape[0];
    else if (int64_t inner = last_conv_width(*child)) w = inner;
  }
  return w;
}

// The timm backbone's feature widths for `out_indices` (0 = the stem, k = layerk of a ResNet); the stages after
// the last index are dropped as timm's FeatureListNet does.
std::vector<int64_t> feature_widths(const Config& c, Module& backbone, const std::vector<int64_t>& out_indices) {
  std::vector<int64_t> widths;
  int64_t last = 0;
  for (int64_t i : out_indices) {
    media::require(c, i >= 0 && i <= 4, "backbone out_indices outside 0..4");
    ModulePtr m = i == 0 ? backbone.child("conv1") : backbone.child("layer" + std::to_string(i));
    if (!m) heads::unsupported(kP + "Model with a timm backbone without ResNet stages");
    int64_t w = m->cls == "Conv2d" ? m->params[0].second.shape[0] : last_conv_width(*m);
    media::require(c, w > 0, "backbone stage without convolutions");
    widths.push_back(w);
    last = std::max(last, i);
  }
  auto& ch = backbone.children;
  ch.erase(std::remove_if(ch.begin(), ch.end(),
                          [&](const auto& e) {
                            return e.first.starts_with("layer") && std::stoll(e.first.substr(5)) > last;
                          }),
           ch.end());
  return widths;
}

ModulePtr mlp(const Config& c, int64_t d, int64_t ffn) {
  auto m = make(kP + "MLP");
  m->add("fc1", linear(d, ffn));
  m->add("fc2", linear(ffn, d));
  m->add("activation_fn", leaf(act_class(c.s("activation_function", "relu"))));
  return m;
}

ModulePtr deformable(const Config& c, int64_t d, int64_t heads, int64_t levels, const char* points_key) {
  media::divisible(c, d, heads, "d_model by the attention heads");
  return rt_detr::deformable_attention(kP, d, heads, levels, media::dim(c, points_key, 4));
}

ModulePtr encoder(const Config& c, int64_t d, int64_t levels) {
  auto l = make(kP + "EncoderLayer");
  l->add("self_attn", deformable(c, d, media::dim(c, "encoder_attention_heads", 8), levels, "encoder_n_points"));
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("mlp", mlp(c, d, media::dim(c, "encoder_ffn_dim", 1024)));
  l->add("final_layer_norm", layer_norm(d));
  auto e = make(kP + "Encoder");
  e->add("layers", repeat(l, media::count(c, "encoder_layers", 6)));
  return e;
}

ModulePtr decoder(const Config& c, int64_t d, int64_t levels) {
  auto self = make(kP + "SelfAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "o_proj"}) self->add(n, linear(d, d));
  const int64_t heads = media::dim(c, "decoder_attention_heads", 8);
  media::divisible(c, d, heads, "d_model by decoder_attention_heads");
  auto l = make(kP + "DecoderLayer");
  l->add("self_attn", self);
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("encoder_attn", deformable(c, d, heads, levels, "decoder_n_points"));
  l->add("encoder_attn_layer_norm", layer_norm(d));
  l->add("mlp", mlp(c, d, media::dim(c, "decoder_ffn_dim", 1024)));
  l->add("final_layer_norm", layer_norm(d));
  auto dec = make(kP + "Decoder");
  dec->add("layers", repeat(l, media::count(c, "decoder_layers", 6)));
  return dec;
}

ModulePtr model(const Config& c) {
  const int64_t d = media::dim(c, "d_model", 256), levels = media::dim(c, "num_feature_levels", 4);
  media::require(c, levels <= 64, "num_feature_levels out of range");
  media::require(c, d % 32 == 0, "d_model not a multiple of GroupNorm's 32 groups");
  std::vector<int64_t> out_indices = levels > 1 ? std::vector<int64_t>{2, 3, 4} : std::vector<int64_t>{4};
  if (auto b = c.opt_sub("backbone_config"); b && b->has("out_indices")) out_indices = media::dims(*b, "out_indices", {}, 0);
  else if (auto k = c.opt_sub("backbone_kwargs"); k && k->has("out_indices")) out_indices = media::dims(*k, "out_indices", {}, 0);
  media::require(c, !out_indices.empty(), "backbone out_indices empty");
  int64_t last_width = 0;
  ModulePtr bb = detr_timm_backbone(c, kP, last_width);
  std::vector<int64_t> widths = feature_widths(c, *bb, out_indices);
  auto conv_enc = make(kP + "ConvEncoder");
  conv_enc->add("model", bb);

  auto group_norm = [&] { return layer_norm(d, true, "GroupNorm"); };
  std::vector<ModulePtr> projs;
  if (levels > 1) {
    int64_t in = 0;
    for (int64_t w : widths) projs.push_back(module_list({conv2d(in = w, d, 1), group_norm()}, "Sequential"));
    for (int64_t k = static_cast<int64_t>(widths.size()); k < levels; ++k, in = d)
      projs.push_back(module_list({conv2d(in, d, 3), group_norm()}, "Sequential"));
  } else {
    projs.push_back(module_list({conv2d(widths.back(), d, 1), group_norm()}, "Sequential"));
  }

  auto m = make(kP + "Model");
  m->add("backbone", conv_enc);
  const std::string pos = c.s("position_embedding_type", "sine");
  if (pos == "sine") {
    m->add("position_embedding", leaf(kP + "SinePositionEmbedding"));
  } else if (pos == "learned") {
    auto p = make(kP + "LearnedPositionEmbedding");
    p->add("row_embeddings", embedding(50, d / 2));
    p->add("column_embeddings", embedding(50, d / 2));
    m->add("position_embedding", p);
  } else {
    throw ConfigError("position_embedding_type `" + pos + "` is not supported by transformers (sine or learned)");
  }
  m->add("input_proj", module_list(std::move(projs)));
  const bool two_stage = c.b("two_stage", false);
  if (two_stage && !c.b("with_box_refine", false))
    throw ConfigError("transformers itself refuses this config: two_stage requires with_box_refine");
  if (!two_stage) m->add("query_position_embeddings", embedding(media::dim(c, "num_queries", 300), 2 * d));
  m->add("encoder", encoder(c, d, levels));
  m->add("decoder", decoder(c, d, levels));
  m->param("level_embed", {levels, d});
  if (two_stage) {
    m->add("enc_output", linear(d, d));
    m->add("enc_output_norm", layer_norm(d));
    m->add("pos_trans", linear(2 * d, 2 * d));
    m->add("pos_trans_norm", layer_norm(2 * d));
  } else {
    m->add("reference_points", linear(d, 2));
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const std::vector<std::string> no_split{kP + "ConvEncoder", kP + "EncoderLayer", kP + "DecoderLayer"};
  if (cls == kP + "Model") return {model(c), no_split};
  if (cls != kP + "ForObjectDetection") heads::unsupported(cls);
  // with_box_refine / two_stage also register the heads inside the decoder (shared modules); not built.
  if (c.b("with_box_refine", false) || c.b("two_stage", false))
    heads::unsupported(std::string(cls) + " with with_box_refine or two_stage");
  const int64_t d = media::dim(c, "d_model", 256), n = media::count(c, "decoder_layers", 6);
  const int64_t labels = heads::num_labels(c);
  const bool tied = c.b("tie_word_embeddings", true);
  auto root = make(std::string(cls));
  root->add("model", model(c));
  std::vector<ModulePtr> cls_embed, bbox_embed;
  for (int64_t i = 0; i < n; ++i) {
    const std::string k = std::to_string(i);
    auto head = rt_detr::prediction_head(kP, d, d, 4, 3);
    if (i == 0 || !tied) {
      cls_embed.push_back(linear(d, labels));
      bbox_embed.push_back(head);
      continue;
    }
    auto lin = make("Linear");
    lin->tie("weight", {labels, d}, "class_embed.0.weight").tie("bias", {labels}, "class_embed.0.bias");
    cls_embed.push_back(lin);
    auto tied_head = make(kP + "MLPPredictionHead");
    std::vector<ModulePtr> ls;
    for (int64_t j = 0; j < 3; ++j) {
      const auto& src = head->child("layers")->children[j].second;
      auto t = make("Linear");
      const std::string base = "bbox_embed.0.layers." + std::to_string(j);
      t->tie("weight", src->params[0].second.shape, base + ".weight").tie("bias", src->params[1].second.shape, base + ".bias");
      ls.push_back(t);
    }
    tied_head->add("layers", module_list(ls));
    bbox_embed.push_back(tied_head);
  }
  root->add("class_embed", module_list(cls_embed));
  root->add("bbox_embed", module_list(bbox_embed));
  return {root, no_split};  // its own _no_split_modules is None; post_init gathers the base model's
}

MEMFIT_FAMILY({"deformable_detr"}, "DeformableDetr", build);

}  // namespace
}  // namespace memfit
