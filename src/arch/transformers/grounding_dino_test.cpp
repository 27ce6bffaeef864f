// Grounding DINO (grounding-dino, withheld from the default-config sweep) against MM Grounding DINO's sweep case:
// modeling_mm_grounding_dino.py is the modular copy of modeling_grounding_dino.py, and with the default config the
// two models differ in one parameter (MM's ContrastiveEmbedding bias). IDEA-Research/grounding-dino-tiny: 172M.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(GroundingDino, DefaultConfigIsMMGroundingDinoWithoutTheContrastiveBias) {
  // The omitted backbone_config is Swin-T with out_indices [2, 3, 4], as transformers fills it: the same model as
  // the sweep's saved mm-grounding-dino config (172,118,015 parameters, exact there).
  auto mm = build_transformers(Json::parse(R"({"model_type": "mm-grounding-dino"})"));
  auto gd = build_transformers(Json::parse(R"({"model_type": "grounding-dino"})"));
  ASSERT_TRUE(mm) << mm.error().message;
  ASSERT_TRUE(gd) << gd.error().message;
  EXPECT_EQ(gd->cls, "GroundingDinoModel");
  Measurement a = measure(mm->model), b = measure(gd->model);
  EXPECT_EQ(a.parameters, 172'118'015ull);
  EXPECT_EQ(b.parameters, a.parameters - 1);
  EXPECT_EQ(b.buffer_bits, a.buffer_bits);

  // Without two_stage: no enc_output (256^2 + 256), enc_output_norm (512), encoder-output bbox MLP (3 Linears
  // 256->256->256->4: 2*(256^2 + 256) + 256*4 + 4) or class embedding; reference_points Embedding(900, 4) instead.
  auto one = build_transformers(Json::parse(R"({"model_type": "grounding-dino", "two_stage": false})"));
  ASSERT_TRUE(one) << one.error().message;
  const uint64_t heads = (256 * 256 + 256) + 512 + 2 * (256 * 256 + 256) + 256 * 4 + 4;
  EXPECT_EQ(measure(one->model).parameters, b.parameters - heads + 900 * 4);
}

}  // namespace MEMFIT_TU
