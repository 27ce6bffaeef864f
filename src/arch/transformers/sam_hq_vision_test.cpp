// sam_hq_vision_model (withheld from the default-config sweep): modeling_sam_hq.py's SamHQVisionModel holds SAM's
// vision encoder under its own prefix (SamHQVisionConfig's defaults equal SamVisionConfig's, and the SDPA attention
// class matches neither family's _no_split_modules), so the default model equals the sam_vision_model sweep case's.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(SamHQVision, DefaultConfigIsSamsVisionEncoder) {
  auto hq = build_transformers(Json::parse(R"({"model_type": "sam_hq_vision_model"})"));
  auto sam = build_transformers(Json::parse(R"({"model_type": "sam_vision_model"})"));
  ASSERT_TRUE(hq) << hq.error().message;
  ASSERT_TRUE(sam) << sam.error().message;
  EXPECT_EQ(hq->cls, "SamHQVisionModel");
  Measurement a = measure(hq->model), b = measure(sam->model);
  EXPECT_EQ(a.parameters, 89'670'912u);
  EXPECT_EQ(a.parameters, b.parameters);
  EXPECT_EQ(a.largest_bits, b.largest_bits);
  EXPECT_EQ(a.largest_names, b.largest_names);
}

}  // namespace MEMFIT_TU
