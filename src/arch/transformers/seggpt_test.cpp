// SegGPT (seggpt.cpp), hand-checked against modeling_seggpt.py (withheld from the sweep).
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

// SegGptConfig() (BAAI/seggpt-vit-large's): hidden 1024, 24 layers, 16 heads (head_dim 64), mlp_dim 4*1024,
// image (896, 448), patch 16 -> a 56 x 28 grid, pretrain_image_size 224 -> 14^2 + 1 = 197 positions.
// embeddings: five [1, 1, 1, 1024] tokens 5,120, projection 3*1024*16*16 + 1024 = 787,456, position_embeddings
//   197*1024 = 201,728 -> 994,304
// layer: qkv 1024*3072 + 3072 = 3,148,800, proj 1,049,600, rel_pos_h (2*56 - 1)*64 = 7,104, rel_pos_w 55*64 = 3,520,
//   lin1 4,198,400, lin2 4,195,328, two LayerNorms 4,096 -> 12,606,848; x24 302,564,352
// encoder.layernorm 2,048 -> 303,560,704
constexpr uint64_t kModel = 303560704;

TEST(SegGpt, DefaultConfigByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "seggpt"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "SegGptModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 994304u + 24 * 12606848 + 2048);
  EXPECT_EQ(m.parameters, kModel);
  EXPECT_EQ(m.total_bits / 8, kModel * 4);
  // Largest no-split module: a SegGptLayer (every one the same size).
  EXPECT_EQ(m.largest_bits / 8, 12606848u * 4);
  EXPECT_EQ(m.largest_names.size(), 24u);
  EXPECT_EQ(m.largest_names.front(), "encoder.layers.0");
}

TEST(SegGpt, ImageSegmentationDecoder) {
  // decoder_embed: 4 intermediate states x 1024 -> 16*16*64: 4096*16384 + 16384 = 67,125,248; decoder_pred: conv
  // 64*64*9 + 64 = 36,928, SegGptLayerNorm 128, head 64*3 + 3 = 195 -> 67,162,499; total 370,723,203.
  auto built = build_transformers(
      Json::parse(R"({"model_type": "seggpt", "architectures": ["SegGptForImageSegmentation"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, kModel + 67162499);
  EXPECT_EQ(measure(built->model).parameters, 370723203u);
  // The decoder_embed Linear (268 MB) is the largest layer.
  EXPECT_EQ(measure(built->model).largest_names, std::vector<std::string>{"decoder.decoder_embed"});

  // Without relative positions and with a 448 x 448 image, layers lose rel_pos_h / rel_pos_w (10,624 each).
  auto plain = build_transformers(Json::parse(R"({"model_type": "seggpt", "use_relative_position_embeddings": false,
      "image_size": 448})"));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(measure(plain->model).parameters, kModel - 24 * 10624);
  // transformers' validate_architecture: merge_index above the first intermediate index.
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "seggpt", "merge_index": 6})")));
}

}  // namespace
}  // namespace memfit
