// chinese_clip_vision_model (withheld from the default-config sweep): ChineseCLIPModel's vision_model on its own,
// which the chinese_clip sweep case checks inside the whole model; the default is a CLIP ViT-B/32.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(ChineseCLIPVision, DefaultConfigIsAViTB32) {
  auto b = build_transformers(Json::parse(R"({"model_type": "chinese_clip_vision_model"})"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "ChineseCLIPVisionModel");
  Measurement m = measure(b->model);
  // patch_embedding 3*768*32*32 (no bias), class_embedding 768, position_embedding 50*768, pre_layrnorm and
  // post_layernorm 1,536 each, 12 layers of 4*(768^2 + 768) + 768*3072 + 3072 + 3072*768 + 768 + 2*1,536.
  const uint64_t params = 3ull * 768 * 32 * 32 + 768 + 50 * 768 + 2 * 1'536 + 12 * 7'087'872ull;
  EXPECT_EQ(m.parameters, params);
  EXPECT_EQ(m.parameters, 87'456'000u);
  EXPECT_EQ(m.buffer_bits, 50u * 64);  // position_ids [1, 50] int64
  EXPECT_EQ(m.largest_names.front(), "encoder.layers.0");
}

}  // namespace MEMFIT_TU
