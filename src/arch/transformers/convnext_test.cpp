// Hand-checked ConvNeXt V2 (no fixture; ConvNeXt V1 is fixture-verified): facebook/convnextv2-tiny-1k-224.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

// facebook/convnextv2-tiny-1k-224 (its 1000 ImageNet labels given as num_labels).
const char* kConvNextV2Tiny = R"({
  "architectures": ["ConvNextV2ForImageClassification"], "model_type": "convnextv2", "depths": [3, 3, 9, 3],
  "drop_path_rate": 0.0, "hidden_act": "gelu", "hidden_sizes": [96, 192, 384, 768], "image_size": 224,
  "initializer_range": 0.02, "layer_norm_eps": 1e-12, "num_channels": 3, "num_labels": 1000, "num_stages": 4,
  "patch_size": 4})";

TEST(ConvNextV2, TinyMatchesHandCount) {
  auto built = build_transformers(Json::parse(kConvNextV2Tiny), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "ConvNextV2ForImageClassification");
  Measurement m = measure(built->model);
  // A layer of width d: dwconv 49d + d, LayerNorm 2d, pwconv1 4d^2 + 4d, GRN 8d, pwconv2 4d^2 + d = 8d^2 + 65d.
  //   d=96: 79,968 x3 = 239,904       d=192: 307,392 x3 = 922,176
  //   d=384: 1,204,608 x9 = 10,841,472  d=768: 4,768,512 x3 = 14,305,536
  // Downsampling (LayerNorm 2p + 2x2 conv 4pq + q): 74,112 + 295,680 + 1,181,184 = 1,550,976.
  // Stem 3*96*16 + 96 + LayerNorm 192 = 4,896; final LayerNorm 1,536; classifier 768*1000 + 1000 = 769,000.
  // 239,904 + 922,176 + 10,841,472 + 14,305,536 + 1,550,976 + 4,896 + 1,536 + 769,000 = 28,635,496.
  EXPECT_EQ(m.parameters, 28635496u);
  EXPECT_EQ(m.buffer_bits, 0u);
  // Only ConvNextV2Layer is no-split: the largest layer is one stage-3 layer.
  EXPECT_EQ(m.largest_bits, 4768512u * 32u);
  EXPECT_EQ(m.largest_names.front(), "convnextv2.encoder.stages.3.layers.0");

  auto sd = state_dict(built->model);
  auto find = [&](const std::string& n) {
    for (const auto& e : sd)
      if (e.name == n) return e.tensor->shape;
    return std::vector<int64_t>{};
  };
  EXPECT_EQ(find("convnextv2.encoder.stages.2.layers.8.grn.weight"), (std::vector<int64_t>{1, 1, 1, 1536}));
  EXPECT_EQ(find("convnextv2.encoder.stages.1.downsampling_layer.1.weight"), (std::vector<int64_t>{192, 96, 2, 2}));
  EXPECT_EQ(find("convnextv2.encoder.stages.0.layers.0.dwconv.weight"), (std::vector<int64_t>{96, 1, 7, 7}));
  EXPECT_TRUE(find("convnextv2.encoder.stages.0.layers.0.layer_scale_parameter").empty());
}

}  // namespace
}  // namespace memfit
