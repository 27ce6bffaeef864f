// Swin2SR (swin2sr.cpp), hand-checked against modeling_swin2sr.py (withheld from the sweep; before swin2sr.cpp the
// type fell to the generic decoder and failed on `num_attention_heads`).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::module_bytes;

// Swin2SRConfig(): embed_dim 180, six stages of 6 layers, 6 heads, window 8, mlp_ratio 2, image 64, patch 1,
// resi_connection 1conv, RGB in and out.
// layer: logit_scale 6, continuous_position_bias_mlp 2*512 + 512 + 512*6 = 4,608, query 32,580, key (no bias)
//   32,400, value 32,580, output.dense 32,580, layernorm_before 360, intermediate 180*360 + 360 = 65,160, output
//   360*180 + 180 = 64,980, layernorm_after 360 -> 265,614; buffers relative_coords_table f32 [1, 15, 15, 2]
//   1,800 bytes and relative_position_index int64 [64, 64] 32,768 bytes
// stage: 6 layers 1,593,684 + conv 180*180*9 + 180 = 291,780 + patch_embed projection (1x1) 32,580 -> 1,918,044
// model: first_convolution 3*180*9 + 180 = 5,040, embeddings (projection 32,580 + LayerNorm 360) 32,940, six stages
//   11,508,264, layernorm 360, conv_after_body 291,780 -> 11,838,384; buffers: mean [1, 3, 1, 1] 12 bytes +
//   36 x 34,568 = 1,244,460 bytes
constexpr uint64_t kModel = 11838384, kBuffers = 1244460;

TEST(Swin2SR, DefaultConfigByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "swin2sr"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Swin2SRModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 5040u + 32940 + 6 * 1918044 + 360 + 291780);
  EXPECT_EQ(m.parameters, kModel);
  EXPECT_EQ(m.buffer_bits / 8, kBuffers);
  EXPECT_EQ(m.total_bits / 8, kModel * 4 + kBuffers);
  EXPECT_EQ(module_bytes(built->model, "encoder"), 6u * 1918044 * 4 + kBuffers - 12);
  EXPECT_EQ(module_bytes(built->model, "conv_after_body"), 291780u * 4);
  // No no-split classes: the largest leaves are the 3x3 convs of the six stages and conv_after_body (291,780).
  EXPECT_EQ(m.largest_bits / 8, 291780u * 4);
  EXPECT_EQ(m.largest_names.size(), 7u);
  EXPECT_TRUE(built->model.no_split.empty());
}

TEST(Swin2SR, SuperResolutionUpsamplers) {
  // caidas/swin2SR-classical-sr-x2-64's class (pixelshuffle, upscale 2): conv_before_upsample 180*64*9 + 64 = 103,744,
  // upsample.convolution_0 64*256*9 + 256 = 147,712, final_convolution 64*3*9 + 3 = 1,731 -> + 253,187.
  auto x2 = build_transformers(
      Json::parse(R"({"model_type": "swin2sr", "architectures": ["Swin2SRForImageSuperResolution"]})"),
      Target::TaskModel);
  ASSERT_TRUE(x2) << x2.error().message;
  EXPECT_EQ(measure(x2->model).parameters, kModel + 253187);
  EXPECT_EQ(module_bytes(x2->model, "upsample"), 253187u * 4);

  // upscale 4: two conv + PixelShuffle(2) pairs (+ 147,712).
  auto x4 = build_transformers(Json::parse(R"({"model_type": "swin2sr", "upscale": 4,
      "architectures": ["Swin2SRForImageSuperResolution"]})"),
                               Target::TaskModel);
  ASSERT_TRUE(x4) << x4.error().message;
  EXPECT_EQ(measure(x4->model).parameters, kModel + 253187 + 147712);

  // caidas/swin2SR-lightweight-x2-64: embed_dim 60, four stages of 6, pixelshuffledirect. Layer: 6 + 4,608 +
  // 3,660 + 3,600 + 3,660 + 3,660 + 120 + 7,320 + 7,260 + 120 = 34,014; stage 6 x 34,014 + 32,460 + 3,660 =
  // 240,204; model 1,680 + 3,780 + 4 x 240,204 + 120 + 32,460 = 998,856; upsample.conv 60 -> 12: 6,492.
  auto light = build_transformers(Json::parse(R"({"model_type": "swin2sr", "embed_dim": 60,
      "depths": [6, 6, 6, 6], "num_heads": [6, 6, 6, 6], "upsampler": "pixelshuffledirect",
      "architectures": ["Swin2SRForImageSuperResolution"]})"),
                                  Target::TaskModel);
  ASSERT_TRUE(light) << light.error().message;
  EXPECT_EQ(measure(light->model).parameters, 998856u + 6492);

  // transformers raises for upscale 5 (neither 2^n nor 3).
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "swin2sr", "upscale": 5,
      "architectures": ["Swin2SRForImageSuperResolution"]})"),
                                  Target::TaskModel));
}

}  // namespace
}  // namespace memfit
