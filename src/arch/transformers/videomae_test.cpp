// VideoMAE (videomae, withheld from the default-config sweep): the default config against a count derived from
// modeling_videomae.py, module by module (MCG-NJU/videomae-base publishes 86M).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(VideoMAE, DefaultConfigMatchesTheModuleTree) {
  auto b = build_transformers(Json::parse(R"({"model_type": "videomae"})"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "VideoMAEModel");
  Measurement m = measure(b->model);
  // Tubelet Conv3d(3 -> 768, kernel 2x16x16) with bias: 768*3*2*16*16 + 768 = 1,180,416. Each of 12 ViT-B layers:
  // query/key/value/output.dense 4*(768^2 + 768) = 2,362,368, intermediate 768*3072 + 3072 and output 3072*768 + 768
  // (4,722,432), two LayerNorms 3,072: 7,087,872. use_mean_pooling is true: no final LayerNorm. The sin-cos position
  // table is a plain attribute: no buffers.
  const uint64_t params = 1'180'416ull + 12 * 7'087'872ull;
  EXPECT_EQ(params, 86'234'880ull);
  EXPECT_EQ(m.parameters, params);
  EXPECT_EQ(m.buffer_bits, 0u);
  EXPECT_EQ(m.largest_bits, 7'087'872ull * 32);
  EXPECT_EQ(m.largest_names.front(), "encoder.layer.0");

  auto head = build_transformers(Json::parse(R"({"model_type": "videomae", "use_mean_pooling": false,
                                                 "architectures": ["VideoMAEForVideoClassification"],
                                                 "id2label": {"0": "a", "1": "b", "2": "c"}})"),
                                 Target::TaskModel);
  ASSERT_TRUE(head) << head.error().message;
  // Without mean pooling the encoder ends in a LayerNorm (1,536) and there is no fc_norm; classifier 768*3 + 3.
  EXPECT_EQ(measure(head->model).parameters, params + 1'536 + 768 * 3 + 3);
}

}  // namespace MEMFIT_TU
