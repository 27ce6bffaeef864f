// GPT-NeoX-Japanese (gpt_neox_japanese.cpp), hand-checked against modeling_gpt_neox_japanese.py (withheld from the
// sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(GPTNeoXJapanese, DefaultConfigByHand) {
  // GPTNeoXJapaneseConfig(): vocab 32000, hidden 2560, 32 layers, 32 heads, intermediate_multiple_size 4 -> 10240.
  // embed_in 32000*2560 = 81,920,000
  // layer: input/post_attention LayerNorm 2*5,120; query_key_value 2560*7680 = 19,660,800; dense 2560*2560 =
  //   6,553,600; dense_h_to_4h + dense_4h_to_h 2*2560*10240 = 52,428,800 -> 78,653,440; 32: 2,516,910,080
  // the last layer's attention.dense_bias 2,560; final_layer_norm 5,120
  // total 81,920,000 + 2,516,910,080 + 2,560 + 5,120 = 2,598,837,760 (abeja/gpt-neox-japanese-2.7b: 2.7B)
  // rotary_emb: inv_freq and original_inv_freq float32 [80 / 2 = 40]: 320 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "gpt_neox_japanese"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "GPTNeoXJapaneseModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 2598837760u);
  EXPECT_EQ(m.total_bits / 8, 2598837760ull * 4 + 320);
  // The largest layer is embed_in (327,680,000 bytes), above the largest no-split module, the last layer with its
  // dense_bias ((78,653,440 + 2,560) * 4 = 314,624,000 bytes).
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embed_in"});
  EXPECT_EQ(m.largest_bits / 8, 81920000ull * 4);
}

TEST(GPTNeoXJapanese, CausalLMTiesEmbedOut) {
  auto built = build_transformers(Json::parse(R"({"model_type": "gpt_neox_japanese",
      "architectures": ["GPTNeoXJapaneseForCausalLM"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "GPTNeoXJapaneseForCausalLM");
  EXPECT_EQ(measure(built->model).parameters, 2598837760u);  // embed_out tied to embed_in
  EXPECT_EQ(built->model.root->children.back().first, "embed_out");
  // Untied: + 2560*32000 = 81,920,000.
  auto untied = build_transformers(Json::parse(R"({"model_type": "gpt_neox_japanese", "tie_word_embeddings": false,
      "architectures": ["GPTNeoXJapaneseForCausalLM"]})"),
                                   Target::TaskModel);
  ASSERT_TRUE(untied) << untied.error().message;
  EXPECT_EQ(measure(untied->model).parameters, 2598837760u + 81920000);
}

}  // namespace
