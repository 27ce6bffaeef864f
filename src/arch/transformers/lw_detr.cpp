// LW-DETR and RF-DETR: transformers' modeling_lw_detr.py and modeling_rf_detr.py. The conv encoder holds the ViT
// backbone (LW-DETR's own windowed ViT with layer-scale gammas and an absolute position table at
// pretrain_image_size; RF-DETR's windowed DINOv2, Dinov2Backbone's tree) and the projector: per scale factor a set
// of sampling layers and a C2F block of conv-norm layers with RepVGG bottlenecks, then a channels-first LayerNorm
// (RF-DETR: one projector, its conv-norm layers normalised by LayerNorm). Then the query tables (num_queries x
// group_detr), a decoder of self-attention + multi-scale deformable attention layers with a reference-point MLP, and
// group_detr copies of the encoder-output heads.
#include "arch/blocks.h"
#include "arch/transformers/auto_class.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/rt_detr.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Variant {
  std::string p;
  bool rf;  // RF-DETR: DINOv2 backbone, LayerNorm conv-norm layers, a single projector
};

ModulePtr conv_norm(const Variant& v, int64_t in, int64_t out, int64_t k, const std::string& act) {
  auto l = make(v.p + "ConvNormLayer");
  l->add("conv", conv2d(in, out, k, false));
  l->add("norm", v.rf ? layer_norm(out, true, v.p + "LayerNorm") : batch_norm(out));
  l->add("activation", leaf(act.empty() ? "Identity" : act_class(act)));
  return l;
}

ModulePtr c2f(const Config& c, const Variant& v, int64_t in) {
  std::string act = c.s("activation_function", "silu");
  int64_t d = media::dim(c, "d_model", 256), nb = media::count(c, "c2f_num_blocks", 3);
  auto hc = static_cast<int64_t>(static_cast<double>(d) * c.f("hidden_expansion", 0.5));
  media::require(c, hc >= 1 && hc <= media::kMaxDim, "hidden_expansion out of range");
  auto rep = make(v.p + "RepVggBlock");
  rep->add("conv1", conv_norm(v, hc, hc, 3, act));
  rep->add("conv2", conv_norm(v, hc, hc, 3, act));
  auto l = make(v.p + "C2FLayer");
  l->add("conv1", conv_norm(v, in, 2 * hc, 1, act));
  l->add("conv2", conv_norm(v, (2 + nb) * hc, d, 1, act));
  l->add("bottlenecks", repeat(rep, nb));
  return l;
}

// LwDetrScaleProjector for one scale factor over `levels` backbone levels of width `w`.
ModulePtr scale_projector(const Config& c, const Variant& v, int64_t w, int64_t levels, double scale) {
  auto sampling = make(v.p + "SamplingLayer");
  auto layers = make("ModuleList");
  int64_t mid = w;
  if (scale == 2.0 && w > 512) {
    layers->add("0", conv_norm(v, w, w / 2, 1, "relu"));
    layers->add("1", media::conv_transpose2d(w / 2, w / 4, 2));
    mid = w / 4;
  } else if (scale == 2.0) {
    layers->add("0", media::conv_transpose2d(w, w / 2, 2));
    mid = w / 2;
  } else if (scale == 0.5) {
    layers->add("0", conv_norm(v, w, w, 3, "relu"));
  }
  sampling->add("layers", layers);
  auto p = make(v.p + "ScaleProjector");
  if (!v.rf) p->add("sampling_layers", repeat(sampling, levels));
  p->add("projector_layer", c2f(c, v, mid * levels));
  p->add("layer_norm", layer_norm(media::dim(c, "d_model", 256), true, v.p + "LayerNorm"));
  return p;
}

ModulePtr vit_backbone(const Config& bc) {
  int64_t h = media::dim(bc, "hidden_size", 192), heads = media::dim(bc, "num_attention_heads", 12);
  int64_t hd = bc.has("head_dim") ? media::dim(bc, "head_dim", 16) : h / heads;
  auto [ih, iw] = media::pair(bc, "pretrain_image_size", 224);
  auto [ph, pw] = media::pair(bc, "patch_size", 16);
  auto emb = make("LwDetrViTEmbeddings");
  if (bc.b("use_absolute_position_embeddings", true)) emb->param("position_embeddings", {1, (ih / ph) * (iw / pw) + 1, h});
  emb->add("projection", conv2d(media::dim(bc, "num_channels", 3), h, ph, pw));
  bool qkv = bc.b("qkv_bias", true);
  auto attn = make("LwDetrViTAttention");
  attn->add("q_proj", linear(h, heads * hd, qkv));
  attn->add("k_proj", linear(h, heads * hd, false));
  attn->add("v_proj", linear(h, heads * hd, qkv));
  attn->add("o_proj", linear(heads * hd, h));
  auto hidden = static_cast<int64_t>(static_cast<double>(h) * bc.f("mlp_ratio", 4));
  media::require(bc, hidden >= 1 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto mlp = make("LwDetrViTMlp");
  mlp->add("fc1", linear(h, hidden));
  mlp->add("act", leaf(act_class(bc.s("hidden_act", "gelu"))));
  mlp->add("fc2", linear(hidden, h));
  mlp->add("drop", leaf("Dropout"));
  auto l = make("LwDetrViTLayer");
  l->param("gamma_1", {h}).param("gamma_2", {h});
  l->add("attention", attn);
  l->add("intermediate", mlp);
  l->add("layernorm_before", layer_norm(h));
  l->add("layernorm_after", layer_norm(h));
  auto enc = make("LwDetrViTEncoder");
  enc->add("layer", repeat(l, media::count(bc, "num_hidden_layers", 10)));
  auto m = make("LwDetrViTBackbone");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  return m;
}

ModulePtr conv_encoder(const Config& c, const Variant& v) {
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", v.rf ? "rf_detr_dinov2" : "lw_detr_vit"}},
                            v.rf ? "rf_detr_dinov2" : "lw_detr_vit");
  int64_t w = media::dim(bc.c, "hidden_size", v.rf ? 384 : 192);
  auto levels = static_cast<int64_t>(media::dims(bc.c, "out_indices", {}, 0).size());
  auto e = make(v.p + "ConvEncoder");
  if (v.rf) {  // RfDetrDinov2Backbone holds Dinov2Backbone's tree
    Json j = bc.c.raw();
    j["model_type"] = "dinov2";
    SubConfig dc = make_config(Json::object(), j, "dinov2");
    e->add("backbone", auto_class(dc.c, "Dinov2Backbone").root);
    e->add("projector", scale_projector(c, v, w, levels, 1.0));
    return e;
  }
  e->add("backbone", vit_backbone(bc.c));
  auto ms = make("LwDetrMultiScaleProjector");
  auto scales = make("ModuleList");
  if (auto it = c.raw().find("projector_scale_factors"); it != c.raw().end() && it->is_array()) {
    media::require(c, it->size() <= 8, "too many projector_scale_factors");
    for (size_t i = 0; i < it->size(); ++i)
      scales->add(std::to_string(i),
                  scale_projector(c, v, w, levels, (*it)[i].is_number() ? (*it)[i].get<double>() : 1.0));
  }
  ms->add("scale_layers", scales);
  e->add("projector", ms);
  return e;
}

ModulePtr decoder_layer(const Config& c, const Variant& v) {
  int64_t d = media::dim(c, "d_model", 256), sh = media::dim(c, "decoder_self_attention_heads", 8);
  int64_t ch = media::dim(c, "decoder_cross_attention_heads", 16), points = media::dim(c, "decoder_n_points", 4);
  int64_t levels = media::count(c, "num_feature_levels", 1), hd = c.has("head_dim") ? media::dim(c, "head_dim", 32) : d / sh;
  bool bias = c.b("attention_bias", true);
  auto self = make(v.p + "Attention");
  self->add("q_proj", linear(d, sh * hd, bias));
  self->add("k_proj", linear(d, sh * hd, bias));
  self->add("v_proj", linear(d, sh * hd, bias));
  self->add("o_proj", linear(sh * hd, d, bias));
  auto da = rt_detr::deformable_attention(v.p, d, ch, levels, points);
  int64_t ffn = media::dim(c, "decoder_ffn_dim", 2048);
  auto mlp = make(v.p + "MLP");
  mlp->add("activation_fn", leaf(act_class(c.s("decoder_activation_function", "relu"))));
  mlp->add("fc1", linear(d, ffn));
  mlp->add("fc2", linear(ffn, d));
  auto l = make(v.p + "DecoderLayer");
  l->add("self_attn", self);
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("cross_attn", da);
  l->add("cross_attn_layer_norm", layer_norm(d));
  l->add("mlp", mlp);
  l->add("layer_norm", layer_norm(d));
  return l;
}

Model build(const Config& c, std::string_view cls, const Variant& v) {
  if (cls != v.p + "Model") heads::unsupported(cls);
  int64_t d = media::dim(c, "d_model", 256), g = media::dim(c, "group_detr", 13);
  int64_t q = media::dim(c, "num_queries", 300) * g, labels = heads::num_labels(c);
  media::require(c, g <= 256 && q <= media::kMaxDim, "group_detr / num_queries out of range");
  auto dec = make(v.p + "Decoder");
  dec->add("layers", repeat(decoder_layer(c, v), media::count(c, "decoder_layers", 3)));
  dec->add("layernorm", layer_norm(d));
  dec->add("ref_point_head", rt_detr::prediction_head(v.p, 2 * d, d, d, 2));
  auto m = make(v.p + "Model");
  m->add("backbone", conv_encoder(c, v));
  m->add("reference_point_embed", embedding(q, 4));
  m->add("query_feat", embedding(q, d));
  m->add("decoder", dec);
  m->add("enc_output", repeat(linear(d, d), g));
  m->add("enc_output_norm", repeat(layer_norm(d), g));
  m->add("enc_out_bbox_embed", repeat(rt_detr::prediction_head(v.p, d, d, 4, 3), g));
  m->add("enc_out_class_embed", repeat(linear(d, labels), g));
  return {m, {v.p + "ConvEncoder", v.p + "DecoderLayer"}};
}

MEMFIT_FAMILY({"lw_detr"}, "LwDetr", [](const Config& c, std::string_view cls) { return build(c, cls, {"LwDetr", false}); });
MEMFIT_FAMILY({"rf_detr"}, "RfDetr", [](const Config& c, std::string_view cls) { return build(c, cls, {"RfDetr", true}); });

}  // namespace
}  // namespace memfit
