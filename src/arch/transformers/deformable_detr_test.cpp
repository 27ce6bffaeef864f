// Deformable DETR (deformable_detr.cpp), hand-checked against modeling_deformable_detr.py (withheld from the sweep).
// Its default backbone is the conditional_detr sweep case's (timm resnet50, features_only, frozen BatchNorms: there
// `backbone` is 94,244,608 bytes = 23,454,912 parameters + 424,960 bytes of frozen-norm buffers); out_indices
// [2, 3, 4] instead of [1, 2, 3, 4] keeps the same stages.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::module_bytes;

// DeformableDetrConfig(): d_model 256, 4 feature levels, 6 + 6 layers, ffn 1024, 8 heads, 4 points, 300 queries.
// input_proj: 1x1 convs from 512 / 1024 / 2048 (+ GroupNorm 512 each): 131,840 + 262,912 + 525,056, then a 3x3
//   conv from 2048: 2048*256*9 + 256 + 512 = 4,719,360 -> 5,639,168
// deformable attention: sampling_offsets 256 -> 8*4*4*2 = 256: 65,792, attention_weights 256 -> 128: 32,896,
//   value_proj 65,792, output_proj 65,792 -> 230,272
// encoder layer: 230,272 + LayerNorm 512 + fc1 263,168 + fc2 262,400 + LayerNorm 512 = 756,864; x6 4,541,184
// decoder layer: k/v/q/o 263,168 + 512 + 230,272 + 512 + 525,568 + 512 = 1,020,544; x6 6,123,264
// query_position_embeddings 300*512 = 153,600, level_embed 4*256 = 1,024, reference_points 256*2 + 2 = 514
constexpr uint64_t kBackbone = 23454912, kBase = 39913666;

TEST(DeformableDetr, DefaultConfigByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "deformable_detr"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "DeformableDetrModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, kBackbone + 5639168 + 153600 + 4541184 + 6123264 + 1024 + 514);
  EXPECT_EQ(m.parameters, kBase);
  EXPECT_EQ(m.total_bits / 8, kBase * 4 + 424960);
  EXPECT_EQ(module_bytes(built->model, "backbone"), 94244608u);
  EXPECT_EQ(module_bytes(built->model, "input_proj"), 5639168u * 4);
  EXPECT_EQ(module_bytes(built->model, "encoder"), 4541184u * 4);
  EXPECT_EQ(module_bytes(built->model, "decoder"), 6123264u * 4);
  EXPECT_EQ(module_bytes(built->model, "level_embed"), 4096u);
  EXPECT_EQ(module_bytes(built->model, "reference_points"), 2056u);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"backbone"});
  EXPECT_EQ(m.largest_bits / 8, 94244608u);
}

TEST(DeformableDetr, TwoStageAndSingleLevel) {
  // two_stage (with with_box_refine, which transformers requires): no query_position_embeddings (-153,600) or
  // reference_points (-514); enc_output 65,792, enc_output_norm 512, pos_trans 512*512 + 512 = 262,656,
  // pos_trans_norm 1,024.
  auto two = build_transformers(
      Json::parse(R"({"model_type": "deformable_detr", "two_stage": true, "with_box_refine": true})"));
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ(measure(two->model).parameters, kBase - 153600 - 514 + 65792 + 512 + 262656 + 1024);
  EXPECT_EQ(module_bytes(two->model, "pos_trans"), 262656u * 4);
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "deformable_detr", "two_stage": true})")));

  // One feature level: out_indices [4], one 1x1 projection from 2048 (525,056 instead of 5,639,168); each of the
  // 12 deformable attentions has sampling_offsets 256 -> 64 (16,448) and attention_weights 256 -> 32 (8,224),
  // 74,016 fewer; level_embed 256 (-768).
  auto one = build_transformers(Json::parse(R"({"model_type": "deformable_detr", "num_feature_levels": 1})"));
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(measure(one->model).parameters, kBase - (5639168 - 525056) - 12 * 74016 - 768);
  EXPECT_EQ(measure(one->model).parameters, 33910594u);
}

TEST(DeformableDetr, ObjectDetectionHeadsTiedToTheFirst) {
  // SenseTime/deformable-detr's class with COCO's 91 labels: class_embed.0 256*91 + 91 = 23,387 and bbox_embed.0
  // (256 -> 256 -> 256 -> 4) 132,612 count once; class_embed.1-5 / bbox_embed.1-5 are tied to them.
  Json cfg = Json::parse(R"({"model_type": "deformable_detr", "architectures": ["DeformableDetrForObjectDetection"]})");
  Json labels = Json::object();
  for (int i = 0; i < 91; ++i) labels[std::to_string(i)] = "l" + std::to_string(i);
  cfg["id2label"] = labels;
  auto built = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "DeformableDetrForObjectDetection");
  EXPECT_EQ(measure(built->model).parameters, kBase + 23387 + 132612);
  EXPECT_EQ(module_bytes(built->model, "class_embed"), 23387u * 4);
  EXPECT_EQ(module_bytes(built->model, "bbox_embed"), 132612u * 4);
  EXPECT_EQ(built->model.no_split.size(), 3u);

  // Not tied: six of each.
  cfg["tie_word_embeddings"] = false;
  auto untied = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(untied) << untied.error().message;
  EXPECT_EQ(measure(untied->model).parameters, kBase + 6 * (23387 + 132612));

  // Refinement heads shared with the decoder are not built.
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "deformable_detr", "with_box_refine": true,
      "architectures": ["DeformableDetrForObjectDetection"]})"),
                                  Target::TaskModel));
}

}  // namespace
}  // namespace memfit
