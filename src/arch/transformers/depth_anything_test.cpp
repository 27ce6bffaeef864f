// Hand-checked Depth Anything (no AutoModel class, so no sweep case: the real accelerate refuses the default config
// too). The default DepthAnythingConfig is Depth-Anything-V2-Small-hf's (published: 24.8M parameters).
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

bool has(const Model& m, const std::string& n) {
  auto names = checkpoint_tensors(m);
  return std::any_of(names.begin(), names.end(), [&](const auto& t) { return t.name == n; });
}

TEST(DepthAnything, AutoModelRefusesLikeTransformers) {
  auto built = build_transformers(Json::parse(R"({"model_type": "depth_anything"})"));
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().kind, ErrorKind::Unsupported);
}

// Backbone (Dinov2Backbone, image 518, patch 14, hidden 384, 12 layers): embeddings cls 384 + mask 384 +
//   patch conv 3*384*14*14+384 = 226,176 + positions (37*37+1)*384 = 526,080 -> 753,024; layer 1,775,232
//   (norm1 768, q/k/v/dense 4 x 147,840, layer scales 768, norm2 768, fc1 591,360, fc2 590,208); layernorm 768
//   -> 22,056,576.
// Neck: reassemble projections 384 -> 48/96/192/384 (1x1, bias) 18,480 + 36,960 + 73,920 + 147,840, resizes
//   ConvTranspose 48 k4 36,912, ConvTranspose 96 k2 36,960, identity, Conv 384 k3 stride 2 1,327,488 -> 1,678,560;
//   convs to 64 (3x3, no bias) 27,648 + 55,296 + 110,592 + 221,184 = 414,720; four fusion layers of a 1x1
//   projection 4,160 and two residual units of two 3x3 convs 36,928 each = 607,488 -> 2,700,768.
// Head: conv1 64->32 3x3 18,464, conv2 32->32 3x3 9,248, conv3 32->1 33 = 27,745.
// Total 22,056,576 + 2,700,768 + 27,745 = 24,785,089.
TEST(DepthAnything, V2SmallMatchesHandCount) {
  auto built = build_transformers(Json::parse(R"({"model_type": "depth_anything"})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "DepthAnythingForDepthEstimation");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 24785089u);
  EXPECT_EQ(m.total_bits, 24785089u * 4 * 8);  // no buffers
  // _no_split_modules gathered from the backbone child: Dinov2Layer.
  EXPECT_EQ(built->model.no_split, std::vector<std::string>{"Dinov2Layer"});
  EXPECT_EQ(m.largest_bits, 1775232u * 4 * 8);
  EXPECT_TRUE(has(built->model, "backbone.embeddings.position_embeddings"));
  EXPECT_TRUE(has(built->model, "backbone.encoder.layer.11.mlp.fc2.weight"));
  EXPECT_TRUE(has(built->model, "neck.reassemble_stage.layers.0.resize.weight"));
  EXPECT_FALSE(has(built->model, "neck.reassemble_stage.layers.2.resize.weight"));
  EXPECT_TRUE(has(built->model, "neck.fusion_stage.layers.3.residual_layer2.convolution2.bias"));
  EXPECT_TRUE(has(built->model, "head.conv3.weight"));
}

}  // namespace
}  // namespace memfit
