// glm4v_moe_vision (withheld from the default-config sweep): modeling_glm4v_moe.py's Glm4vMoeVisionModel is
// Glm4vVisionModel's tree under its own prefix, and Glm4vMoeVisionConfig's defaults equal Glm4vVisionConfig's, so the
// default model equals the glm4v_vision sweep case's.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Glm4vMoeVision, DefaultConfigIsGlm4vVisionsTree) {
  auto moe = build_transformers(Json::parse(R"({"model_type": "glm4v_moe_vision"})"));
  auto dense = build_transformers(Json::parse(R"({"model_type": "glm4v_vision"})"));
  ASSERT_TRUE(moe) << moe.error().message;
  ASSERT_TRUE(dense) << dense.error().message;
  EXPECT_EQ(moe->cls, "Glm4vMoeVisionModel");
  Measurement a = measure(moe->model), b = measure(dense->model);
  EXPECT_EQ(a.parameters, 892'498'432u);
  EXPECT_EQ(a.parameters, b.parameters);
  EXPECT_EQ(a.buffer_bits, b.buffer_bits);
  EXPECT_EQ(a.largest_names, b.largest_names);
  EXPECT_EQ(moe->model.root->child("blocks")->children.front().second->cls, "Glm4vMoeVisionBlock");
}

}  // namespace MEMFIT_TU
