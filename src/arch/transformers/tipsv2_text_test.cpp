// TIPSv2's text model (tipsv2_text.cpp), hand-checked against modeling_tipsv2.py (withheld from the sweep).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Tipsv2Text, DefaultConfigByHand) {
  // Tipsv2TextConfig(): vocab 32000, hidden 768, 12 layers, 12 heads, intermediate 3072, 64 positions, relu.
  // embeddings: token_embedding 32000*768 = 24,576,000; sinusoidal `weights` float32 [64, 768] (196,608 bytes) and
  //   position_ids int64 [1, 64] (512 bytes), both non-persistent buffers
  // layer: k/v/q/out_proj 4*590,592 = 2,362,368, layer_norm1 1,536, fc1 2,362,368, fc2 2,360,064, layer_norm2 1,536
  //   -> 7,087,872; 12 layers 85,054,464
  // final_layer_norm 1,536 -> total 109,632,000
  auto built = build_transformers(Json::parse(R"({"model_type": "tipsv2_text_model"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Tipsv2TextModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 109632000u);
  EXPECT_EQ(m.total_bits / 8, 109632000ull * 4 + 196608 + 512);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 24576000ull * 4 + 196608 + 512);
}

}  // namespace
