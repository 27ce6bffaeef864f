// Data2VecVision: transformers' modeling_data2vec_vision.py, BEiT's tree in the transformers 4 layout
// (encoder.layer.N.attention.attention.query, key without bias, layer-scale lambdas, relative position bias tables
// per layer or shared in the encoder). AutoModel builds it without the pooler.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vit_v4.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string P = "Data2VecVision";

// <P>RelativePositionBias: a (2Wh-1)(2Ww-1)+3 by heads table over the patch grid.
ModulePtr position_bias(const Config& c, int64_t heads) {
  auto [ih, iw] = media::pair(c, "image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  media::require(c, ih / ph <= 4096 && iw / pw <= 4096, "patch grid too large");
  auto m = make(P + "RelativePositionBias");
  m->param("relative_position_bias_table", {(2 * (ih / ph) - 1) * (2 * (iw / pw) - 1) + 3, heads});
  return m;
}

// The transformers 4 ViT layer with BEiT's changes: a bias-free key, an optional relative position bias table in the
// self-attention, stochastic depth and layer-scale lambdas.
ModulePtr layer(const Config& c, int64_t h, int64_t heads, bool drop_path) {
  auto l = vit_v4_layer(c, P, P + "SdpaSelfAttention", h);
  auto self = l->child("attention")->child("attention");
  for (auto& [name, child] : self->children)
    if (name == "key") child = linear(h, h, false);
  if (c.b("use_relative_position_bias", false)) self->add("relative_position_bias", position_bias(c, heads));
  l->add("drop_path", leaf(drop_path ? P + "DropPath" : "Identity"));
  if (c.f("layer_scale_init_value", 0.1) > 0) l->param("lambda_1", {h}).param("lambda_2", {h});
  return l;
}

ModulePtr model(const Config& c, bool pooler) {
  int64_t h = media::dim(c, "hidden_size", 768), heads = media::dim(c, "num_attention_heads", 12);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  auto [ih, iw] = media::pair(c, "image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  auto pe = make(P + "PatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, ph, pw));
  auto emb = make(P + "Embeddings");
  emb->param("cls_token", {1, 1, h});
  if (c.b("use_mask_token", false)) emb->param("mask_token", {1, 1, h});
  emb->add("patch_embeddings", pe);
  if (c.b("use_absolute_position_embeddings", false))
    emb->param("position_embeddings", {1, (ih / ph) * (iw / pw) + 1, h});
  emb->add("dropout", leaf("Dropout"));

  // Stochastic depth grows linearly from 0: only layer 0 keeps an Identity.
  int64_t n = media::count(c, "num_hidden_layers", 12);
  auto plain = layer(c, h, heads, c.f("drop_path_rate", 0.1) > 0), first = layer(c, h, heads, false);
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i) layers.push_back(i == 0 ? first : plain);
  auto enc = make(P + "Encoder");
  if (c.b("use_shared_relative_position_bias", false)) enc->add("relative_position_bias", position_bias(c, heads));
  enc->add("layer", module_list(layers));

  bool mean_pooling = c.b("use_mean_pooling", true);
  auto m = make(P + "Model");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", mean_pooling ? leaf("Identity") : layer_norm(h));
  if (pooler) {
    auto p = make(P + "Pooler");
    if (mean_pooling) p->add("layernorm", layer_norm(h));
    m->add("pooler", p);
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{P + "Layer"};
  if (cls == P + "Model") return {model(c, false), no_split};
  if (cls == P + "ForImageClassification") {
    auto root = make(std::string(cls));
    root->add("data2vec_vision", model(c, true));
    root->add("classifier", media::linear_or_identity(media::dim(c, "hidden_size", 768), heads::num_labels(c)));
    return {root, no_split};
  }
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"data2vec-vision"}, "Data2VecVision", build);

}  // namespace
}  // namespace memfit
