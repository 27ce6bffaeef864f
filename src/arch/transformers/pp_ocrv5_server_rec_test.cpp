// PP-OCRv5 server text recogniser (pp_ocrv5.cpp), withheld from the sweep. Its backbone is the hgnet_v2 sweep case
// (HGNetV2Backbone: 13,553,376 parameters, 183,424 bytes of buffers) with the first stage downsampling too, as
// PPOCRV5ServerRecConfig's default backbone kwargs ask: + a depth-wise 3x3 conv over 48 channels (432) and its
// BatchNorm (96 parameters, 392 bytes of buffers).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

constexpr uint64_t kBackbone = 13553376 + 528;

TEST(PPOCRV5ServerRec, DefaultConfigIsTheBackbone) {
  auto built = build_transformers(Json::parse(R"({"model_type": "pp_ocrv5_server_rec"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "PPOCRV5ServerRecModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, kBackbone);
  EXPECT_EQ(m.buffer_bits / 8, 183424u + 392);
  EXPECT_EQ(testing_util::module_bytes(built->model, "backbone.encoder.stages.0.downsample"), 528u * 4 + 392);
  EXPECT_EQ(built->model.no_split, (std::vector<std::string>{"PPOCRV5ServerRecBlock", "HGNetV2BasicLayer"}));
}

TEST(PPOCRV5ServerRec, TextRecognitionHead) {
  // SVTR head over the last backbone width 2048, hidden 120: conv_block (1x3) 2048 -> 256 1,572,864 + 512,
  // 256 -> 120 30,720 + 240, 120 -> 2048 245,760 + 4,096, (1x3) 4096 -> 256 3,145,728 + 512, 256 -> 120 30,960
  // = 5,031,392; two blocks of qkv 120*360 + 360, projection 14,520, fc1 29,040, fc2 28,920, two LayerNorms 480
  // = 116,520 each; norm 240; head 120 -> 18385: 2,224,585 -> 7,489,257.
  auto built = build_transformers(Json::parse(
      R"({"model_type": "pp_ocrv5_server_rec", "architectures": ["PPOCRV5ServerRecForTextRecognition"]})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, kBackbone + 7489257);
  EXPECT_EQ(testing_util::module_bytes(built->model, "head.head"), 2224585u * 4);
  // Without the q/v bias the fused qkv holds no bias (2 x 360 fewer).
  auto plain = build_transformers(Json::parse(R"({"model_type": "pp_ocrv5_server_rec", "qkv_bias": false,
      "architectures": ["PPOCRV5ServerRecForTextRecognition"]})"),
                                  Target::TaskModel);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(measure(plain->model).parameters, kBackbone + 7489257 - 720);
}

}  // namespace
}  // namespace memfit
