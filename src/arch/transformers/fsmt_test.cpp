// FSMT (fsmt.cpp), hand-checked against modeling_fsmt.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(FSMT, DefaultConfigByHand) {
  // FSMTConfig(): d_model 1024, 12 + 12 layers, 16 heads, ffn 4096, src = tgt vocab 42024, 1024 positions, pad 1,
  // tie_word_embeddings False.
  // encoder: embed_tokens 42024*1024 = 43,032,576; embed_positions (an nn.Embedding) (1024+1+1)*1024 = 1,050,624;
  //   layer: k/v/q/out_proj 4*(1024*1024+1024) = 4,198,400, self_attn_layer_norm 2,048, fc1 4,198,400,
  //   fc2 4,195,328, final_layer_norm 2,048 -> 12,596,224; 12 layers 151,154,688 -> 195,237,888
  // decoder: embed_tokens 43,032,576, embed_positions 1,050,624; layer: self_attn 4,198,400 + norm 2,048,
  //   encoder_attn 4,198,400 + norm 2,048, fc1 + fc2 8,393,728, final norm 2,048 -> 16,796,672; 12 layers
  //   201,560,064; output_projection 43,032,576 -> 288,675,840
  // total 483,913,728
  auto built = build_transformers(Json::parse(R"({"model_type": "fsmt"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "FSMTModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 483913728u);
  EXPECT_EQ(m.total_bits / 8, 483913728ull * 4);
  // No _no_split_modules: three equal largest leaves.
  EXPECT_EQ(m.largest_names, (std::vector<std::string>{"encoder.embed_tokens", "decoder.embed_tokens",
                                                       "decoder.output_projection"}));
  EXPECT_EQ(m.largest_bits / 8, 43032576ull * 4);
}

TEST(FSMT, TiedTablesShareOneStorage) {
  // tie_word_embeddings True (same vocabularies): the decoder table and output_projection are the encoder's:
  // 483,913,728 - 2 * 43,032,576 = 397,848,576.
  auto built = build_transformers(Json::parse(R"({"model_type": "fsmt", "tie_word_embeddings": true})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "FSMTForConditionalGeneration");
  EXPECT_EQ(measure(built->model).parameters, 397848576u);
}

}  // namespace
