// SAM 3's image encoder: transformers' modeling_sam3.py. Sam3ViTModel (a bias-free patch conv with positions sized
// for pretrain_image_size, layers of LayerNorm + RoPE attention (non-persistent cos/sin tables over the window or
// the full grid) + fc1/fc2 MLP, windowed except global_attn_indexes) and Sam3VisionModel (that backbone plus an FPN
// neck of transposed-conv / pooling scale layers and two projections per scale).
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vit_layer(const Config& c, int64_t h, int64_t heads, int64_t grid) {
  int64_t inter = media::dim(c, "intermediate_size", 4736);
  auto rope = make("Sam3ViTRotaryEmbedding");
  rope->buffer("rope_embeddings_cos", {grid * grid, h / heads}, DType::F32, false);
  rope->buffer("rope_embeddings_sin", {grid * grid, h / heads}, DType::F32, false);
  auto attn = make("Sam3ViTRoPEAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj", "o_proj"}) attn->add(n, linear(h, h));
  auto mlp = make("Sam3MLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  mlp->add("dropout", leaf("Dropout"));
  auto l = make("Sam3ViTLayer");
  l->add("layer_norm1", layer_norm(h));
  l->add("rotary_emb", rope);
  l->add("attention", attn);
  l->add("layer_norm2", layer_norm(h));
  l->add("mlp", mlp);
  l->add("dropout", leaf("Dropout"));
  return l;
}

ModulePtr vit_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1024), heads = media::dim(c, "num_attention_heads", 16);
  int64_t patch = media::dim(c, "patch_size", 14), window = media::count(c, "window_size", 24);
  int64_t grid = media::dim(c, "image_size", 1008) / patch, pre = media::dim(c, "pretrain_image_size", 336) / patch;
  media::divisible(c, h, heads * 4, "hidden_size / (num_attention_heads * 4)");
  media::require(c, grid <= 4096 && pre <= 4096, "image_size / patch_size too large");
  auto pe = make("Sam3ViTPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, patch, false));
  auto emb = make("Sam3ViTEmbeddings");
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, pre * pre, h});
  emb->add("dropout", leaf("Dropout"));
  auto global = media::dims(c, "global_attn_indexes", {7, 15, 23, 31}, 0);
  auto windowed = vit_layer(c, h, heads, window), full = vit_layer(c, h, heads, grid);
  std::vector<ModulePtr> layers;
  for (int64_t i = 0, n = media::count(c, "num_hidden_layers", 32); i < n; ++i)
    layers.push_back(std::find(global.begin(), global.end(), i) != global.end() || window == 0 ? full : windowed);
  auto m = make("Sam3ViTModel");
  m->add("embeddings", emb);
  m->add("layer_norm", layer_norm(h));
  m->add("layers", module_list(layers));
  return m;
}

ModulePtr fpn_layer(const Config& c, int64_t in, int64_t fpn, double scale) {
  auto scales = make("ModuleList");
  int64_t mid = in;
  if (scale == 4.0) {
    scales->add("0", media::conv_transpose2d(in, in / 2, 2));
    scales->add("1", leaf("GELU"));
    scales->add("2", media::conv_transpose2d(in / 2, in / 4, 2));
    mid = in / 4;
  } else if (scale == 2.0) {
    scales->add("0", media::conv_transpose2d(in, in / 2, 2));
    mid = in / 2;
  } else if (scale == 0.5) {
    scales->add("0", leaf("MaxPool2d"));
  } else {
    media::require(c, scale == 1.0, "scale_factors must be 4.0, 2.0, 1.0 or 0.5");
  }
  auto l = make("Sam3FPNLayer");
  l->add("scale_layers", scales);
  l->add("proj1", conv2d(mid, fpn, 1));
  l->add("proj2", conv2d(fpn, fpn, 3));
  return l;
}

ModulePtr vision_model(const Config& c) {
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "sam3_vit_model"}}, "sam3_vit_model");
  if (bc.c.s("model_type", "sam3_vit_model") != "sam3_vit_model")
    heads::unsupported("Sam3VisionModel with a " + bc.c.s("model_type", "") + " backbone");
  int64_t in = media::dim(bc.c, "hidden_size", 1024), fpn = media::dim(c, "fpn_hidden_size", 256);
  auto fpns = make("ModuleList");
  std::vector<double> scales{4.0, 2.0, 1.0, 0.5};
  if (auto it = c.raw().find("scale_factors"); it != c.raw().end() && it->is_array()) {
    scales.clear();
    for (const auto& s : *it) scales.push_back(s.is_number() ? s.get<double>() : -1);
    media::require(c, scales.size() <= 16, "too many scale_factors");
  }
  for (size_t i = 0; i < scales.size(); ++i) fpns->add(std::to_string(i), fpn_layer(c, in, fpn, scales[i]));
  auto neck = make("Sam3VisionNeck");
  neck->add("position_encoding", leaf("Sam3SinePositionEmbedding"));
  neck->add("fpn_layers", fpns);
  auto m = make("Sam3VisionModel");
  m->add("backbone", vit_model(bc.c));
  m->add("neck", neck);
  return m;
}

MEMFIT_FAMILY({"sam3_vit_model"}, "Sam3ViT", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Sam3ViTModel") heads::unsupported(cls);
  return {vit_model(c), {}};
});
MEMFIT_FAMILY({"sam3_vision_model"}, "Sam3Vision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Sam3VisionModel") heads::unsupported(cls);
  return {vision_model(c), {}};
});

}  // namespace
}  // namespace memfit
