// Hand-checked RT-DETR (no sweep case for `rt_detr`: its default config is withheld). RTDetrModel is RTDetrV2Model
// with the v1 deformable attention, which lacks v2's n_points_scale buffer (3 levels x 4 points float32 per decoder
// layer): the rt_detr_v2 sweep case (the real accelerate's numbers: 41,932,326 parameters, 168,241,928 bytes)
// gives the default RTDetrModel (ResNet-50-vd backbone) 41,932,326 parameters and 168,241,928 - 6 x 48 =
// 168,241,640 bytes. The default config is PekingU/rtdetr_r50vd's.
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

TEST(RTDetr, DefaultConfigMatchesV2Fixture) {
  auto built = build_transformers(Json::parse(R"({"model_type": "rt_detr"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "RTDetrModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 41932326u);
  EXPECT_EQ(m.total_bits, 168241640u * 8);
  // _no_split_modules: the hybrid encoder (44,201,248 bytes, as in the v2 case) is the largest block.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"encoder"});
  EXPECT_EQ(m.largest_bits, 44201248u * 8);
  // The backbone's BatchNorms are frozen: four buffers, no parameters.
  EXPECT_TRUE(has(built->model, "backbone.model.encoder.stages.3.layers.2.layer.2.normalization.running_var"));
  EXPECT_TRUE(has(built->model, "backbone.model.embedder.embedder.0.convolution.weight"));
  EXPECT_TRUE(has(built->model, "backbone.model.encoder.stages.1.layers.0.shortcut.1.convolution.weight"));
  EXPECT_TRUE(has(built->model, "encoder.aifi.0.layers.0.self_attn.q_proj.weight"));
  EXPECT_TRUE(has(built->model, "encoder.pan_blocks.1.bottlenecks.2.conv2.norm.num_batches_tracked"));
  EXPECT_TRUE(has(built->model, "decoder.layers.5.encoder_attn.sampling_offsets.weight"));
  EXPECT_FALSE(has(built->model, "decoder.layers.5.encoder_attn.n_points_scale"));
}

// PekingU/rtdetr_r50vd: 80 labels. The model grows by the denoising table (81 - 3) x 256 = 19,968 and the
// encoder score head 256 x (80 - 2) + 78 = 20,046 -> 41,972,340; RTDetrForObjectDetection adds per decoder layer a
// class head 256*80+80 = 20,560 and a box MLP 256->256->256->4 = 132,612: 6 x 153,172 = 919,032 -> 42,891,372
// (published: 42M).
TEST(RTDetr, R50vdObjectDetectionMatchesHandCount) {
  auto built = build_transformers(Json::parse(R"({"model_type": "rt_detr", "num_labels": 80,
                                                  "architectures": ["RTDetrForObjectDetection"]})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 42891372u);
  EXPECT_TRUE(has(built->model, "model.decoder.class_embed.5.weight"));
  EXPECT_TRUE(has(built->model, "model.decoder.bbox_embed.0.layers.2.bias"));
}

}  // namespace
}  // namespace memfit
