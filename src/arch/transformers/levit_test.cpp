// LeViT (levit.cpp), hand-checked against modeling_levit.py (withheld from the sweep; before levit.cpp the type fell
// to the generic decoder and failed on `num_attention_heads`).
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

// LevitConfig() (LeViT-128): hidden 128/256/384, key_dim 16, depths 4/4/4, heads 4/8/12, attention and mlp ratios 2,
// image 224 / patch 16 = resolution 14 (then 7, 4). "Linear+BN(i, o)" = i*o + 2*o (MLPLayerWithBN, bias-free).
// patch_embeddings: 3x3 bias-free convs 3->16->32->64->128 with BatchNorm2d: 432+32 + 4,608+64 + 18,432+128 +
//   73,728+256 = 97,680
// stage 0 (h 128, res 14): attention: Linear+BN(128, 256) 33,280, Linear+BN(128, 128) 16,640, attention_biases
//   4*196 = 784 -> 50,704; MLP Linear+BN(128, 256) 33,280 + Linear+BN(256, 128) 33,024 = 66,304; x4 468,032
//   subsample (key_dim 16, 128/16 = 8 heads, ratio 4): keys_values Linear+BN(128, 640) 83,200, queries
//   Linear+BN(128, 128) 16,640, projection Linear+BN(512, 256) 131,584, attention_biases 8 * 14^2 = 1,568 (the
//   offsets |2a - b|, a < 7, b < 14, take 14 values per axis) -> 232,992; its MLP 256->512->256: 263,680
// stage 1 (h 256, res 7): attention Linear+BN(256, 512) 132,096 + Linear+BN(256, 256) 66,048 + 8*49 = 198,536;
//   MLP 263,680; x4 1,848,864; subsample (16 heads): Linear+BN(256, 1280) 330,240, Linear+BN(256, 256) 66,048,
//   Linear+BN(1024, 384) 393,984, biases 16 * 7^2 = 784 -> 791,056; its MLP 384->768->384: 592,128
// stage 2 (h 384, res 4): attention Linear+BN(384, 768) 296,448 + Linear+BN(384, 384) 148,224 + 12*16 = 444,864;
//   MLP 592,128; x4 4,147,968
// total 8,442,400 parameters.
// Buffers: attention_bias_idxs int64 [points_out, points_in]: 4 x 196^2 + 49*196 + 4 x 49^2 + 16*49 + 4 x 16^2
//   = 174,680 entries = 1,397,440 bytes; 62 BatchNorms: running_mean/var of 23,536 channels in all (half the
//   23,536*2 = 47,072 norm parameters) = 188,288 bytes + 62 num_batches_tracked = 496 -> 1,586,224 bytes.
constexpr uint64_t kParams = 8442400, kBuffers = 1586224;

TEST(Levit, DefaultConfigByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "levit"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "LevitModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 97680u + 468032 + 232992 + 263680 + 1848864 + 791056 + 592128 + 4147968);
  EXPECT_EQ(m.parameters, kParams);
  EXPECT_EQ(m.buffer_bits / 8, kBuffers);
  EXPECT_EQ(m.total_bits / 8, kParams * 4 + kBuffers);
  // Largest no-split LevitResidualLayer: the 384->768->384 MLPs (592,128 parameters + BatchNorm buffers 768 and 384
  // channels: 6,152 + 3,080 bytes), after stage 1's subsample and in stage 2.
  EXPECT_EQ(m.largest_bits / 8, 592128u * 4 + 9232);
  EXPECT_EQ(m.largest_names.size(), 5u);
  EXPECT_NE(std::find(m.largest_names.begin(), m.largest_names.end(), "encoder.stages.1.layers.9"),
            m.largest_names.end());
  EXPECT_EQ(built->model.no_split, std::vector<std::string>{"LevitResidualLayer"});
}

TEST(Levit, DistilledHeadsMatchPublishedSizes) {
  // LevitForImageClassificationWithTeacher (the facebook/levit-* checkpoints' class), 1000 labels: classifier and
  // classifier_distill each BatchNorm1d(384) 768 + Linear(384, 1000) 385,000 -> 8,442,400 + 771,536 = 9,213,936,
  // the paper's 9.2M for LeViT-128.
  auto built = build_transformers(Json::parse(R"({"model_type": "levit", "num_labels": 1000,
      "architectures": ["LevitForImageClassificationWithTeacher"]})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, kParams + 2 * (768 + 385000));
  EXPECT_EQ(measure(built->model).parameters, 9213936u);

  // facebook/levit-128S: heads 4/6/8, depths 2/3/4 -> 7,777,058 (the paper's 7.8M); derived from the sizes above:
  // stage 0 2 x (33,280 + 16,640 + 784 + 66,304), stage 1 heads 6: attention Linear+BN(256, 384) 99,072 +
  // Linear+BN(192, 256) 49,664 + 6*49 = 149,030 (+ MLP 263,680) x3, stage 2 heads 8: Linear+BN(384, 512) 197,632 +
  // Linear+BN(256, 384) 99,072 + 8*16 = 296,832 (+ MLP 592,128) x4; patch, subsamples and their MLPs unchanged.
  auto small = build_transformers(Json::parse(R"({"model_type": "levit", "num_labels": 1000,
      "num_attention_heads": [4, 6, 8], "depths": [2, 3, 4],
      "architectures": ["LevitForImageClassificationWithTeacher"]})"),
                                  Target::TaskModel);
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_EQ(measure(small->model).parameters,
            97680u + 2 * 117008 + 232992 + 263680 + 3 * (149030 + 263680) + 791056 + 592128 +
                4 * (296832 + 592128) + 771536);
  EXPECT_EQ(measure(small->model).parameters, 7777058u);

  auto plain = build_transformers(
      Json::parse(R"({"model_type": "levit", "num_labels": 0, "architectures": ["LevitForImageClassification"]})"),
      Target::TaskModel);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(measure(plain->model).parameters, kParams);  // Identity classifier
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "levit", "depths": [4, 4, 4, 4],
      "hidden_sizes": [128, 256, 384, 512], "key_dim": [16, 16, 16, 16], "num_attention_heads": [4, 8, 12, 16],
      "attention_ratio": [2, 2, 2, 2], "mlp_ratio": [2, 2, 2, 2]})")));
}

}  // namespace
}  // namespace memfit
