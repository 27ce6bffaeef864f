// AIMv2: transformers' modeling_aimv2.py. A vision tower (patch conv + RMSNorm + learned positions unless native,
// encoder layers of bias-optional k/v/q/out attention and a gated SiLU MLP behind RMSNorms, a final RMSNorm and an
// attention-pooling head), a CLIP-like text tower, and bias-free projections with a logit scale (Aimv2Model).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::vector<std::string> kNoSplit{"Aimv2EncoderLayer", "Aimv2AttentionPoolingHead", "Aimv2VisionEmbeddings",
                                        "Aimv2TextEmbeddings"};

ModulePtr encoder(const Config& c, int64_t h) {
  bool qkv_bias = c.b("qkv_bias", false), mlp_bias = c.b("mlp_bias", false);
  auto attn = make("Aimv2Attention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(h, h, qkv_bias));
  auto layer = make("Aimv2EncoderLayer");
  layer->add("attention", attn);
  layer->add("ffn", gated_mlp("Aimv2MLP", h, media::dim(c, "intermediate_size", 2816), mlp_bias,
                              act_class(c.s("hidden_act", "silu"))));
  layer->add("rms_norm1", rms_norm("Aimv2RMSNorm", h));
  layer->add("rms_norm2", rms_norm("Aimv2RMSNorm", h));
  auto e = make("Aimv2Encoder");
  e->add("layers", repeat(layer, media::count(c, "num_hidden_layers", 24)));
  return e;
}

ModulePtr vision_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1024), patch = media::dim(c, "patch_size", 14);
  int64_t side = media::dim(c, "image_size", 224) / patch;
  media::require(c, side <= 4096, "image_size / patch_size too large");
  auto emb = make("Aimv2VisionEmbeddings");
  emb->add("patch_embed", conv2d(media::dim(c, "num_channels", 3), h, patch));
  emb->add("rms_norm", rms_norm("Aimv2RMSNorm", h));
  if (!c.b("is_native", false)) emb->add("position_embedding", embedding(side * side, h));
  emb->buffer("position_ids", {1, side * side}, DType::I64, false);
  auto m = make("Aimv2VisionModel");
  m->add("embeddings", emb);
  m->add("encoder", encoder(c, h));
  m->add("rms_norm", rms_norm("Aimv2RMSNorm", h));
  if (c.b("use_head", true)) {
    bool qkv_bias = c.b("qkv_bias", false);
    auto head = make("Aimv2AttentionPoolingHead");
    head->add("k_proj", linear(h, h, qkv_bias));
    head->add("v_proj", linear(h, h, qkv_bias));
    head->param("cls_token", {1, 1, h});
    head->add("output_proj", linear(h, h));
    m->add("head", head);
  }
  return m;
}

ModulePtr text_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768), pos = media::dim(c, "max_position_embeddings", 77);
  auto emb = make("Aimv2TextEmbeddings");
  emb->add("token_embedding", embedding(media::dim(c, "vocab_size", 49408), h));
  emb->add("position_embedding", embedding(pos, h));
  emb->buffer("position_ids", {1, pos}, DType::I64, false);
  auto m = make("Aimv2TextModel");
  m->add("embeddings", emb);
  m->add("encoder", encoder(c, h));
  m->add("rms_norm", rms_norm("Aimv2RMSNorm", h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls == "Aimv2VisionModel") return {vision_model(c), kNoSplit};
  if (cls == "Aimv2TextModel") return {text_model(c), kNoSplit};
  if (cls != "Aimv2Model") heads::unsupported(cls);
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "aimv2_vision_model");
  SubConfig tc = sub_config(c, "text_config", Json::object(), "aimv2_text_model");
  int64_t proj = media::dim(c, "projection_dim", 512);
  auto m = make("Aimv2Model");
  m->add("vision_model", vision_model(vc.c));
  m->add("text_model", text_model(tc.c));
  m->add("visual_projection", linear(media::dim(vc.c, "hidden_size", 1024), proj, false));
  m->add("text_projection", linear(media::dim(tc.c, "hidden_size", 768), proj, false));
  m->param("logit_scale", {});
  return {m, kNoSplit};
}

MEMFIT_FAMILY({"aimv2"}, "Aimv2", build);
MEMFIT_FAMILY({"aimv2_vision_model"}, "Aimv2Vision", build, "Aimv2VisionModel");
MEMFIT_FAMILY({"aimv2_text_model"}, "Aimv2Text", build, "Aimv2TextModel");

}  // namespace
}  // namespace memfit
