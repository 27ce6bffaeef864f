// BigBird-Pegasus (bigbird_pegasus.cpp), hand-checked against modeling_bigbird_pegasus.py (withheld from the sweep).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(BigBirdPegasus, DefaultConfigByHand) {
  // BigBirdPegasusConfig(): vocab 96103, d_model 1024, 16 + 16 layers, ffn 4096, 4096 positions, use_bias False,
  // block_sparse attention, tie_word_embeddings True.
  // shared 96103*1024 = 98,409,472 (encoder.embed_tokens and decoder.embed_tokens tied to it)
  // encoder: embed_positions 4096*1024 = 4,194,304; layer: self_attn.self query/key/value 3*1024*1024 = 3,145,728,
  //   self_attn.output 1,048,576, self_attn_layer_norm 2,048, fc1 1024*4096+4096 = 4,198,400, fc2 4,195,328,
  //   final_layer_norm 2,048 -> 12,592,128; 16 layers 201,474,048; layernorm_embedding 2,048
  // decoder: embed_positions 4,194,304; layer: self_attn 4*1024*1024 = 4,194,304 + norm 2,048, encoder_attn
  //   4,194,304 + norm 2,048, fc1 + fc2 8,393,728, final_layer_norm 2,048 -> 16,788,480; 16 layers 268,615,680;
  //   layernorm_embedding 2,048
  // total 98,409,472 + 2*4,194,304 + 201,474,048 + 268,615,680 + 2*2,048 = 576,891,904
  auto built = build_transformers(Json::parse(R"({"model_type": "bigbird_pegasus"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "BigBirdPegasusModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 576891904u);
  EXPECT_EQ(m.total_bits / 8, 576891904ull * 4);
  // The shared table is the largest layer; memfit names its tied copies too.
  EXPECT_EQ(m.largest_names, (std::vector<std::string>{"shared", "encoder.embed_tokens", "decoder.embed_tokens"}));
  EXPECT_EQ(m.largest_bits / 8, 98409472ull * 4);
  auto enc0 = built->model.root->child("encoder")->child("layers")->child("0");
  ASSERT_TRUE(enc0);
  EXPECT_EQ(enc0->child("self_attn")->child("self")->cls, "BigBirdPegasusBlockSparseAttention");
}

TEST(BigBirdPegasus, BiasedConditionalGeneration) {
  // use_bias True: encoder layers + 4*1024 each (65,536), decoder layers + 8*1024 each (131,072);
  // ForConditionalGeneration adds a tied lm_head and the final_logits_bias buffer [1, 96103] (384,412 bytes).
  auto built = build_transformers(Json::parse(R"({"model_type": "bigbird_pegasus", "use_bias": true,
      "architectures": ["BigBirdPegasusForConditionalGeneration"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 576891904u + 65536 + 131072);
  EXPECT_EQ(m.total_bits / 8, (576891904ull + 65536 + 131072) * 4 + 384412);
}

}  // namespace
