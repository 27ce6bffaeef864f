// OmDet-Turbo: transformers' modeling_omdet_turbo.py (OmDetTurboForObjectDetection, what AutoModel builds). The
// vision backbone: AutoBackbone of a timm backbone_config (TimmBackbone: timm's features_only network of
// `backbone` with its img_size / always_partition arguments) and a LayerNorm per encoder level; the language
// backbone: AutoModel of text_config (CLIPTextModel) and a text projection matrix; the hybrid encoder (1x1 conv + BN
// channel projections, transformer encoders on encoder_projection_indices, FPN / PAN of conv-norm layers and CSP
// RepVGG blocks); the decoder (conv + BN projections, the task encoder MLP, deformable decoder layers, query position,
// encoder and per-layer class / box heads).
#include "arch/blocks.h"
#include "arch/transformers/auto_class.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/rt_detr.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "OmDetTurbo";

ModulePtr conv_norm(int64_t in, int64_t out, int64_t k, const std::string& act) {
  auto l = make(kP + "ConvNormLayer");
  l->add("conv", conv2d(in, out, k, false));
  l->add("norm", batch_norm(out));
  l->add("activation", leaf(act.empty() ? "Identity" : act_class(act)));
  return l;
}

ModulePtr proj(int64_t in, int64_t out) { return module_list({conv2d(in, out, 1, false), batch_norm(out)}, "Sequential"); }

ModulePtr attention(int64_t h, int64_t heads, const Config& c) {
  media::divisible(c, h, heads, "hidden size / attention heads");
  auto a = make(kP + "MultiheadAttention");
  for (const char* n : {"query", "key", "value", "out_proj"}) a->add(n, linear(h, h));
  a->add("dropout", leaf("Dropout"));
  return a;
}

ModulePtr vision_backbone(const Config& c) {
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "timm_backbone"}}, "timm_backbone");
  std::string arch = bc.c.s("backbone", "swin_tiny_patch4_window7_224");
  if (bc.c.s("model_type", "timm_backbone") != "timm_backbone")
    heads::unsupported(kP + "ForObjectDetection with a " + bc.c.s("model_type", "") + " backbone");
  Json args = Json::object();
  for (const char* k : {"img_size", "always_partition"})
    if (auto it = bc.c.raw().find(k); it != bc.c.raw().end() && !it->is_null()) args[k] = *it;
  auto built = build_timm({{"architecture", arch}, {"num_classes", 0}, {"model_args", args}}, arch);
  if (!built) heads::unsupported(kP + " backbone timm `" + arch + "`: " + built.error().message);
  auto tb = make("TimmBackbone");
  tb->add("_backbone", bc.c.b("features_only", true) ? timm_features_only(built->model.root, arch) : built->model.root);
  auto norms = make("ModuleList");
  auto in = media::dims(c, "encoder_in_channels", {192, 384, 768});
  for (size_t i = 0; i < in.size(); ++i) norms->add(std::to_string(i), layer_norm(in[i]));
  auto v = make(kP + "VisionBackbone");
  v->add("vision_backbone", tb);
  v->add("layer_norms", norms);
  return v;
}

ModulePtr hybrid_encoder(const Config& c) {
  int64_t h = media::dim(c, "d_model", 256);
  auto in = media::dims(c, "encoder_in_channels", {192, 384, 768});
  media::require(c, !in.empty(), "encoder_in_channels is empty");
  std::string csp_act = c.s("csp_activation", "silu"), conv_act = c.s("conv_norm_activation", "gelu");
  auto layer = make(kP + "EncoderLayer");
  layer->add("self_attn", attention(h, media::dim(c, "encoder_attention_heads", 8), c));
  layer->add("self_attn_layer_norm", layer_norm(h));
  layer->add("dropout", leaf("Dropout"));
  layer->add("activation_fn", leaf(act_class(c.s("encoder_feedforward_activation", "relu"))));
  layer->add("encoder_feedforward_dropout", leaf("Dropout"));
  layer->add("fc1", linear(h, media::dim(c, "encoder_dim_feedforward", 2048)));
  layer->add("fc2", linear(media::dim(c, "encoder_dim_feedforward", 2048), h));
  layer->add("final_layer_norm", layer_norm(h));
  auto enc = make(kP + "Encoder");
  enc->add("layers", repeat(layer, media::count(c, "encoder_layers", 1)));
  auto hc = static_cast<int64_t>(static_cast<double>(h) * c.f("hidden_expansion", 1.0));
  media::require(c, hc >= 1 && hc <= media::kMaxDim, "hidden_expansion out of range");
  auto rep = make(kP + "RepVggBlock");
  rep->add("conv1", conv_norm(hc, hc, 3, ""));
  rep->add("conv2", conv_norm(hc, hc, 1, ""));
  rep->add("activation", leaf(act_class(csp_act)));
  auto cspl = make(kP + "CSPRepLayer");
  cspl->add("conv1", conv_norm(2 * h, hc, 1, csp_act));
  cspl->add("conv2", conv_norm(2 * h, hc, 1, csp_act));
  cspl->add("bottlenecks", repeat(rep, 3, "Sequential"));
  cspl->add("conv3", hc != h ? conv_norm(hc, h, 1, csp_act) : leaf("Identity"));
  auto projs = make("ModuleList");
  for (size_t i = 0; i < in.size(); ++i) projs->add(std::to_string(i), proj(in[i], h));
  auto n = static_cast<int64_t>(in.size()) - 1;
  auto e = make(kP + "HybridEncoder");
  e->add("channel_projection_layers", projs);
  e->add("encoder", repeat(enc, static_cast<int64_t>(media::dims(c, "encoder_projection_indices", {2}, 0).size())));
  e->add("lateral_convs", repeat(conv_norm(h, h, 1, conv_act), n));
  e->add("fpn_blocks", repeat(cspl, n));
  e->add("downsample_convs", repeat(conv_norm(h, h, 3, conv_act), n));
  e->add("pan_blocks", repeat(cspl, n));
  return e;
}

ModulePtr decoder(const Config& c) {
  int64_t h = media::dim(c, "decoder_hidden_dim", 256), ce = media::dim(c, "class_embed_dim", 512);
  int64_t heads = media::dim(c, "decoder_num_heads", 8), layers = media::count(c, "decoder_num_layers", 6);
  int64_t levels = media::count(c, "num_feature_levels", 3), points = media::dim(c, "decoder_num_points", 4);
  int64_t ffn = media::dim(c, "decoder_dim_feedforward", 2048), d = media::dim(c, "d_model", 256);
  std::string act = act_class(c.s("decoder_activation", "relu"));
  auto projs = make("ModuleList");
  auto vf = media::dims(c, "vision_features_channels", {256, 256, 256});
  for (size_t i = 0; i < vf.size(); ++i) projs->add(std::to_string(i), proj(vf[i], h));
  auto mlp = make(kP + "MLPWithDropout");
  mlp->add("linear1", linear(ce, media::dim(c, "task_encoder_hidden_dim", 1024)));
  mlp->add("activation", leaf(act));
  mlp->add("dropout", leaf("Dropout"));
  mlp->add("linear2", linear(media::dim(c, "task_encoder_hidden_dim", 1024), ce));
  auto res = make(kP + "ResidualLayer");
  res->add("norm1", layer_norm(ce));
  res->add("dropout", leaf("Dropout"));
  auto task = make(kP + "TaskEncoder");
  task->add("mlp", mlp);
  task->add("res1", res);
  auto da = rt_detr::deformable_attention(kP, d, heads, levels, points);
  auto l = make(kP + "DeformableTransformerDecoderLayer");
  l->add("self_attn", attention(h, heads, c));
  l->add("dropout1", leaf("Dropout"));
  l->add("norm1", layer_norm(h));
  l->add("cross_attn", da);
  l->add("dropout2", leaf("Dropout"));
  l->add("norm2", layer_norm(h));
  l->add("linear1", linear(h, ffn));
  l->add("act", leaf(act));
  l->add("dropout3", leaf("Dropout"));
  l->add("linear2", linear(ffn, h));
  l->add("dropout4", leaf("Dropout"));
  l->add("norm3", layer_norm(h));
  auto dec = make(kP + "Decoder");
  dec->add("channel_projection_layers", projs);
  dec->add("task_encoder", task);
  if (ce != h) dec->add("task_project", linear(ce, h));
  dec->add("layers", repeat(l, layers));
  if (c.b("learn_initial_query", false)) dec->add("tgt_embed", embedding(media::dim(c, "num_queries", 900), h));
  dec->add("query_position_head", rt_detr::prediction_head(kP, 4, 2 * h, h, 2));
  dec->add("encoder_vision_features", module_list({linear(h, h), layer_norm(h)}, "Sequential"));
  dec->add("encoder_class_head", linear(ce, h));
  dec->add("encoder_bbox_head", rt_detr::prediction_head(kP, h, h, 4, 3));
  dec->add("decoder_class_head", repeat(linear(ce, h), layers));
  dec->add("decoder_bbox_head", repeat(rt_detr::prediction_head(kP, h, h, 4, 3), layers));
  return dec;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != kP + "ForObjectDetection") heads::unsupported(cls);
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "clip_text_model"}}, "clip_text_model");
  auto lang = make(kP + "LanguageBackbone");
  lang->add("model", auto_model(tc.c).root);
  lang->param("text_projection", {media::dim(c, "text_projection_in_dim", 512), media::dim(c, "text_projection_out_dim", 512)});
  auto m = make(kP + "ForObjectDetection");
  m->add("vision_backbone", vision_backbone(c));
  m->add("language_backbone", lang);
  m->add("encoder", hybrid_encoder(c));
  m->add("decoder", decoder(c));
  return {m, {}};
}

MEMFIT_FAMILY({"omdet-turbo"}, "OmDetTurbo", build, "OmDetTurboForObjectDetection");

}  // namespace
}  // namespace memfit
