// Depth Anything (V1 / V2): transformers' modeling_depth_anything.py. DepthAnythingForDepthEstimation is the
// backbone load_backbone builds from backbone_config (Dinov2Backbone by default: a ViT-S/14 at 518 pixels), a neck
// (per level a 1x1 projection resized by a transposed conv, an identity or a strided conv; 3x3 convs to
// fusion_hidden_size; pre-activation residual fusion layers) and a three-conv depth head. AutoModel has no class for
// depth_anything (the real accelerate refuses it too); --task-model builds the depth estimator.
#include "arch/blocks.h"
#include "arch/transformers/auto_class.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// AutoBackbone.from_config(backbone_config): the family's ...Backbone class through the registry.
Model backbone(const Config& bc) {
  std::string type = bc.s("model_type", "dinov2");
  std::string cls = type == "dinov2" ? "Dinov2Backbone" : type == "dinov3_vit" ? "DINOv3ViTBackbone" : "";
  if (cls.empty()) heads::unsupported("DepthAnythingForDepthEstimation with a " + type + " backbone");
  return auto_class(bc, cls);
}

ModulePtr residual(int64_t f) {
  auto r = make("DepthAnythingPreActResidualLayer");
  r->add("activation1", leaf("ReLU"));
  r->add("convolution1", conv2d(f, f, 3));
  r->add("activation2", leaf("ReLU"));
  r->add("convolution2", conv2d(f, f, 3));
  return r;
}

ModulePtr neck(const Config& c, int64_t f) {
  auto sizes = media::dims(c, "neck_hidden_sizes", {48, 96, 192, 384});
  auto it = c.raw().find("reassemble_factors");
  std::vector<double> factors{4, 2, 1, 0.5};
  if (it != c.raw().end() && it->is_array()) {
    factors.clear();
    for (const auto& v : *it) {
      media::require(c, v.is_number() && v.get<double>() > 0 && v.get<double>() <= 64, "reassemble_factors");
      factors.push_back(v.get<double>());
    }
  }
  media::require(c, !sizes.empty() && sizes.size() <= 64, "neck_hidden_sizes out of range");
  int64_t in = media::dim(c, "reassemble_hidden_size", 384);
  auto layers = make("ModuleList");
  for (size_t i = 0; i < sizes.size() && i < factors.size(); ++i) {  // zip(neck_hidden_sizes, reassemble_factors)
    auto l = make("DepthAnythingReassembleLayer");
    int64_t ch = sizes[i];
    l->add("projection", conv2d(in, ch, 1));
    double fac = factors[i];
    if (fac > 1) l->add("resize", media::conv_transpose2d(ch, ch, static_cast<int64_t>(fac)));
    else if (fac == 1) l->add("resize", leaf("Identity"));
    else l->add("resize", conv2d(ch, ch, 3));
    layers->add(std::to_string(i), l);
  }
  auto stage = make("DepthAnythingReassembleStage");
  stage->add("layers", layers);
  auto convs = make("ModuleList");
  for (size_t i = 0; i < sizes.size(); ++i) convs->add(std::to_string(i), conv2d(sizes[i], f, 3, false));
  auto fusion = make("DepthAnythingFeatureFusionLayer");
  fusion->add("projection", conv2d(f, f, 1));
  fusion->add("residual_layer1", residual(f));
  fusion->add("residual_layer2", residual(f));
  auto fs = make("DepthAnythingFeatureFusionStage");
  fs->add("layers", repeat(fusion, static_cast<int64_t>(sizes.size())));
  auto n = make("DepthAnythingNeck");
  n->add("reassemble_stage", stage);
  n->add("convs", convs);
  n->add("fusion_stage", fs);
  return n;
}

ModulePtr head(const Config& c, int64_t f) {
  int64_t hh = media::dim(c, "head_hidden_size", 32);
  media::require(c, f >= 2, "fusion_hidden_size too small");
  std::string type = c.s("depth_estimation_type", "relative");
  media::require(c, type == "relative" || type == "metric", "depth_estimation_type must be relative or metric");
  auto h = make("DepthAnythingDepthEstimationHead");
  h->add("conv1", conv2d(f, f / 2, 3));
  h->add("conv2", conv2d(f / 2, hh, 3));
  h->add("activation1", leaf("ReLU"));
  h->add("conv3", conv2d(hh, 1, 1));
  h->add("activation2", leaf(type == "relative" ? "ReLU" : "Sigmoid"));
  return h;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "DepthAnythingForDepthEstimation")
    heads::unsupported(std::string(cls) + " (AutoModel has no class for depth_anything; use --task-model for "
                                          "DepthAnythingForDepthEstimation)");
  SubConfig bc = sub_config(c, "backbone_config",
                            {{"model_type", "dinov2"}, {"image_size", 518}, {"hidden_size", 384},
                             {"num_attention_heads", 6}, {"out_indices", {9, 10, 11, 12}},
                             {"reshape_hidden_states", false}},
                            "dinov2");
  Model bb = backbone(bc.c);
  int64_t f = media::dim(c, "fusion_hidden_size", 64);
  auto root = make("DepthAnythingForDepthEstimation");
  root->add("backbone", bb.root);
  root->add("neck", neck(c, f));
  root->add("head", head(c, f));
  return {root, bb.no_split};
}

MEMFIT_FAMILY({"depth_anything"}, "DepthAnything", build, "", "DepthAnythingForDepthEstimation");

}  // namespace
}  // namespace memfit
