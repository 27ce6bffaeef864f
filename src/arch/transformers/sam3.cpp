// SAM 3's detector: transformers' modeling_sam3.py (Sam3Model) and modeling_sam3_lite_text.py (Sam3LiteTextModel,
// the same detector with the RepMixer text encoder). The vision encoder is AutoModel of vision_config
// (Sam3VisionModel); the text encoder is CLIPTextModelWithProjection (Sam3LiteTextTextModel) of text_config, then a
// text projection; a geometry encoder (box embeddings, an ROI-pool conv, attention layers), a DETR encoder (self +
// cross attention layers), a DETR decoder (self, text-cross and vision-cross attention layers, box / presence /
// reference-point / box-RPB MLPs, query and reference tables), a mask decoder (conv + GroupNorm pixel decoder, query
// MLP, projections, prompt cross-attention) and the dot-product scoring MLPs.
#include "arch/blocks.h"
#include "arch/transformers/auto_class.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(const std::string& p, int64_t h) {
  auto a = make(p + "Attention");
  for (const char* n : {"q_proj", "k_proj", "v_proj", "o_proj"}) a->add(n, linear(h, h));
  return a;
}

ModulePtr mlp(const std::string& p, const Config& c, int64_t h) {
  auto m = make(p + "MLP");
  m->add("activation_fn", leaf(act_class(c.s("hidden_act", "relu"))));
  m->add("fc1", linear(h, media::dim(c, "intermediate_size", 2048)));
  m->add("fc2", linear(media::dim(c, "intermediate_size", 2048), h));
  m->add("dropout", leaf("Dropout"));
  return m;
}

// <p>DecoderMLP: layer1, layer2 (and layer3 for three layers).
ModulePtr decoder_mlp(const std::string& p, int64_t in, int64_t hidden, int64_t out, int layers) {
  auto m = make(p + "DecoderMLP");
  m->add("layer1", linear(in, hidden));
  m->add("layer2", linear(hidden, layers == 3 ? hidden : out));
  if (layers == 3) m->add("layer3", linear(hidden, out));
  return m;
}

// The geometry-encoder and DETR-encoder layer: norm, self-attention, cross-attention, norm, MLP, norm.
ModulePtr encoder_layer(const std::string& cls, const std::string& p, const Config& c, int64_t h) {
  auto l = make(cls);
  l->add("layer_norm1", layer_norm(h));
  l->add("self_attn", attention(p, h));
  l->add("dropout", leaf("Dropout"));
  l->add("cross_attn", attention(p, h));
  l->add("layer_norm2", layer_norm(h));
  l->add("mlp", mlp(p, c, h));
  l->add("layer_norm3", layer_norm(h));
  return l;
}

ModulePtr geometry_encoder(const std::string& p, const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 256), roi = media::dim(c, "roi_size", 7);
  media::require(c, roi <= 64, "roi_size out of range");
  auto g = make(p + "GeometryEncoder");
  g->add("position_encoding", leaf(p + "SinePositionEmbedding"));
  g->add("label_embed", embedding(2, h));
  g->add("cls_embed", embedding(1, h));
  g->add("boxes_direct_project", linear(4, h));
  g->add("boxes_pool_project", conv2d(h, h, roi));
  g->add("boxes_pos_enc_project", linear(h + 2, h));
  g->add("vision_layer_norm", layer_norm(h));
  g->add("final_proj", linear(h, h));
  g->add("prompt_layer_norm", layer_norm(h));
  g->add("layers", repeat(encoder_layer(p + "GeometryEncoderLayer", p, c, h), media::count(c, "num_layers", 3)));
  g->add("output_layer_norm", layer_norm(h));
  return g;
}

ModulePtr detr_decoder(const std::string& p, const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 256), q = media::dim(c, "num_queries", 200);
  auto l = make(p + "DetrDecoderLayer");
  for (std::string n : {"self_attn", "text_cross_attn", "vision_cross_attn"}) {
    l->add(n, attention(p, h));
    l->add(n + "_dropout", leaf("Dropout"));
    l->add(n + "_layer_norm", layer_norm(h));
  }
  l->add("mlp", mlp(p, c, h));
  l->add("mlp_layer_norm", layer_norm(h));
  l->add("mlp_dropout", leaf("Dropout"));
  auto d = make(p + "DetrDecoder");
  d->add("layers", repeat(l, media::count(c, "num_layers", 6)));
  d->add("output_layer_norm", layer_norm(h));
  d->add("box_head", decoder_mlp(p, h, h, 4, 3));
  d->add("query_embed", embedding(q, h));
  d->add("reference_points", embedding(q, 4));
  d->add("presence_token", embedding(1, h));
  d->add("presence_head", decoder_mlp(p, h, h, 1, 3));
  d->add("presence_layer_norm", layer_norm(h));
  d->add("ref_point_head", decoder_mlp(p, 2 * h, h, h, 2));
  int64_t heads = media::dim(c, "num_attention_heads", 8);
  d->add("box_rpb_embed_x", decoder_mlp(p, 2, h, heads, 2));
  d->add("box_rpb_embed_y", decoder_mlp(p, 2, h, heads, 2));
  d->add("position_encoding", leaf(p + "SinePositionEmbedding"));
  return d;
}

ModulePtr mask_decoder(const std::string& p, const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 256), n = media::count(c, "num_upsampling_stages", 3);
  auto pix = make(p + "PixelDecoder");
  pix->add("conv_layers", repeat(conv2d(h, h, 3), n));
  pix->add("norms", repeat(layer_norm(h, true, "GroupNorm"), n));
  auto emb = make(p + "MaskEmbedder");
  emb->add("layers", repeat(linear(h, h), 3));
  emb->add("activation", leaf("ReLU"));
  auto m = make(p + "MaskDecoder");
  m->add("pixel_decoder", pix);
  m->add("mask_embedder", emb);
  m->add("instance_projection", conv2d(h, h, 1));
  m->add("semantic_projection", conv2d(h, 1, 1));
  m->add("prompt_cross_attn", attention(p, h));
  m->add("prompt_cross_attn_norm", layer_norm(h));
  m->add("prompt_cross_attn_dropout", leaf("Dropout"));
  return m;
}

Model detector(const Config& c, std::string_view cls, const std::string& p, bool lite) {
  if (cls != p + "Model") heads::unsupported(cls);
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "sam3_vision_model"}}, "sam3_vision_model");
  const char* text_type = lite ? "sam3_lite_text_text_model" : "clip_text_model";
  SubConfig tc = sub_config(c, "text_config", {{"model_type", text_type}}, text_type);
  SubConfig gc = sub_config(c, "geometry_encoder_config", Json::object(), "sam3_geometry_encoder");
  SubConfig ec = sub_config(c, "detr_encoder_config", Json::object(), "sam3_detr_encoder");
  SubConfig dc = sub_config(c, "detr_decoder_config", Json::object(), "sam3_detr_decoder");
  SubConfig mc = sub_config(c, "mask_decoder_config", Json::object(), "sam3_mask_decoder");
  Model vision = auto_model(vc.c);
  Model text = lite ? auto_model(tc.c) : auto_class(tc.c, "CLIPTextModelWithProjection");
  int64_t eh = media::dim(ec.c, "hidden_size", 256), dh = media::dim(dc.c, "hidden_size", 256);
  auto dot = make(p + "DotProductScoring");
  dot->add("text_mlp", decoder_mlp(p, dh, media::dim(dc.c, "intermediate_size", 2048), dh, 2));
  dot->add("text_mlp_dropout", leaf("Dropout"));
  dot->add("text_mlp_out_norm", layer_norm(dh));
  dot->add("text_proj", linear(dh, dh));
  dot->add("query_proj", linear(dh, dh));
  auto enc = make(p + "DetrEncoder");
  enc->add("layers", repeat(encoder_layer(p + "DetrEncoderLayer", p, ec.c, eh), media::count(ec.c, "num_layers", 6)));
  auto m = make(std::string(cls));
  m->add("vision_encoder", vision.root);
  m->add("text_encoder", text.root);
  m->add("text_projection", linear(media::dim(tc.c, "hidden_size", 512), eh));
  m->add("geometry_encoder", geometry_encoder(p, gc.c));
  m->add("detr_encoder", enc);
  m->add("detr_decoder", detr_decoder(p, dc.c));
  m->add("mask_decoder", mask_decoder(p, mc.c));
  m->add("dot_product_scoring", dot);
  std::vector<std::string> no_split = vision.no_split;
  merge_no_split(no_split, text.no_split);
  return {m, no_split};
}

MEMFIT_FAMILY({"sam3"}, "Sam3", [](const Config& c, std::string_view cls) { return detector(c, cls, "Sam3", false); });
MEMFIT_FAMILY({"sam3_lite_text"}, "Sam3LiteText",
              [](const Config& c, std::string_view cls) { return detector(c, cls, "Sam3LiteText", true); });

}  // namespace
}  // namespace memfit
