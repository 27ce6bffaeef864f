// SegGPT: transformers' modeling_seggpt.py. SegGptModel: embeddings (mask, segment and type tokens [1, 1, 1, h],
// a Conv2d patch projection, position embeddings for (pretrain_image_size / patch)^2 + 1 positions) and an encoder
// of ViT layers (fused qkv, proj, decomposed relative positions rel_pos_h / rel_pos_w over the
// (image_size / patch_size) grid, lin1 / lin2 MLP, two LayerNorms; drop path from the second layer on when
// drop_path_rate > 0) with a final LayerNorm. SegGptForImageSegmentation adds the decoder: decoder_embed (the
// concatenated intermediate hidden states -> patch^2 * decoder_hidden_size) and a conv / channels-first LayerNorm /
// 1x1 conv head.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr layer(const Config& c, int64_t h, int64_t head_dim, int64_t grid_h, int64_t grid_w, bool drop_path) {
  auto attn = make("SegGptAttention");
  attn->add("qkv", linear(h, 3 * h, c.b("qkv_bias", true)));
  attn->add("proj", linear(h, h));
  if (c.b("use_relative_position_embeddings", true)) {
    attn->param("rel_pos_h", {2 * grid_h - 1, head_dim});
    attn->param("rel_pos_w", {2 * grid_w - 1, head_dim});
  }
  const int64_t mlp_dim = c.has("mlp_dim") ? media::dim(c, "mlp_dim", 4 * h) : 4 * h;
  auto mlp = make("SegGptMlp");
  mlp->add("lin1", linear(h, mlp_dim));
  mlp->add("lin2", linear(mlp_dim, h));
  mlp->add("act", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto l = make("SegGptLayer");
  l->add("attention", attn);
  l->add("mlp", mlp);
  l->add("drop_path", leaf(drop_path ? "SegGptDropPath" : "Identity"));
  l->add("layernorm_before", layer_norm(h));
  l->add("layernorm_after", layer_norm(h));
  return l;
}

ModulePtr seggpt_model(const Config& c) {
  const int64_t h = media::dim(c, "hidden_size", 1024), heads = media::dim(c, "num_attention_heads", 16);
  media::divisible(c, h, heads, "hidden_size by num_attention_heads");
  const int64_t patch = media::dim(c, "patch_size", 16), n = media::count(c, "num_hidden_layers", 24);
  const auto [img_h, img_w] = media::pair(c, "image_size", 896);
  const int64_t grid_h = img_h / patch, grid_w = img_w / patch, pre = media::dim(c, "pretrain_image_size", 224) / patch;
  media::require(c, grid_h >= 1 && grid_w >= 1 && pre >= 1, "image_size smaller than patch_size");
  media::require(c, pre <= 4096, "pretrain_image_size out of range");
  auto emb = make("SegGptEmbeddings");
  for (const char* t : {"mask_token", "segment_token_input", "segment_token_prompt", "type_token_semantic",
                        "type_token_instance"})
    emb->param(t, {1, 1, 1, h});
  auto pe = make("SegGptPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, patch));
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, pre * pre + 1, h});
  emb->add("dropout", leaf("Dropout"));
  // drop_path_rate spreads linearly from 0 over the layers: only the first keeps an Identity when it is > 0.
  const bool dp = c.f("drop_path_rate", 0.1) > 0;
  auto plain = layer(c, h, h / heads, grid_h, grid_w, dp);
  auto first = dp ? layer(c, h, h / heads, grid_h, grid_w, false) : plain;
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < n; ++i) ls.push_back(i == 0 ? first : plain);
  auto enc = make("SegGptEncoder");
  enc->add("layers", module_list(ls));
  enc->add("layernorm", layer_norm(h));
  auto m = make("SegGptModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const std::vector<std::string> no_split{"SegGptEmbeddings", "SegGptLayer"};
  auto indices = media::dims(c, "intermediate_hidden_state_indices", {5, 11, 17, 23}, 0);
  media::require(c, !indices.empty(), "intermediate_hidden_state_indices empty");
  if (c.i("merge_index", 2) > *std::min_element(indices.begin(), indices.end()))
    throw ConfigError("transformers itself refuses this config: merge_index must be less than the minimum of "
                      "intermediate_hidden_state_indices (model_type `seggpt`)");
  if (cls == "SegGptModel") return {seggpt_model(c), no_split};
  if (cls != "SegGptForImageSegmentation") heads::unsupported(cls);
  const int64_t h = media::dim(c, "hidden_size", 1024), patch = media::dim(c, "patch_size", 16);
  const int64_t dh = media::dim(c, "decoder_hidden_size", 64);
  media::require(c, patch <= 1024, "patch_size out of range");
  auto head = make("SegGptDecoderHead");
  head->add("conv", conv2d(dh, dh, 3));
  head->add("layernorm", layer_norm(dh, true, "SegGptLayerNorm"));
  head->add("act_fct", leaf(act_class(c.s("hidden_act", "gelu"))));
  head->add("head", conv2d(dh, 3, 1));
  auto dec = make("SegGptDecoder");
  dec->add("decoder_embed", linear(h * static_cast<int64_t>(indices.size()), patch * patch * dh));
  dec->add("decoder_pred", head);
  auto root = make(std::string(cls));
  root->add("model", seggpt_model(c));
  root->add("decoder", dec);
  return {root, no_split};
}

MEMFIT_FAMILY({"seggpt"}, "SegGpt", build);

}  // namespace
}  // namespace memfit
