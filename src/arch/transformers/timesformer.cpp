// TimeSformer: transformers' modeling_timesformer.py (transformers 4 layout). A ViT over per-frame patches with
// learned time embeddings; each layer has spatial attention (fused qkv + output dense), and for divided space-time
// attention also a temporal LayerNorm, temporal attention and a temporal dense.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(const Config& c, int64_t h) {
  auto self = make("TimesformerSelfAttention");
  self->add("qkv", linear(h, 3 * h, c.b("qkv_bias", true)));
  self->add("attn_drop", leaf("Dropout"));
  auto out = make("TimesformerSelfOutput");
  out->add("dense", linear(h, h));
  out->add("dropout", leaf("Dropout"));
  auto a = make("TimeSformerAttention");
  a->add("attention", self);
  a->add("output", out);
  return a;
}

ModulePtr tsf_layer(const Config& c, int64_t h, bool dp) {
  std::string type = c.s("attention_type", "divided_space_time");
  media::require(c, type == "divided_space_time" || type == "space_only" || type == "joint_space_time",
                 "attention_type must be divided_space_time, space_only or joint_space_time");
  int64_t inter = media::dim(c, "intermediate_size", 3072);
  auto im = make("TimesformerIntermediate");
  im->add("dense", linear(h, inter));
  im->add("dropout", leaf("Dropout"));
  im->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto o = make("TimesformerOutput");
  o->add("dense", linear(inter, h));
  o->add("dropout", leaf("Dropout"));
  auto l = make("TimesformerLayer");
  l->add("drop_path", leaf(dp ? "TimesformerDropPath" : "Identity"));
  l->add("attention", attention(c, h));
  l->add("intermediate", im);
  l->add("output", o);
  l->add("layernorm_before", layer_norm(h));
  l->add("layernorm_after", layer_norm(h));
  if (type == "divided_space_time") {
    l->add("temporal_layernorm", layer_norm(h));
    l->add("temporal_attention", attention(c, h));
    l->add("temporal_dense", linear(h, h));
  }
  return l;
}

ModulePtr tsf_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768);
  auto [ih, iw] = media::pair(c, "image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  auto pe = make("TimesformerPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, ph, pw));
  auto emb = make("TimesformerEmbeddings");
  emb->add("patch_embeddings", pe);
  emb->param("cls_token", {1, 1, h});
  emb->param("position_embeddings", {1, (ih / ph) * (iw / pw) + 1, h});
  emb->add("pos_drop", leaf("Dropout"));
  if (c.s("attention_type", "divided_space_time") != "space_only") {
    emb->param("time_embeddings", {1, media::dim(c, "num_frames", 8), h});
    emb->add("time_drop", leaf("Dropout"));
  }
  int64_t n = media::count(c, "num_hidden_layers", 12);
  bool dp = c.f("drop_path_rate", 0) > 0;  // linear from 0: layer 0 keeps an Identity
  auto plain = tsf_layer(c, h, dp), first = tsf_layer(c, h, false);
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i) layers.push_back(i == 0 ? first : plain);
  auto enc = make("TimesformerEncoder");
  enc->add("layer", module_list(layers));
  auto m = make("TimesformerModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"TimesformerLayer"};
  if (cls == "TimesformerModel") return {tsf_model(c), no_split};
  if (cls != "TimesformerForVideoClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("timesformer", tsf_model(c));
  root->add("classifier", media::linear_or_identity(media::dim(c, "hidden_size", 768), heads::num_labels(c)));
  return {root, no_split};
}

MEMFIT_FAMILY({"timesformer"}, "Timesformer", build);

}  // namespace
}  // namespace memfit
