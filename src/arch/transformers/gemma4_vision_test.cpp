// gemma4_vision (withheld from the default-config sweep): Gemma4Model's vision_tower on its own. The tower itself is
// held to google/gemma-4-31B-it's checkpoint index (tests/data/results_task/index_cases.txt); here the default config's class,
// _no_split grouping (the patch embedder, with its position table, is one unit) and size.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Gemma4Vision, DefaultConfigBuildsTheVisionTower) {
  auto b = build_transformers(Json::parse(R"({"model_type": "gemma4_vision"})"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "Gemma4VisionModel");
  Measurement m = measure(b->model);
  EXPECT_EQ(m.parameters, 167'364'608u);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"patch_embedder"});
  EXPECT_EQ(b->model.root->children.front().first, "patch_embedder");
}

}  // namespace MEMFIT_TU
