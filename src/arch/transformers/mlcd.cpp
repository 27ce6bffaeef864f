// MLCD's vision tower (mlcd_vision_model): transformers' modeling_mlcd.py. CLIP's vision tree without learned
// positions: a class embedding and a bias-free patch conv, pre/post LayerNorms around CLIP-style encoder layers,
// a 2D rotary embedding (inv_freq over half the head dimension) and a learned class_pos_emb.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr mlcd_vision_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1664), heads = media::dim(c, "num_attention_heads", 16);
  int64_t inter = media::dim(c, "intermediate_size", 8192), patch = media::dim(c, "patch_size", 14);
  int64_t side = media::dim(c, "image_size", 336) / patch;
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  media::require(c, side <= 4096, "image_size / patch_size too large");
  int64_t rot = h / heads / 2;
  auto emb = make("MLCDVisionEmbeddings");
  emb->param("class_embedding", {h});
  emb->add("patch_embedding", conv2d(media::dim(c, "num_channels", 3), h, patch, false));
  emb->buffer("position_ids", {1, side * side + 1}, DType::I64, false);
  auto mlp = make("MLCDMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto layer = make("MLCDEncoderLayer");
  layer->add("self_attn", media::kvq_attention("MLCDAttention", h));
  layer->add("layer_norm1", layer_norm(h));
  layer->add("mlp", mlp);
  layer->add("layer_norm2", layer_norm(h));
  auto enc = make("MLCDEncoder");
  enc->add("layers", repeat(layer, media::count(c, "num_hidden_layers", 48)));
  auto rope = make("MLCDRotaryEmbedding");
  rope->buffer("inv_freq", {(rot + 1) / 2}, DType::F32, false);
  auto m = make("MLCDVisionModel");
  m->add("embeddings", emb);
  m->add("pre_layrnorm", layer_norm(h));
  m->add("encoder", enc);
  m->add("post_layernorm", layer_norm(h));
  m->add("vision_rotary_embedding", rope);
  m->param("class_pos_emb", {1, rot});
  return m;
}

MEMFIT_FAMILY({"mlcd_vision_model"}, "MLCDVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "MLCDVisionModel") heads::unsupported(cls);
  return {mlcd_vision_model(c), {"MLCDEncoderLayer"}};
}, "MLCDVisionModel");

}  // namespace
}  // namespace memfit
