// Hand-checked MobileViT (no sweep fixture: the default config is withheld). The default MobileViTConfig is
// apple/mobilevit-small's (published: 5.6M parameters with the 1000-class head).
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

// Conv layers: a bias-free conv + BatchNorm2d (2 x channels); inverted residuals expand by make_divisible(in * 4).
// conv_stem 3->16 k3: 432 + 32 = 464.
// layer.0 (16->32, expand 64): 1x1 1,024+128, depthwise 3x3 576+128, 1x1 2,048+64 = 3,968.
// layer.1 (32->64 with expand 128: 14,080; then 2 x 64->64 with expand 256: 36,224) = 86,528.
// layer.2 (64->96, hidden 144, 2 transformer layers): downsample 44,480, conv_kxk 83,136, conv_1x1 13,824,
//   2 x 167,472 (q/k/v/o 4 x 20,880, fc1 144*288+288, fc2 288*144+144, two LayerNorms 576), LayerNorm 288,
//   conv_projection 14,016, fusion 166,080 = 656,768.
// layer.3 (96->128, hidden 192, 4 layers) = 1,772,032; layer.4 (128->160, hidden 240, 3 layers) = 2,314,192.
// conv_1x1_exp 160->640: 102,400 + 1,280 = 103,680.  MobileViTModel: 4,937,632.
// MobileViTForImageClassification (1000 labels): + classifier 640*1000+1000 = 5,578,632.
TEST(MobileViT, SmallMatchesHandCount) {
  auto base = build_transformers(Json::parse(R"({"model_type": "mobilevit"})"));
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(base->cls, "MobileViTModel");
  EXPECT_EQ(measure(base->model).parameters, 4937632u);
  EXPECT_TRUE(has(base->model, "encoder.layer.2.transformer.layer.1.attention.attention.query.weight"));
  EXPECT_TRUE(has(base->model, "encoder.layer.4.fusion.normalization.running_var"));
  EXPECT_TRUE(has(base->model, "conv_1x1_exp.convolution.weight"));
  EXPECT_FALSE(has(base->model, "encoder.layer.2.conv_1x1.normalization.weight"));
  // _no_split_modules = ["MobileViTLayer"]: the largest block is layer.4 (2,314,192 parameters + BN buffers).
  Measurement m = measure(base->model);
  ASSERT_EQ(m.largest_names.size(), 1u);
  EXPECT_EQ(m.largest_names[0], "encoder.layer.4");

  auto cls = build_transformers(
      Json::parse(R"({"model_type": "mobilevit", "architectures": ["MobileViTForImageClassification"],
                      "num_labels": 1000})"),
      Target::TaskModel);
  ASSERT_TRUE(cls) << cls.error().message;
  EXPECT_EQ(measure(cls->model).parameters, 5578632u);
  EXPECT_TRUE(has(cls->model, "mobilevit.conv_stem.convolution.weight"));
  EXPECT_TRUE(has(cls->model, "classifier.bias"));
}

TEST(MobileViT, SegmentationDropsTheExpansion) {
  auto seg = build_transformers(
      Json::parse(R"({"model_type": "mobilevit", "architectures": ["MobileViTForSemanticSegmentation"],
                      "num_labels": 21})"),
      Target::TaskModel);
  ASSERT_TRUE(seg) << seg.error().message;
  // 4,937,632 - conv_1x1_exp 103,680 + DeepLabV3: ASPP in 160 -> 256: 1x1 40,960+512, three 3x3 3 x 369,152,
  // pooling 1x1 41,472, project 1,280 -> 256: 327,680+512, classifier 256*21+21 = 5,397 -> 1,523,989.
  EXPECT_EQ(measure(seg->model).parameters, 4937632u - 103680u + 1523989u);
  EXPECT_TRUE(has(seg->model, "segmentation_head.aspp.convs.4.conv_1x1.convolution.weight"));
  EXPECT_FALSE(has(seg->model, "mobilevit.conv_1x1_exp.convolution.weight"));
}

}  // namespace
}  // namespace memfit
