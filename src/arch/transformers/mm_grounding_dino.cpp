// MM Grounding DINO: transformers' modeling_mm_grounding_dino.py (MMGroundingDinoModel). The backbone
// load_backbone builds (SwinBackbone by default; BatchNorms frozen) with a sine (or learned) position embedding;
// conv + GroupNorm input projections per level (strided 3x3 ones for extra levels); the text backbone (AutoModel of
// text_config without its pooler, BERT by default) and its projection; the query table; an encoder of text-enhancer,
// bi-directional fusion and deformable layers; a decoder of self, text-cross and deformable attention layers with a
// reference-point MLP; the level embedding and the two-stage encoder-output heads. Grounding DINO
// (modeling_grounding_dino.py, GroundingDinoModel) is built from the same code, with its three differences.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/auto_class.h"
#include "arch/transformers/detr.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/rt_detr.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "MMGroundingDino";

// MMGroundingDinoMultiheadAttention: query, key, value, out_proj over d_model.
ModulePtr attention(int64_t d) {
  auto a = make(kP + "MultiheadAttention");
  for (const char* n : {"query", "key", "value", "out_proj"}) a->add(n, linear(d, d));
  a->add("dropout", leaf("Dropout"));
  return a;
}

ModulePtr deformable(const Config& c, int64_t d, int64_t heads, int64_t points) {
  return rt_detr::deformable_attention(kP, d, heads, media::count(c, "num_feature_levels", 4), points);
}

ModulePtr encoder_layer(const Config& c, int64_t d) {
  int64_t ffn = media::dim(c, "encoder_ffn_dim", 2048), heads = media::dim(c, "encoder_attention_heads", 8);
  media::require(c, ffn >= 2 && heads >= 2, "encoder_ffn_dim / encoder_attention_heads too small");
  std::string act = act_class(c.s("activation_function", "relu"));
  auto text = make(kP + "TextEnhancerLayer");
  text->add("self_attn", attention(d));
  text->add("fc1", linear(d, ffn / 2));
  text->add("fc2", linear(ffn / 2, d));
  text->add("layer_norm_before", layer_norm(d));
  text->add("layer_norm_after", layer_norm(d));
  text->add("activation", leaf(act));
  auto bi = make(kP + "BiMultiHeadAttention");  // vision and text both d_model wide, embed encoder_ffn_dim / 2
  for (const char* n : {"vision_proj", "text_proj", "values_vision_proj", "values_text_proj"}) bi->add(n, linear(d, ffn / 2));
  bi->add("out_vision_proj", linear(ffn / 2, d));
  bi->add("out_text_proj", linear(ffn / 2, d));
  auto fusion = make(kP + "FusionLayer");
  fusion->param("vision_param", {d}).param("text_param", {d});
  fusion->add("layer_norm_vision", layer_norm(d));
  fusion->add("layer_norm_text", layer_norm(d));
  fusion->add("attn", bi);
  fusion->add("drop_path", leaf(c.f("fusion_droppath", 0.1) > 0 ? kP + "DropPath" : "Identity"));
  auto def = make(kP + "DeformableLayer");
  def->add("self_attn", deformable(c, d, heads, media::dim(c, "encoder_n_points", 4)));
  def->add("self_attn_layer_norm", layer_norm(d));
  def->add("activation_fn", leaf(act));
  def->add("fc1", linear(d, ffn));
  def->add("fc2", linear(ffn, d));
  def->add("final_layer_norm", layer_norm(d));
  auto l = make(kP + "EncoderLayer");
  l->add("text_enhancer_layer", text);
  l->add("fusion_layer", fusion);
  l->add("deformable_layer", def);
  return l;
}

ModulePtr decoder(const Config& c, int64_t d) {
  int64_t ffn = media::dim(c, "decoder_ffn_dim", 2048), heads = media::dim(c, "decoder_attention_heads", 8);
  auto l = make(kP + "DecoderLayer");
  l->add("self_attn", attention(d));
  l->add("activation_fn", leaf(act_class(c.s("activation_function", "relu"))));
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("encoder_attn_text", attention(d));
  l->add("encoder_attn_text_layer_norm", layer_norm(d));
  l->add("encoder_attn", deformable(c, d, heads, media::dim(c, "decoder_n_points", 4)));
  l->add("encoder_attn_layer_norm", layer_norm(d));
  l->add("fc1", linear(d, ffn));
  l->add("fc2", linear(ffn, d));
  l->add("final_layer_norm", layer_norm(d));
  auto dec = make(kP + "Decoder");
  dec->add("layer_norm", layer_norm(d));
  dec->add("layers", repeat(l, media::count(c, "decoder_layers", 6)));
  dec->add("reference_points_head",
           rt_detr::prediction_head(kP, media::dim(c, "query_dim", 4) / 2 * d, d, d, 2));
  return dec;
}

// `original`: Grounding DINO's own GroundingDinoModel (modeling_grounding_dino.py), of which MM Grounding DINO is the
// modular copy: its ContrastiveEmbedding holds no bias, one feature level projects the last backbone stage only, and
// without two_stage it holds reference_points instead of the encoder-output layers. (Classes are renamed after.)
Model build(const Config& c, std::string_view cls, bool original = false) {
  if (cls != kP + "Model") heads::unsupported(cls);
  int64_t d = media::dim(c, "d_model", 256);
  // An omitted backbone_config is Swin-T with out_indices [2, 3, 4] (consolidate_backbone_kwargs_to_config's default).
  SubConfig bc = c.opt_sub("backbone_config")
                     ? sub_config(c, "backbone_config", {{"model_type", "swin"}}, "swin")
                     : sub_config(c, "backbone_config", {{"model_type", "swin"}, {"out_indices", Json::array({2, 3, 4})}},
                                  "swin");
  if (bc.c.s("model_type", "swin") != "swin") heads::unsupported(kP + "Model with a " + bc.c.s("model_type", "") + " backbone");
  Model bb = auto_class(bc.c, "SwinBackbone");
  std::vector<int64_t> channels;  // the widths of the backbone's out_features levels
  for (const auto& [name, norm] : bb.root->child("hidden_states_norms")->children)
    channels.push_back(norm->params[0].second.shape[0]);
  media::require(c, !channels.empty(), "the backbone has no output levels");
  freeze_batch_norm(*bb.root, kP);
  auto conv_enc = make(kP + "ConvEncoder");
  conv_enc->add("model", bb.root);
  auto conv_model = make(kP + "ConvModel");
  conv_model->add("conv_encoder", conv_enc);
  if (c.s("position_embedding_type", "sine") == "learned") {
    auto pos = make(kP + "LearnedPositionEmbedding");
    pos->add("row_embeddings", embedding(50, d / 2));
    pos->add("column_embeddings", embedding(50, d / 2));
    conv_model->add("position_embedding", pos);
  } else {
    conv_model->add("position_embedding", leaf(kP + "SinePositionEmbedding"));
  }
  int64_t levels = media::count(c, "num_feature_levels", 4);
  media::require(c, levels <= 64, "num_feature_levels out of range");
  auto group_norm = [](int64_t ch) { return layer_norm(ch, true, "GroupNorm"); };
  auto projs = make("ModuleList");
  int64_t in = 0, k = 0;
  if (original && levels == 1) {
    projs->add("0", module_list({conv2d(channels.back(), d, 1), group_norm(d)}, "Sequential"));
  } else {
    for (; k < static_cast<int64_t>(channels.size()); ++k)
      projs->add(std::to_string(k), module_list({conv2d(in = channels[k], d, 1), group_norm(d)}, "Sequential"));
    for (; k < levels; ++k, in = d)
      projs->add(std::to_string(k), module_list({conv2d(in, d, 3), group_norm(d)}, "Sequential"));
  }

  SubConfig tc = sub_config(c, "text_config", {{"model_type", "bert"}}, "bert");
  Model text = auto_model(tc.c);
  auto& ch = text.root->children;  // add_pooling_layer=False
  ch.erase(std::remove_if(ch.begin(), ch.end(), [](const auto& e) { return e.first == "pooler"; }), ch.end());
  auto enc = make(kP + "Encoder");
  enc->add("layers", repeat(encoder_layer(c, d), media::count(c, "encoder_layers", 6)));
  auto cls_embed = make(kP + "ContrastiveEmbedding");
  if (!original) cls_embed->param("bias", {});

  auto m = make(kP + "Model");
  m->param("level_embed", {levels, d});
  m->add("backbone", conv_model);
  m->add("input_proj_vision", projs);
  m->add("text_backbone", text.root);
  m->add("text_projection", linear(media::dim(tc.c, "hidden_size", 768), d));
  if (c.b("embedding_init_target", true) || !c.b("two_stage", true))
    m->add("query_position_embeddings", embedding(media::dim(c, "num_queries", 900), d));
  m->add("encoder", enc);
  m->add("decoder", decoder(c, d));
  if (!original || c.b("two_stage", true)) {
    // (Grounding DINO shares decoder.bbox_embed here only when the decoder has one: never in GroundingDinoModel.)
    m->add("enc_output", linear(d, d));
    m->add("enc_output_norm", layer_norm(d));
    m->add("encoder_output_bbox_embed", rt_detr::prediction_head(kP, d, d, 4, 3));
    m->add("encoder_output_class_embed", cls_embed);
  } else {
    m->add("reference_points", embedding(media::dim(c, "num_queries", 900), 4));
  }
  return {m, text.no_split};
}

// Renames the MM Grounding DINO classes of a tree to Grounding DINO's (shared nodes are visited again harmlessly).
void rename_classes(Module& m) {
  if (m.cls.starts_with(kP)) m.cls = "GroundingDino" + m.cls.substr(kP.size());
  for (auto& [name, child] : m.children) rename_classes(*child);
}

Model grounding_dino(const Config& c, std::string_view cls) {
  if (cls != "GroundingDinoModel") heads::unsupported(cls);
  Model m = build(c, kP + "Model", true);
  rename_classes(*m.root);
  return m;
}

MEMFIT_FAMILY({"mm-grounding-dino"}, "MMGroundingDino", [](const Config& c, std::string_view cls) { return build(c, cls); });
MEMFIT_FAMILY({"grounding-dino"}, "GroundingDino", grounding_dino);

}  // namespace
}  // namespace memfit
