// Cohere Compass's vision tower (cohere_compass_vision.cpp): CohereCompassVisionConfig's defaults are
// Qwen3VLMoeVisionConfig's, so the qwen3_vl_moe_vision sweep case (the real accelerate's numbers) gives its sizes;
// only the no-split list differs (no vision block kept whole here, which leaves the largest layers unchanged).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

TEST(CohereCompassVision, DefaultConfigMatchesQwen3VLMoeVisionSweepCase) {
  auto built = build_transformers(Json::parse(R"({"model_type": "cohere_compass_vision"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "CohereCompassVisionModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 566949104u);
  EXPECT_EQ(m.buffer_bits / 8, 72u);  // rotary inv_freq: head_dim 72 // 2 = 36 -> 18 float32
  EXPECT_EQ(m.total_bits / 8, 2267796488u);
  // merger 151,036,928 bytes: norm 1152 (9,216), linear_fc1 4608 x 4608 + 4608 (84,953,088), linear_fc2
  // 4608 x 3584 + 3584 (66,074,624); each deepstack merger's norm is over 4608 (36,864): 151,064,576.
  auto size = [&](const std::string& k) { return testing_util::module_bytes(built->model, k); };
  EXPECT_EQ(size("merger"), 151036928u);
  EXPECT_EQ(size("deepstack_merger_list.0"), 151064576u);
  EXPECT_EQ(size("blocks.0"), 60958016u);
  EXPECT_EQ(m.largest_bits / 8, 84953088u);
  EXPECT_EQ(m.largest_names, (std::vector<std::string>{"merger.linear_fc1", "deepstack_merger_list.0.linear_fc1",
                                                       "deepstack_merger_list.1.linear_fc1",
                                                       "deepstack_merger_list.2.linear_fc1"}));
  EXPECT_EQ(built->model.no_split, std::vector<std::string>{"CohereCompassDecoderLayer"});
  EXPECT_EQ(built->model.root->child("blocks")->children[0].second->cls, "CohereCompassVisionBlock");
}

TEST(CohereCompassVision, TwoDeepstackIndexes) {
  // One deepstack merger fewer: 151,064,576 bytes = 37,766,144 parameters less.
  auto built = build_transformers(
      Json::parse(R"({"model_type": "cohere_compass_vision", "deepstack_visual_indexes": [8, 16]})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 566949104u - 37766144u);
}

}  // namespace
}  // namespace memfit
