// GroupViT: transformers' modeling_groupvit.py GroupViTModel. A CLIP-shaped text transformer (GroupViTTextTransformer)
// and a vision transformer whose encoder is a list of grouping stages: each has learned group tokens, CLIP encoder
// layers, a token-assign downsample (LayerNorms, a mixer MLP over the token axis, a cross-attention layer, the assign
// attention q/k/v/proj and a channel MLP) and, after a stage that had group tokens, a group projector (LayerNorm +
// mixer MLP); visual/text projections are Linear, BatchNorm1d, ReLU, Linear; logit_scale.
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/clip_layer.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Shape {
  int64_t h, inter;
  std::string act;
};

// GroupViTMLP / GroupViTMixerMLP: fc1 (in -> mid), fc2 (mid -> out).
ModulePtr mlp(const Shape& s, int64_t in, int64_t mid, int64_t out, bool mixer = false) {
  auto m = make(mixer ? "GroupViTMixerMLP" : "GroupViTMLP");
  m->add("activation_fn", leaf(act_class(s.act)));
  m->add("fc1", linear(in, mid));
  m->add("fc2", linear(mid, out));
  return m;
}

ModulePtr token_assign(const Config& v, const Shape& s, int64_t tokens, int64_t out_groups) {
  std::vector<double> ratio{0.5, 4.0};
  if (auto r = v.raw().find("assign_mlp_ratio"); r != v.raw().end()) {
    if (r->is_array() && r->size() == 2 && (*r)[0].is_number() && (*r)[1].is_number())
      ratio = {(*r)[0].get<double>(), (*r)[1].get<double>()};
    else if (r->is_number())
      ratio = {r->get<double>(), r->get<double>()};
  }
  auto dim = [&](double x) {
    double d = x * static_cast<double>(s.h);
    media::require(v, d >= 0 && d <= static_cast<double>(media::kMaxDim), "assign_mlp_ratio out of range");
    return static_cast<int64_t>(d);
  };
  auto cross = make("GroupViTCrossAttentionLayer");
  cross->add("attn", clip_encoder_layer("GroupViT", s.h, s.inter, s.act)->child("self_attn"));
  cross->add("norm2", layer_norm(s.h));
  cross->add("mlp", mlp(s, s.h, s.inter, s.h));
  cross->add("norm_post", layer_norm(s.h));
  auto assign = make("GroupViTAssignAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj", "proj"}) assign->add(n, linear(s.h, s.h));
  auto m = make("GroupViTTokenAssign");
  m->add("norm_tokens", layer_norm(s.h));
  m->add("mlp_inter", mlp(s, tokens, dim(ratio[0]), out_groups, true));
  m->add("norm_post_tokens", layer_norm(s.h));
  m->add("norm_x", layer_norm(s.h));
  m->add("pre_assign_attn", cross);
  m->add("assign", assign);
  m->add("norm_new_x", layer_norm(s.h));
  m->add("mlp_channels", mlp(s, s.h, dim(ratio[1]), s.h));
  return m;
}

ModulePtr vision_transformer(const Config& v) {
  Shape s{media::dim(v, "hidden_size", 384), media::dim(v, "intermediate_size", 1536), v.s("hidden_act", "gelu")};
  auto depths = media::dims(v, "depths", {6, 3, 3}, 0);
  auto tokens = media::dims(v, "num_group_tokens", {64, 8, 0}, 0);
  auto outs = media::dims(v, "num_output_groups", {64, 8, 8}, 0);
  media::require(v, tokens.size() >= depths.size() && outs.size() >= depths.size(),
                 "num_group_tokens / num_output_groups shorter than depths");
  auto layer = clip_encoder_layer("GroupViT", s.h, s.inter, s.act);
  auto stages = make("ModuleList");
  for (size_t i = 0; i < depths.size(); ++i) {
    int64_t prev = i > 0 ? outs[i - 1] : 0;
    auto st = make("GroupViTStage");
    if (tokens[i] > 0) st->param("group_token", {1, tokens[i], s.h});
    st->add("layers", repeat(layer, depths[i]));
    if (tokens[i] > 0) st->add("downsample", token_assign(v, s, tokens[i], outs[i]));
    if (prev > 0 && tokens[i] > 0) {
      auto proj = make("Sequential");
      proj->add("0", layer_norm(s.h));
      proj->add("1", mlp(s, prev, s.h / 2, tokens[i], true));
      st->add("group_projector", proj);
    }
    stages->add(std::to_string(i), st);
  }
  int64_t patch = media::dim(v, "patch_size", 16);
  auto [ih, iw] = media::pair(v, "image_size", 224);
  auto pe = make("GroupViTPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(v, "num_channels", 3), s.h, patch));
  auto emb = make("GroupViTVisionEmbeddings");
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, (ih / patch) * (iw / patch), s.h});
  emb->add("dropout", leaf("Dropout"));
  emb->add("layernorm", layer_norm(s.h));
  auto enc = make("GroupViTVisionEncoder");
  enc->add("stages", stages);
  auto m = make("GroupViTVisionTransformer");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(s.h));
  return m;
}

ModulePtr text_transformer(const Config& t) {
  ModulePtr m = clip_text_model(t, "GroupViT").root;
  m->cls = "GroupViTTextTransformer";
  m->child("encoder")->cls = "GroupViTTextEncoder";
  return m;
}

ModulePtr projection(int64_t in, int64_t mid, int64_t out) {
  auto m = make("Sequential");
  m->add("0", linear(in, mid));
  m->add("1", batch_norm(mid, "BatchNorm1d"));
  m->add("2", leaf("ReLU"));
  m->add("3", linear(mid, out));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "GroupViTModel") heads::unsupported(cls);
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "groupvit_text_model"}}, "groupvit_text_model");
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "groupvit_vision_model"}}, "groupvit_vision_model");
  int64_t mid = media::dim(c, "projection_intermediate_dim", 4096), proj = media::dim(c, "projection_dim", 256);
  auto m = make("GroupViTModel");
  m->add("text_model", text_transformer(tc.c));
  m->add("vision_model", vision_transformer(vc.c));
  m->add("visual_projection", projection(media::dim(vc.c, "hidden_size", 384), mid, proj));
  m->add("text_projection", projection(media::dim(tc.c, "hidden_size", 256), mid, proj));
  m->param("logit_scale", {});
  return {m, {}};
}

MEMFIT_FAMILY({"groupvit"}, "GroupViT", build);

}  // namespace
}  // namespace memfit
