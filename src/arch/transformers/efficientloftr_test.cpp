// EfficientLoFTR (efficientloftr.cpp), hand-checked against modeling_efficientloftr.py (withheld from the sweep).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::module_bytes;

// EfficientLoFTRConfig(): strides 2/1/2/2, blocks 1/2/4/14, widths 64/64/128/256 from one grey channel, hidden 256,
// 8 heads, 4 attention layers. "CN(i, o, k)" = bias-free conv i*o*k*k + BatchNorm 2*o; an identity BatchNorm(o)
// where a block keeps width and stride.
// backbone: stage 0 CN(1, 64, 3) 704 + CN(1, 64, 1) 192 = 896; stage 1 two blocks of CN(64, 64, 3) 36,992 +
//   CN(64, 64, 1) 4,224 + identity 128 = 82,688; stage 2 CN(64, 128, 3) 73,984 + CN(64, 128, 1) 8,448, then three
//   blocks of 147,712 + 16,640 + 256 -> 576,256; stage 3 CN(128, 256, 3) 295,424 + CN(128, 256, 1) 33,280, then 13
//   blocks of 590,336 + 66,048 + 512 -> 8,868,352; backbone 9,528,192
// aggregated attention: depth-wise q_aggregation 256*16 = 4,096, LayerNorm 512, bias-free q/k/v/o 4 x 65,536,
//   fc1 512*512, fc2 512*256, LayerNorm 512 -> 660,480; a layer holds two (self, cross): 4 layers 5,283,840
// total 14,812,032; buffers: 60 BatchNorms over 12,416 channels (99,808 bytes) and the rotary tables: head_dim 32 *
//   partial_rotary_factor 4.0 = 128 -> 64 float32 each for inv_freq and original_inv_freq (512 bytes) = 100,320
constexpr uint64_t kParams = 14812032, kBuffers = 100320;

TEST(EfficientLoFTR, DefaultConfigByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "efficientloftr"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "EfficientLoFTRModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 896u + 82688 + 576256 + 8868352 + 4 * 2 * 660480);
  EXPECT_EQ(m.parameters, kParams);
  EXPECT_EQ(m.buffer_bits / 8, kBuffers);
  EXPECT_EQ(module_bytes(built->model, "local_feature_transformer"), 4u * 2 * 660480 * 4);
  EXPECT_EQ(module_bytes(built->model, "rotary_emb"), 512u);
  // No no-split classes: the largest leaves are stage 3's 256 -> 256 3x3 convs (589,824 parameters).
  EXPECT_EQ(m.largest_bits / 8, 589824u * 4);
  EXPECT_EQ(m.largest_names.size(), 13u);
}

TEST(EfficientLoFTR, KeypointMatchingRefinementLayer) {
  // fine_fusion_dims = [256, 128, 64]: out_conv 256*256 = 65,536; block (128, 256): out_conv1 128*256, out_conv2
  // 256*256*9, BatchNorm 512, out_conv3 256*128*9 = 918,016; block (64, 128): 8,192 + 147,456 + 256 + 73,728 =
  // 229,632 -> 1,213,184; total 16,025,216.
  auto built = build_transformers(Json::parse(
      R"({"model_type": "efficientloftr", "architectures": ["EfficientLoFTRForKeypointMatching"]})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, kParams + 1213184);
  EXPECT_EQ(module_bytes(built->model, "refinement_layer"), 1213184u * 4 + 2056 + 1032);  // + BatchNorm(256), (128)
  // transformers' validate_architecture: hidden_size must be the last width.
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "efficientloftr", "hidden_size": 128})")));
  // partial_rotary_factor 1.0 (in rope_parameters): 16 + 16 float32.
  auto rope = build_transformers(Json::parse(R"({"model_type": "efficientloftr",
      "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "partial_rotary_factor": 1.0}})"));
  ASSERT_TRUE(rope) << rope.error().message;
  EXPECT_EQ(measure(rope->model).buffer_bits / 8, kBuffers - 512 + 128);
}

}  // namespace
}  // namespace memfit
