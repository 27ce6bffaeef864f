// UniSpeech-SAT (wav2vec2.cpp), hand-checked against modeling_unispeech_sat.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(UniSpeechSat, DefaultConfigByHand) {
  // UniSpeechSatConfig()'s sizes are Wav2Vec2Config()'s (hidden 768, 12 layers, intermediate 3072, conv_dim
  // 7 x 512, kernels 10,3,3,3,3,2,2, group norm, no conv bias, 128-wide positional conv in 16 groups):
  // feature_extractor: conv 0 512*1*10 = 5,120 + GroupNorm 1,024; convs 1-4 512*512*3 = 786,432 each; convs 5-6
  //   512*512*2 = 524,288 each -> 4,200,448
  // feature_projection: layer_norm 1,024, projection 512*768+768 = 393,984 -> 395,008
  // masked_spec_embed 768 (always, unlike Wav2Vec2's, which needs mask_time_prob > 0)
  // encoder: pos_conv_embed weight-norm conv g [1, 1, 128] + v [768, 48, 128] + bias 768 = 128 + 4,718,592 + 768
  //   = 4,719,488; layer_norm 1,536; 12 layers of 7,087,872 (q/k/v/out 4*590,592, layer_norm 1,536,
  //   intermediate_dense 2,362,368, output_dense 2,360,064, final_layer_norm 1,536) = 85,054,464
  // total 4,200,448 + 395,008 + 768 + 4,719,488 + 1,536 + 85,054,464 = 94,371,712
  auto built = build_transformers(Json::parse(R"({"model_type": "unispeech-sat"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "UniSpeechSatModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 94371712u);
  EXPECT_EQ(m.total_bits / 8, 94371712ull * 4);
  // No _no_split_modules: the largest leaves are the 12 intermediate_dense Linears (2,362,368 * 4 bytes).
  ASSERT_EQ(m.largest_names.size(), 12u);
  EXPECT_EQ(m.largest_names.front(), "encoder.layers.0.feed_forward.intermediate_dense");
  EXPECT_EQ(m.largest_bits / 8, 9449472u);
  EXPECT_EQ(built->model.root->child("encoder")->child("layers")->child("0")->cls, "UniSpeechSatEncoderLayer");
  EXPECT_EQ(built->model.root->child("adapter"), nullptr);
}

TEST(UniSpeechSat, CtcHead) {
  // UniSpeechSatForCTC: unispeech_sat, dropout, lm_head Linear(768, vocab 32) = 24,608.
  auto built = build_transformers(Json::parse(R"({"model_type": "unispeech-sat", "mask_time_prob": 0,
      "architectures": ["UniSpeechSatForCTC"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->model.root->children.front().first, "unispeech_sat");
  EXPECT_EQ(measure(built->model).parameters, 94371712u + 24608);
}

}  // namespace
