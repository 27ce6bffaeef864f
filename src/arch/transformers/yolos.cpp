// YOLOS: transformers' modeling_yolos.py, a ViT in the transformers 4 layout (encoder.layer.N.attention.attention.query)
// with detection tokens after the patches and, optionally, per-layer mid position embeddings in the encoder.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vit_v4.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr yolos_model(const Config& c, bool pooler) {
  int64_t h = media::dim(c, "hidden_size", 768);
  auto [ih, iw] = media::pair(c, "image_size", 224);
  int64_t patch = media::dim(c, "patch_size", 16), dets = media::count(c, "num_detection_tokens", 100);
  int64_t n = media::count(c, "num_hidden_layers", 12);
  media::require(c, ih <= (1 << 16) && iw <= (1 << 16), "image_size too large");
  int64_t seq = 1 + ih * iw / (patch * patch) + dets;
  auto pe = make("YolosPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, patch));
  auto emb = make("YolosEmbeddings");
  emb->param("cls_token", {1, 1, h});
  emb->param("detection_tokens", {1, dets, h});
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, seq, h});
  emb->add("dropout", leaf("Dropout"));
  emb->add("interpolation", leaf("InterpolateInitialPositionEmbeddings"));
  auto enc = make("YolosEncoder");
  enc->add("layer", repeat(vit_v4_layer(c, "Yolos", "YolosSelfAttention", h), n));
  if (c.b("use_mid_position_embeddings", true)) {
    enc->param("mid_position_embeddings", {n > 0 ? n - 1 : 0, 1, seq, h});
    enc->add("interpolation", leaf("InterpolateMidPositionEmbeddings"));
  }
  auto m = make("YolosModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(h));
  if (pooler) {
    auto p = make("YolosPooler");
    p->add("dense", linear(h, h));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

// YolosMLPPredictionHead: `layers` Linear layers, hidden -> hidden ... -> out.
ModulePtr mlp_head(int64_t h, int64_t out, int64_t layers) {
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < layers; ++i) ls.push_back(linear(h, i + 1 == layers ? out : h));
  auto m = make("YolosMLPPredictionHead");
  m->add("layers", module_list(ls));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls == "YolosModel") return {yolos_model(c, true), {}};
  if (cls == "YolosForObjectDetection") {
    int64_t h = media::dim(c, "hidden_size", 768);
    auto root = make(std::string(cls));
    root->add("vit", yolos_model(c, false));
    root->add("class_labels_classifier", mlp_head(h, heads::num_labels(c) + 1, 3));
    root->add("bbox_predictor", mlp_head(h, 4, 3));
    return {root, {}};
  }
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"yolos"}, "Yolos", build);

}  // namespace
}  // namespace memfit
