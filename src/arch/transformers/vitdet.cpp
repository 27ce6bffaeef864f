// ViTDet: transformers' modeling_vitdet.py. A plain ViT (fused qkv attention, optional decomposed relative position
// tables, windowed or global per layer, optional residual bottleneck blocks) with absolute positions sized for the
// pretraining image; VitDetBackbone is the same tree.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

bool contains(const std::vector<int64_t>& v, int64_t i) { return std::find(v.begin(), v.end(), i) != v.end(); }

ModulePtr vitdet_layer(const Config& c, int64_t dim, int64_t heads, int64_t window, bool residual, bool dp) {
  auto [ih, iw] = media::pair(c, "image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  int64_t in_h = window == 0 ? ih / ph : window, in_w = window == 0 ? iw / pw : window;
  auto attn = make("VitDetAttention");
  attn->add("qkv", linear(dim, 3 * dim, c.b("qkv_bias", true)));
  attn->add("proj", linear(dim, dim));
  if (c.b("use_relative_position_embeddings", false))
    attn->param("rel_pos_h", {2 * in_h - 1, dim / heads}).param("rel_pos_w", {2 * in_w - 1, dim / heads});
  std::string act = act_class(c.s("hidden_act", "gelu"));
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * c.f("mlp_ratio", 4));
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto mlp = make("VitDetMlp");
  mlp->add("fc1", linear(dim, hidden));
  mlp->add("act", leaf(act));
  mlp->add("fc2", linear(hidden, dim));
  mlp->add("drop", leaf("Dropout"));
  auto l = make("VitDetLayer");
  l->add("norm1", layer_norm(dim));
  l->add("attention", attn);
  l->add("drop_path", leaf(dp ? "VitDetDropPath" : "Identity"));
  l->add("norm2", layer_norm(dim));
  l->add("mlp", mlp);
  if (residual) {
    int64_t b = dim / 2;
    auto r = make("VitDetResBottleneckBlock");
    r->add("conv1", conv2d(dim, b, 1, false));
    r->add("norm1", layer_norm(b, true, "VitDetLayerNorm"));
    r->add("act1", leaf(act));
    r->add("conv2", conv2d(b, b, 3, false));
    r->add("norm2", layer_norm(b, true, "VitDetLayerNorm"));
    r->add("act2", leaf(act));
    r->add("conv3", conv2d(b, dim, 1, false));
    r->add("norm3", layer_norm(dim, true, "VitDetLayerNorm"));
    l->add("residual", r);
  }
  return l;
}

ModulePtr vitdet_model(const Config& c, std::string cls) {
  int64_t h = media::dim(c, "hidden_size", 768), heads = media::dim(c, "num_attention_heads", 12);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  auto [pih, piw] = media::pair(c, "pretrain_image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  auto emb = make("VitDetEmbeddings");
  if (c.b("use_absolute_position_embeddings", true))
    emb->param("position_embeddings", {1, (pih / ph) * (piw / pw) + 1, h});
  emb->add("projection", conv2d(media::dim(c, "num_channels", 3), h, ph, pw));

  int64_t n = media::count(c, "num_hidden_layers", 12), window = media::count(c, "window_size", 0);
  auto windowed = media::dims(c, "window_block_indices", {}, 0);
  auto residual = media::dims(c, "residual_block_indices", {}, 0);
  bool dp = c.f("drop_path_rate", 0) > 0;  // linear from 0: layer 0 keeps an Identity
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i)
    layers.push_back(vitdet_layer(c, h, heads, contains(windowed, i) ? window : 0, contains(residual, i), dp && i > 0));
  auto enc = make("VitDetEncoder");
  enc->add("layer", module_list(layers));
  auto m = make(std::move(cls));
  m->add("embeddings", emb);
  m->add("encoder", enc);
  return m;
}

MEMFIT_FAMILY({"vitdet"}, "VitDet", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "VitDetModel" && cls != "VitDetBackbone") heads::unsupported(cls);
  return {vitdet_model(c, std::string(cls)), {}};
});

}  // namespace
}  // namespace memfit
