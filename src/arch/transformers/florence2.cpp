// Florence-2: transformers' modeling_florence2.py Florence2Model. The DaViT vision backbone (per stage a conv patch
// embedding with a LayerNorm before or after it, then blocks of a spatial block -- depth-wise conv, LayerNorm,
// windowed qkv attention, depth-wise conv, LayerNorm, MLP -- and a channel block of the same shape with channel
// attention), the multimodal projector (bias-free image_projection, LayerNorm, learned 2D row/column positions, a
// persistent cosine temporal table) and the language model AutoModel builds from text_config (BART), whose
// embedding ties are kept under `language_model`.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Florence2VisionSpatialBlock (`channel` false) or Florence2VisionChannelBlock.
ModulePtr sub_block(const Config& v, int64_t dim, bool channel, bool dp1, bool dp2) {
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * v.f("mlp_ratio", 4.0));
  media::require(v, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto attn = make(channel ? "Florence2VisionChannelAttention" : "Florence2VisionWindowAttention");
  attn->add("qkv", linear(dim, 3 * dim, v.b("qkv_bias", true)));
  attn->add("proj", linear(dim, dim));
  auto ffn = make("Florence2VisionMLP");
  ffn->add("activation_fn", leaf(act_class(v.s("activation_function", "gelu"))));
  ffn->add("fc1", linear(dim, hidden));
  ffn->add("fc2", linear(hidden, dim));
  auto b = make(channel ? "Florence2VisionChannelBlock" : "Florence2VisionSpatialBlock");
  b->add("conv1", conv2d(dim, dim, 3, true, dim));
  b->add("norm1", layer_norm(dim));
  b->add(channel ? "channel_attn" : "window_attn", attn);
  b->add("drop_path1", leaf(dp1 ? "Florence2DropPath" : "Identity"));
  b->add("conv2", conv2d(dim, dim, 3, true, dim));
  b->add("norm2", layer_norm(dim));
  b->add("ffn", ffn);
  b->add("drop_path2", leaf(dp2 ? "Florence2DropPath" : "Identity"));
  return b;
}

ModulePtr vision_backbone(const Config& v) {
  auto dims = media::dims(v, "embed_dim", {128, 256, 512, 1024});
  auto depths = media::dims(v, "depths", {1, 1, 9, 1}, 0);
  auto patch = media::dims(v, "patch_size", {7, 3, 3, 3});
  auto prenorm = v.has("patch_prenorm") ? v.raw()["patch_prenorm"] : Json::array({false, true, true, true});
  size_t n = dims.size();
  media::require(v, n <= 16 && depths.size() >= n && patch.size() >= n && prenorm.is_array() && prenorm.size() >= n,
                 "per-stage lists shorter than embed_dim");
  media::require(v, media::dims(v, "num_heads", {4, 8, 16, 32}).size() == n &&
                        media::dims(v, "num_groups", {4, 8, 16, 32}).size() == n,
                 "num_heads / num_groups must have one entry per stage");
  bool rate = v.f("drop_path_rate", 0.1) > 0;
  auto convs = make("ModuleList"), blocks = make("ModuleList");
  int64_t in = media::dim(v, "in_channels", 3);
  for (size_t i = 0; i < n; ++i) {
    bool pre = prenorm[i].is_boolean() && prenorm[i].get<bool>();
    auto ce = make("Florence2VisionConvEmbed");
    ce->add("conv", conv2d(in, dims[i], patch[i]));
    ce->add("norm", layer_norm(pre ? in : dims[i]));
    convs->add(std::to_string(i), ce);
    // drop-path rates rise linearly from 0 over every sub-block: only the very first one is an Identity.
    auto first = make("Florence2VisionBlock");
    first->add("spatial_block", sub_block(v, dims[i], false, rate && i > 0, rate));
    first->add("channel_block", sub_block(v, dims[i], true, rate, rate));
    auto rest = make("Florence2VisionBlock");
    rest->add("spatial_block", sub_block(v, dims[i], false, rate, rate));
    rest->add("channel_block", sub_block(v, dims[i], true, rate, rate));
    std::vector<ModulePtr> stage;
    for (int64_t j = 0; j < depths[i]; ++j) stage.push_back(j == 0 ? first : rest);
    blocks->add(std::to_string(i), module_list(stage));
    in = dims[i];
  }
  auto m = make("Florence2VisionBackbone");
  m->add("convs", convs);
  m->add("blocks", blocks);
  return m;
}

ModulePtr projector(const Config& v) {
  int64_t d = media::dims(v, "embed_dim", {128, 256, 512, 1024}).back(), proj = media::dim(v, "projection_dim", 1024);
  int64_t pos = media::dim(v, "max_position_embeddings", 50);
  auto pe = make("Florence2VisionLearnedAbsolutePositionEmbedding2D");
  pe->add("row_embeddings", embedding(pos, d / 2));
  pe->add("column_embeddings", embedding(pos, d - d / 2));
  auto te = make("Florence2VisionPositionalEmbeddingCosine1D");
  te->buffer("pos_idx_to_embed", {media::dim(v, "max_temporal_embeddings", 100), d}, DType::F32);
  auto m = make("Florence2MultiModalProjector");
  m->add("image_projection", linear(d, proj, false));
  m->add("image_proj_norm", layer_norm(proj));
  m->add("image_position_embed", pe);
  m->add("visual_temporal_embed", te);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "florence_vision"}}, "florence_vision");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "bart"}}, "bart");
  Model text = auto_model(tc.c);
  prefix_ties(text.root, "language_model.");
  auto m = make("Florence2Model");
  m->add("vision_tower", vision_backbone(vc.c));
  m->add("multi_modal_projector", projector(vc.c));
  m->add("language_model", text.root);
  Model base{m, text.no_split};
  if (cls == "Florence2Model") return base;
  if (cls != "Florence2ForConditionalGeneration") heads::unsupported(cls);
  prefix_ties(base.root, "model.");
  return conditional_generation(std::string(cls), base, tc.c.i("d_model", 1024), tc.c.i("vocab_size"),
                                c.b("tie_word_embeddings", true), "model.language_model.shared.weight");
}

MEMFIT_FAMILY({"florence2"}, "Florence2", build);

}  // namespace
}  // namespace memfit
