// VideoPrism's vision tower (videoprism_vision_model): transformers' modeling_videoprism.py VideoPrismVisionModel.
// A factorised video ViT: a Conv3d tubelet embedding with spatial positions, spatial layers, learned per-frame
// temporal positions, temporal layers (v5 ViT layers: q/k/v/o_proj, fc1/fc2, LayerNorms before and after), and
// two LayerNorms. VideoPrismClipModel (videoprism): the video model (that tower, auxiliary layers, an attention-pooling
// head over intermediate_size / heads per head, a LayerNorm) and the text model (token embedding, a persistent
// sinusoidal position table and position ids, a cls embedding, the same layers, a LayerNorm).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
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

const std::vector<std::string> kNoSplit{"VideoPrismSpatialEmbeddings", "VideoPrismTemporalEmbeddings", "VideoPrismLayer",
                                        "VideoPrismTextEmbeddings", "VideoPrismMultiheadAttentionPoolingHead"};

ModulePtr pooling_head(const Config& c, int64_t h) {
  int64_t heads = media::dim(c, "num_attention_heads", 12), head_dim = media::dim(c, "intermediate_size", 3072) / heads;
  bool bias = c.b("qkv_bias", true);
  auto m = make("VideoPrismMultiheadAttentionPoolingHead");
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) m->add(n, linear(h, heads * head_dim, bias));
  m->add("o_proj", linear(heads * head_dim, h));
  m->param("per_dim_scale", {head_dim});
  m->param("pooling_attention_query", {1, 1, h});
  return m;
}

ModulePtr video_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 768);
  auto m = make("VideoPrismVideoModel");
  m->add("vision_model", vision_model(v));
  m->add("auxiliary_layers", repeat(vp_layer(v, h), media::count(v, "num_auxiliary_layers", 2)));
  m->add("head", pooling_head(v, h));
  m->add("head_layernorm", layer_norm(h, true, "VideoPrismLayerNorm"));
  return m;
}

ModulePtr text_model(const Config& t) {
  int64_t h = media::dim(t, "hidden_size", 768), pos = media::dim(t, "max_position_embeddings", 64);
  auto emb = make("VideoPrismTextEmbeddings");
  emb->add("token_embedding", embedding(media::dim(t, "vocab_size", 32000), h));
  emb->buffer("position_embedding", {pos, (h + 1) / 2 * 2}, DType::F32);
  emb->buffer("position_ids", {1, pos}, DType::I64);
  emb->param("cls_emb", {1, 1, h});
  auto m = make("VideoPrismTextModel");
  m->add("embeddings", emb);
  m->add("layers", repeat(vp_layer(t, h), media::count(t, "num_hidden_layers", 12)));
  m->add("layernorm", layer_norm(h, true, "VideoPrismLayerNorm"));
  return m;
}

MEMFIT_FAMILY({"videoprism"}, "VideoPrismClip", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "VideoPrismClipModel") heads::unsupported(cls);
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "videoprism_vision_model"}}, "videoprism_vision_model");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "videoprism_text_model"}}, "videoprism_text_model");
  auto m = make("VideoPrismClipModel");
  m->add("video_model", video_model(vc.c));
  m->add("text_model", text_model(tc.c));
  return {m, kNoSplit};
}, "VideoPrismClipModel");

MEMFIT_FAMILY({"videoprism_vision_model"}, "VideoPrismVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "VideoPrismVisionModel") heads::unsupported(cls);
  return {vision_model(c), kNoSplit};
});

}  // namespace
}  // namespace memfit
