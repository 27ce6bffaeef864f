// PVT v1 (pvt.cpp), hand-checked against modeling_pvt.py (withheld from the sweep; before pvt.cpp the type fell to
// the generic decoder and failed on `num_attention_heads`).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::module_bytes;

// PvtConfig() (PVT-Tiny): widths 64/128/320/512, depths 2/2/2/2, reduction ratios 8/4/2/1, mlp ratios 8/8/4/4,
// patch sizes and strides 4/2/2/2, image 224.
// patch_embeddings (positions, [cls], projection kernel=stride, LayerNorm):
//   0: 56*56 = 3,136 positions * 64 = 200,704; 3*64*16 + 64 = 3,136; 128 -> 203,968
//   1: image 224 // 4 = 56 -> 28*28 = 784 * 128 = 100,352; 64*128*4 + 128 = 32,896; 256 -> 133,504
//   2: 224 // 8 = 28 -> 196 * 320 = 62,720; 128*320*4 + 320 = 164,160; 640 -> 227,520
//   3: 224 // 16 = 14 -> 49 + 1 = 50 * 512 = 25,600; cls_token 512; 320*512*4 + 512 = 655,872; 1,024 -> 683,008
//   -> 1,248,000
// layers (query/key/value, sequence_reduction conv k=s=ratio + LayerNorm, output.dense, two LayerNorms, dense1/2):
//   64:  12,480 + 262,208 + 128 + 4,160 + 256 + 33,280 + 32,832 = 345,344 (x2)
//   128: 49,536 + 262,272 + 256 + 16,512 + 512 + 132,096 + 131,200 = 592,384 (x2)
//   320: 308,160 + 409,920 + 640 + 102,720 + 1,280 + 410,880 + 409,920 = 1,643,520 (x2)
//   512 (no reduction): 787,968 + 262,656 + 2,048 + 1,050,624 + 1,049,088 = 3,152,384 (x2)
//   -> 11,467,264
// final layer_norm 1,024 -> 12,716,288
TEST(Pvt, DefaultConfigByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "pvt"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "PvtModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 1248000u + 2 * (345344 + 592384 + 1643520 + 3152384) + 1024);
  EXPECT_EQ(m.parameters, 12716288u);
  EXPECT_EQ(m.total_bits / 8, 12716288u * 4);
  EXPECT_EQ(module_bytes(built->model, "encoder"), 12716288u * 4);
  // No no-split classes: the largest leaves are the last stage's two 512 -> 2048 dense1 Linears.
  EXPECT_EQ(m.largest_bits / 8, 1050624u * 4);
  EXPECT_EQ(m.largest_names,
            (std::vector<std::string>{"encoder.block.3.0.mlp.dense1", "encoder.block.3.1.mlp.dense1"}));
}

TEST(Pvt, ImageClassificationIsPvtTiny) {
  // Zetatech/pvt-tiny-224 (PvtForImageClassification, 1000 ImageNet labels): + classifier 512*1000 + 1000 =
  // 13,229,288, the paper's 13.2M for PVT-Tiny.
  auto built = build_transformers(
      Json::parse(R"({"model_type": "pvt", "architectures": ["PvtForImageClassification"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 13229288u);
  EXPECT_EQ(module_bytes(built->model, "classifier"), 513000u * 4);
}

TEST(Pvt, LargerStagesAndNoClassifier) {
  // PVT-Small's depths 3/4/6/3 with 0 labels (Identity classifier): each stage adds layers of the sizes above.
  auto built = build_transformers(Json::parse(R"({"model_type": "pvt", "depths": [3, 4, 6, 3], "num_labels": 0,
      "architectures": ["PvtForImageClassification"]})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters,
            1248000u + 3 * 345344 + 4 * 592384 + 6 * 1643520 + 3 * 3152384 + 1024);
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "pvt", "hidden_sizes": [64, 128, 320, 500]})")));
}

}  // namespace
}  // namespace memfit
