// VideoPrism's vision tower (videoprism_vision_model): transformers' modeling_videoprism.py VideoPrismVisionModel.
// A factorised video ViT: a Conv3d tubelet embedding with spatial positions, spatial layers, learned per-frame
// temporal positions, temporal layers (v5 ViT layers: q/k/v/o_proj, fc1/fc2, LayerNorms before and after), and
// two LayerNorms.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vp_layer(const Config& c, int64_t h) {
  int64_t inter = media::dim(c, "intermediate_size", 3072);
  bool bias = c.b("qkv_bias", true);
  auto attn = make("VideoPrismAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(h, h, bias));
  attn->add("o_proj", linear(h, h));
  auto mlp = make("VideoPrismMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu_python"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto l = make("VideoPrismLayer");
  l->add("attention", attn);
  l->add("layernorm_before", layer_norm(h, true, "VideoPrismLayerNorm"));
  l->add("layernorm_after", layer_norm(h, true, "VideoPrismLayerNorm"));
  l->add("mlp", mlp);
  l->add("dropout", leaf("Dropout"));
  return l;
}

ModulePtr vision_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768);
  auto t = media::dims(c, "tubelet_size", {1, 18, 18});
  auto [ih, iw] = media::pair(c, "image_size", 288);
  media::require(c, t.size() == 3, "tubelet_size must be [t, h, w]");
  auto conv = make("Conv3d");
  conv->param("weight", {h, media::dim(c, "num_channels", 3), t[0], t[1], t[2]}).param("bias", {h});
  auto tube = make("VideoPrismTubeletEmbeddings");
  tube->add("projection", conv);
  auto spatial = make("VideoPrismSpatialEmbeddings");
  spatial->add("patch_embeddings", tube);
  spatial->param("position_embeddings", {1, (ih / t[1]) * (iw / t[2]), h});
  spatial->add("dropout", leaf("Dropout"));
  auto temporal = make("VideoPrismTemporalEmbeddings");
  temporal->param("position_embeddings", {1, media::dim(c, "num_frames", 16), h});
  temporal->add("dropout", leaf("Dropout"));
  auto layer = vp_layer(c, h);
  auto m = make("VideoPrismVisionModel");
  m->add("layernorm1", layer_norm(h, true, "VideoPrismLayerNorm"));
  m->add("layernorm2", layer_norm(h, true, "VideoPrismLayerNorm"));
  m->add("spatial_embeddings", spatial);
  m->add("temporal_embeddings", temporal);
  m->add("spatial_layers", repeat(layer, media::count(c, "num_spatial_layers", 12)));
  m->add("temporal_layers", repeat(layer, media::count(c, "num_temporal_layers", 4)));
  return m;
}

MEMFIT_FAMILY({"videoprism_vision_model"}, "VideoPrismVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "VideoPrismVisionModel") heads::unsupported(cls);
  return {vision_model(c), {"VideoPrismSpatialEmbeddings", "VideoPrismTemporalEmbeddings", "VideoPrismLayer",
                            "VideoPrismTextEmbeddings", "VideoPrismMultiheadAttentionPoolingHead"}};
});

}  // namespace
}  // namespace memfit
