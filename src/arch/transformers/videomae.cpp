// VideoMAE: transformers' modeling_videomae.py. ViT's transformers 4 layer (vit_v4.h) over Conv3d tubelet patches
// (tubelet_size frames x patch_size x patch_size). The fixed sin-cos position table is a plain tensor attribute of
// VideoMAEEmbeddings (neither parameter nor buffer: accelerate does not count it); the encoder's final LayerNorm
// exists only without mean pooling, and VideoMAEForVideoClassification then has no fc_norm.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vit_v4.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr videomae_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768), channels = media::dim(c, "num_channels", 3);
  int64_t patch = media::dim(c, "patch_size", 16), tubelet = media::dim(c, "tubelet_size", 2);
  int64_t n = media::count(c, "num_hidden_layers", 12);
  auto conv = make("Conv3d");
  conv->param("weight", {h, channels, tubelet, patch, patch}).param("bias", {h});
  auto pe = make("VideoMAEPatchEmbeddings");
  pe->add("projection", conv);
  auto emb = make("VideoMAEEmbeddings");
  emb->add("patch_embeddings", pe);
  auto enc = make("VideoMAEEncoder");
  enc->add("layer", repeat(vit_v4_layer(c, "VideoMAE", "VideoMAESelfAttention", h), n));
  auto m = make("VideoMAEModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  if (!c.b("use_mean_pooling", true)) m->add("layernorm", layer_norm(h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const std::vector<std::string> no_split{"VideoMAEEmbeddings", "VideoMAELayer"};
  if (cls == "VideoMAEModel") return {videomae_model(c), no_split};
  if (cls == "VideoMAEForVideoClassification") {
    int64_t h = media::dim(c, "hidden_size", 768), labels = heads::num_labels(c);
    auto root = make(std::string(cls));
    root->add("videomae", videomae_model(c));
    if (c.b("use_mean_pooling", true)) root->add("fc_norm", layer_norm(h));
    root->add("classifier", labels > 0 ? linear(h, labels) : leaf("Identity"));
    return {root, no_split};
  }
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"videomae"}, "VideoMAE", build);

}  // namespace
}  // namespace memfit
