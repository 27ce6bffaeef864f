// SAM 2's image encoder: transformers' modeling_sam2.py. Sam2HieraDetModel (a patch conv, a background position
// embedding plus a tiled window one, multi-scale blocks whose first block per stage widens the channels with a
// projection) and Sam2VisionModel (that backbone, or the one AutoModel builds from backbone_config, plus an FPN neck
// of 1x1 convs). EdgeTamVisionModel (modeling_edgetam.py): the same neck over the TimmWrapperModel AutoModel builds
// from its timm backbone_config (features_only RepViT).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr block(const Config& c, int64_t dim, int64_t out) {
  int64_t hidden = static_cast<int64_t>(static_cast<double>(out) * c.f("mlp_ratio", 4.0));
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto attn = make("Sam2MultiScaleAttention");
  attn->add("qkv", linear(dim, 3 * out));
  attn->add("proj", linear(out, out));
  auto mlp = make("Sam2FeedForward");
  mlp->add("activation", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("proj_in", linear(out, hidden));
  mlp->add("proj_out", linear(hidden, out));
  mlp->add("layers", make("ModuleList"));
  auto b = make("Sam2MultiScaleBlock");
  b->add("layer_norm1", layer_norm(dim));
  b->add("attn", attn);
  b->add("layer_norm2", layer_norm(out));
  b->add("mlp", mlp);
  if (dim != out) b->add("proj", linear(dim, out));
  return b;
}

ModulePtr hiera_det(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 96);
  auto per_stage = media::dims(c, "blocks_per_stage", {1, 2, 7, 2}, 0);
  auto dims = media::dims(c, "embed_dim_per_stage", {96, 192, 384, 768});
  auto windows = media::dims(c, "window_size_per_stage", {8, 4, 14, 7}, 0);
  auto bg = media::dims(c, "window_positional_embedding_background_size", {7, 7});
  auto k = media::dims(c, "patch_kernel_size", {7, 7});
  media::require(c, !per_stage.empty() && dims.size() >= per_stage.size() && !windows.empty() && bg.size() == 2 &&
                        k.size() == 2 && windows[0] <= 4096 && bg[0] * bg[1] <= media::kMaxDim,
                 "per-stage lists are inconsistent");
  auto pe = make("Sam2PatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, k[0], k[1]));
  auto m = make("Sam2HieraDetModel");
  m->add("patch_embed", pe);
  m->param("pos_embed", {1, h, bg[0], bg[1]});
  m->param("pos_embed_window", {1, h, windows[0], windows[0]});
  std::vector<ModulePtr> blocks;
  for (size_t s = 0; s < per_stage.size(); ++s) {
    auto plain = block(c, dims[s], dims[s]);
    for (int64_t j = 0; j < per_stage[s]; ++j)
      blocks.push_back(j == 0 && s > 0 ? block(c, dims[s - 1], dims[s]) : plain);
    media::require(c, blocks.size() <= static_cast<size_t>(media::kMaxCount), "too many blocks");
  }
  m->add("blocks", module_list(blocks));
  return m;
}

// <P>VisionModel: `backbone` and the FPN neck (a conv per backbone_channel_list entry to fpn_hidden_size).
ModulePtr vision_model(const Config& c, const std::string& p, ModulePtr backbone, std::vector<int64_t> channels) {
  int64_t fpn = media::dim(c, "fpn_hidden_size", 256), k = media::dim(c, "fpn_kernel_size", 1);
  media::require(c, k <= 64, "fpn_kernel_size out of range");
  auto convs = make("ModuleList");
  channels = media::dims(c, "backbone_channel_list", std::move(channels));
  for (size_t i = 0; i < channels.size(); ++i) convs->add(std::to_string(i), conv2d(channels[i], fpn, k));
  auto neck = make(p + "VisionNeck");
  neck->add("position_encoding", leaf(p + "SinePositionEmbedding"));
  neck->add("convs", convs);
  auto m = make(p + "VisionModel");
  m->add("backbone", std::move(backbone));
  m->add("neck", neck);
  return m;
}

ModulePtr sam2_vision_model(const Config& c) {
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "sam2_hiera_det_model"}}, "sam2_hiera_det_model");
  if (bc.c.s("model_type", "sam2_hiera_det_model") != "sam2_hiera_det_model")
    heads::unsupported("Sam2VisionModel with a " + bc.c.s("model_type", "") + " backbone");
  return vision_model(c, "Sam2", hiera_det(bc.c), {768, 384, 192, 96});
}

// EdgeTamVisionModel: the neck over AutoModel of the timm backbone_config.
Model edgetam_vision(const Config& c, std::string_view cls) {
  if (cls != "EdgeTamVisionModel") heads::unsupported(cls);
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "timm_wrapper"}}, "timm_wrapper");
  Model bb = auto_model(bc.c);
  return {vision_model(c, "EdgeTam", bb.root, {384, 192, 96, 48}), bb.no_split};
}

MEMFIT_FAMILY({"edgetam_vision_model"}, "EdgeTamVision", edgetam_vision);
MEMFIT_FAMILY({"sam2_hiera_det_model"}, "Sam2HieraDet", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Sam2HieraDetModel") heads::unsupported(cls);
  return {hiera_det(c), {}};
}, "Sam2HieraDetModel");
MEMFIT_FAMILY({"sam2_vision_model"}, "Sam2Vision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Sam2VisionModel") heads::unsupported(cls);
  return {sam2_vision_model(c), {}};
});

}  // namespace
}  // namespace memfit
