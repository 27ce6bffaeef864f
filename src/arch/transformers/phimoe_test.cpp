// PhiMoE, hand-checked against modeling_phimoe.py (the sweep case is withheld).
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Phimoe, DefaultConfigByHand) {
  // PhimoeConfig(): vocab 32064, hidden 4096, intermediate 6400, 32 layers, 32 heads, 8 key/value heads,
  // 16 experts, no attention bias, untied.
  auto built = build_transformers(Json::parse(R"({"model_type": "phimoe"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "PhimoeModel");
  // Per layer (head_dim 128): q, o 4096*4096 = 16,777,216 each; k, v 4096*1024 = 4,194,304 each -> 41,943,040;
  // router 16*4096 = 65,536; experts gate_up 16*12800*4096 = 838,860,800 and down 16*4096*6400 = 419,430,400;
  // two LayerNorms (weight + bias) 16,384 -> 1,300,316,160. 32 layers: 41,610,117,120; embed_tokens 32064*4096 =
  // 131,334,144; final LayerNorm 8,192 -> 41,741,459,456.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 41741459456u);
  EXPECT_EQ(m.total_bits / 8, 41741459456ull * 4 + 2 * 64 * 4);
  EXPECT_EQ(m.largest_bits / 8, 1300316160ull * 4);  // a PhimoeDecoderLayer
  EXPECT_EQ(m.largest_names.front(), "layers.0");
  bool router = false, norm_bias = false;
  for (const auto& [name, bits] : module_sizes(built->model)) {
    router |= name == "layers.0.mlp.router.weight" && bits == 65536u * 32;
    norm_bias |= name == "norm.bias";
  }
  EXPECT_TRUE(router);
  EXPECT_TRUE(norm_bias);
}

TEST(Phimoe, Phi35MoEByHand) {
  // microsoft/Phi-3.5-MoE-instruct's architecture keys (config.json).
  auto built = build_transformers(Json::parse(R"({
    "architectures": ["PhiMoEForCausalLM"], "model_type": "phimoe", "vocab_size": 32064, "hidden_size": 4096,
    "intermediate_size": 6400, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
    "num_local_experts": 16, "num_experts_per_tok": 2, "attention_bias": true, "lm_head_bias": true,
    "tie_word_embeddings": false})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "PhimoeForCausalLM");
  // The default's count plus the attention biases 32*(4096 + 1024 + 1024 + 4096) = 327,680, lm_head 32064*4096 =
  // 131,334,144 and its bias 32,064 -> 41,873,153,344 (published: 41.9B).
  EXPECT_EQ(measure(built->model).parameters, 41873153344u);
  std::vector<std::string> names;
  for (const auto& t : checkpoint_tensors(built->model)) names.push_back(t.name);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  EXPECT_TRUE(has("model.layers.0.block_sparse_moe.gate.weight"));
  EXPECT_TRUE(has("model.layers.31.block_sparse_moe.experts.15.w1.weight"));
  EXPECT_TRUE(has("model.layers.31.block_sparse_moe.experts.15.w2.weight"));
  EXPECT_TRUE(has("lm_head.bias"));
}

}  // namespace
