// UVDoc (uvdoc.cpp), hand-checked against modeling_uvdoc.py (withheld from the sweep; the uvdoc_backbone sweep case
// is an error: UVDocBackboneConfig is no AutoModel class).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::module_bytes;

// UVDocConfig() with UVDocBackboneConfig(): kernel 5. "CN(i, o, k)" = conv i*o*k*k (+ o with bias) + BatchNorm 2*o.
// resnet_head: CN(3, 32, 5) 2,464 + CN(32, 32, 5) 25,664 = 28,128
// resnet_down 0: three blocks of conv_start + conv_final CN(32, 32, 5) with bias (25,696 each) = 154,176
// resnet_down 1: (32, 64, downsample): conv_down and conv_start CN(32, 64, 5)+bias 51,392 each, conv_final
//   CN(64, 64, 5)+bias 102,592 -> 205,376; three (64, 64) blocks 2 x 102,592 each -> 820,928
// resnet_down 2: (64, 128, downsample): 2 x 205,184 + 409,984 = 820,352; five (128, 128) blocks 2 x 409,984 each
//   -> 4,920,192
// bridge: 12 dilated CN(128, 128, 3) without bias, 147,712 each = 1,772,544 -> backbone 7,695,968
// head: bridge_connector CN(6*128, 128, 1) 98,560, out_point_positions2D conv_down CN(128, 32, 5) 102,464 + PReLU 1,
//   conv_up 32*2*25 + 2 = 1,602 -> 202,627; total 7,898,595
// Buffers: 44 BatchNorms (running_mean/var + num_batches_tracked) = 33,888 bytes.
constexpr uint64_t kParams = 7898595;

TEST(UVDoc, DefaultConfigByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "uvdoc"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "UVDocModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 28128u + 154176 + 820928 + 4920192 + 1772544 + 202627);
  EXPECT_EQ(m.parameters, kParams);
  EXPECT_EQ(m.buffer_bits / 8, 33888u);
  EXPECT_EQ(module_bytes(built->model, "head"), 202627u * 4 + 1032 + 264);  // + BatchNorm(128) and (32) buffers
  EXPECT_TRUE(built->model.no_split.empty());
  // The largest leaf: a 128 -> 128 5x5 conv with bias (409,728 parameters) of the last resnet stage.
  EXPECT_EQ(m.largest_bits / 8, 409728u * 4);
}

TEST(UVDoc, SmallerBackboneConfig) {
  // One bridge stage of one dilated conv, one resnet stage of one block: CN(3, 32, 5) 2,464 + CN(32, 32, 5) 25,664;
  // block (32, 32) conv_start + conv_final 2 x 25,696; bridge CN(32, 32, 3) 9,280; head connector CN(32, 128, 1)
  // 4,352, conv_down 102,465, conv_up 1,602.
  auto built = build_transformers(Json::parse(R"({"model_type": "uvdoc", "bridge_connector": [32, 128],
      "backbone_config": {"model_type": "uvdoc_backbone", "resnet_configs": [[[32, 32, 1, false]]],
                          "stage_configs": [[[32, 1]]]}})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 2464u + 25664 + 2 * 25696 + 9280 + 4352 + 102465 + 1602);
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "uvdoc",
      "backbone_config": {"model_type": "uvdoc_backbone", "resnet_configs": [[[32, 32]]]}})")));
}

}  // namespace
}  // namespace memfit
