// D-FINE (d_fine.cpp), hand-checked against modeling_d_fine.py (withheld from the sweep). Its default backbone is
// the hgnet_v2 sweep case (HGNetV2Backbone: 13,553,376 parameters, 183,424 bytes of buffers = 80 BatchNorms of
// 22,848 channels in all); frozen, those norms' 45,696 weights and biases become buffers and num_batches_tracked
// goes: 13,507,680 parameters + 365,568 bytes of buffers.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::module_bytes;

// DFineConfig(): d_model = encoder_hidden_dim = 256, 2 labels, 3 levels x 4 points, 6 decoder layers, eval_idx -1.
// "CN(i, o, k)" = bias-free conv i*o*k*k + BatchNorm 2*o.
// encoder_input_proj: 1x1 convs from 512 / 1024 / 2048 (917,504) + three BatchNorm(256) (1,536) = 919,040
// hybrid encoder:
//   aifi: attention 4 x 65,792, LayerNorm 512, fc 256->1024->256 525,568, LayerNorm 512 = 789,760
//   lateral_convs: 2 x CN(256, 256, 1) 66,048 = 132,096
//   RepNCSPELAN4 (c4 = 128, 3 RepVGG blocks of CN(128, 128, 3) 147,712 + CN(128, 128, 1) 16,640): conv1
//     CN(512, 512, 1) 263,168, csp_rep1 2 x CN(256, 128, 1) 33,024 + 493,056, conv2 CN(128, 128, 3) 147,712,
//     csp_rep2 2 x 16,640 + 493,056, conv3 147,712, conv4 CN(768, 256, 1) 197,120 -> 1,841,152; 2 fpn + 2 pan
//   downsample_convs: 2 x (CN(256, 256, 1) 66,048 + depth-wise CN(256, 256, 3) 2,816) = 137,728
//   -> 8,424,192
// denoising_class_embed 3*256 = 768, enc_output 65,792 + 512, enc_score_head 514, enc_bbox_head 132,612
// decoder layer: attention 263,168, LayerNorm 512, deformable sampling_offsets 256 -> 8*12*2 49,344 and
//   attention_weights 256 -> 96 24,672, MLP 525,568, LayerNorm 512, gate 512 -> 512 262,656 + LayerNorm 512
//   = 1,126,944; x6 6,761,664; query_pos_head 4 -> 512 -> 256 133,888, reg_scale + up 2, pre_bbox_head 132,612,
//   6 LQE MLPs 20 -> 64 -> 1 (1,409 each) 8,454 -> 7,036,620
// total 30,087,730
// Buffers: backbone 365,568, input projections 3 x 2,056, hybrid encoder BatchNorms 111,280 (4 ELAN blocks of 20
//   norms over 3,072 channels 24,736 each, 4 + 2 BatchNorm(256) 12,336), num_points_scale 6 x 12 floats 288
//   -> 483,304
constexpr uint64_t kParams = 30087730, kBuffers = 483304;

TEST(DFine, DefaultConfigByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "d_fine"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "DFineModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 13507680u + 919040 + 8424192 + 768 + 66304 + 514 + 132612 + 7036620);
  EXPECT_EQ(m.parameters, kParams);
  EXPECT_EQ(m.buffer_bits / 8, kBuffers);
  EXPECT_EQ(module_bytes(built->model, "backbone"), 13507680u * 4 + 365568);
  EXPECT_EQ(module_bytes(built->model, "encoder"), 8424192u * 4 + 111280);
  EXPECT_EQ(module_bytes(built->model, "decoder"), 7036620u * 4 + 288);
  // The no-split hybrid encoder is the largest layer (a backbone HGNetV2BasicLayer: 26.9 MB).
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"encoder"});
  EXPECT_EQ(m.largest_bits / 8, 8424192u * 4 + 111280);
  EXPECT_EQ(built->model.no_split.size(), 3u);  // DFineHybridEncoder, DFineDecoderLayer, HGNetV2BasicLayer
}

TEST(DFine, ObjectDetectionHeadsOnTheDecoder) {
  // class_embed.0 256*2 + 2 = 514 and bbox_embed.0 (256 -> 256 -> 256 -> 4*33 = 132) 165,508 count once: the other
  // five of each are tied to them, and the top-level lists are the decoder's.
  auto built = build_transformers(
      Json::parse(R"({"model_type": "d_fine", "architectures": ["DFineForObjectDetection"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, kParams + 514 + 165508);
  EXPECT_EQ(module_bytes(built->model, "model.decoder.bbox_embed"), 165508u * 4);

  // COCO's 80 labels, untied (six heads each): enc_score_head and denoising grow too.
  Json cfg = Json::parse(R"({"model_type": "d_fine", "tie_word_embeddings": false,
      "architectures": ["DFineForObjectDetection"]})");
  Json labels = Json::object();
  for (int i = 0; i < 80; ++i) labels[std::to_string(i)] = "l" + std::to_string(i);
  cfg["id2label"] = labels;
  auto coco = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(coco) << coco.error().message;
  // enc_score_head 20,560 (+20,046), denoising_class_embed 81*256 (+19,968), 6 x (20,560 + 165,508)
  EXPECT_EQ(measure(coco->model).parameters, kParams + 20046 + 19968 + 6 * (20560 + 165508));

  // transformers' validate_architecture: decoder_n_points as a list needs one entry per level.
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "d_fine", "decoder_n_points": [4, 4]})")));
  auto listed = build_transformers(Json::parse(R"({"model_type": "d_fine", "decoder_n_points": [3, 6, 3]})"));
  ASSERT_TRUE(listed) << listed.error().message;  // 12 points in all, as the default
  EXPECT_EQ(measure(listed->model).parameters, kParams);
}

}  // namespace
}  // namespace memfit
