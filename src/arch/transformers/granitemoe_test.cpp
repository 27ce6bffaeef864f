// Granite MoE, hand-checked against modeling_granitemoe.py (no accelerate fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// ibm-granite/granite-3.1-3b-a800m-instruct's architecture keys (config.json).
const char* kConfig = R"({
  "architectures": ["GraniteMoeForCausalLM"], "model_type": "granitemoe", "hidden_act": "silu",
  "hidden_size": 1536, "intermediate_size": 512, "num_hidden_layers": 32, "num_attention_heads": 24,
  "num_key_value_heads": 8, "num_local_experts": 40, "num_experts_per_tok": 8, "attention_bias": false,
  "max_position_embeddings": 131072, "rope_theta": 10000000.0, "tie_word_embeddings": true, "vocab_size": 49155
})";

TEST(GraniteMoe, ParameterCountByHand) {
  auto built = build_transformers(Json::parse(kConfig));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "GraniteMoeModel");
  // Per layer (head_dim 1536/24 = 64): q, o 1536*1536 = 2,359,296 each; k, v 1536*512 = 786,432 each
  // -> attention 6,291,456; router 40*1536 = 61,440; experts gate_up 40*1024*1536 = 62,914,560 and
  // down 40*1536*512 = 31,457,280; two norms 3,072 -> 100,727,808. 32 layers: 3,223,289,856;
  // embed_tokens 49155*1536 = 75,502,080; final norm 1,536 -> 3,298,793,472.
  EXPECT_EQ(measure(built->model).parameters, 3298793472u);
  bool found = false;
  for (const auto& [name, bits] : module_sizes(built->model))
    if (name == "layers.31.block_sparse_moe.experts.gate_up_proj") found = bits == 62914560ull * 32;
  EXPECT_TRUE(found);
}

TEST(GraniteMoe, TaskModelCheckpointNames) {
  auto built = build_transformers(Json::parse(kConfig), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "GraniteMoeForCausalLM");
  EXPECT_EQ(measure(built->model).parameters, 3298793472u);  // lm_head tied to embed_tokens
  std::vector<std::string> names;
  for (const auto& t : checkpoint_tensors(built->model)) names.push_back(t.name);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  EXPECT_TRUE(has("model.layers.0.block_sparse_moe.input_linear.weight"));
  EXPECT_TRUE(has("model.layers.0.block_sparse_moe.output_linear.weight"));
  EXPECT_TRUE(has("model.layers.0.block_sparse_moe.router.layer.weight"));
  EXPECT_FALSE(has("lm_head.weight"));
  EXPECT_EQ(names.size(), 1u + 32 * 9 + 1);  // embed, 9 tensors per layer, norm
}

TEST(GraniteMoeShared, DefaultConfigByHand) {
  // GraniteMoeSharedConfig(): vocab 32000, hidden 4096, intermediate 11008, 32 layers, 32 heads and key/value
  // heads, 8 experts, shared_intermediate_size 0 (no shared_mlp), untied.
  auto built = build_transformers(Json::parse(R"({"model_type": "granitemoeshared"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "GraniteMoeSharedModel");
  // Per layer: q, k, v, o 4096*4096 = 16,777,216 each -> 67,108,864; router 8*4096 = 32,768; experts gate_up
  // 8*22016*4096 = 721,420,288 and down 8*4096*11008 = 360,710,144; norms 8,192 -> 1,149,280,256. 32 layers:
  // 36,776,968,192; embed_tokens 32000*4096 = 131,072,000; norm 4,096 -> 36,908,044,288.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 36908044288u);
  EXPECT_EQ(m.largest_bits / 8, 1149280256ull * 4);
  EXPECT_EQ(m.largest_names.size(), 32u);
  EXPECT_EQ(m.largest_names.front(), "layers.0");
}

TEST(GraniteMoeShared, SharedMlpAndLegacyNames) {
  // granite-3.0-1b-a400m's sizes with a shared expert of width 1024.
  auto j = Json::parse(R"({"architectures": ["GraniteMoeSharedForCausalLM"], "model_type": "granitemoeshared",
      "hidden_size": 1024, "intermediate_size": 512, "num_hidden_layers": 24, "num_attention_heads": 16,
      "num_key_value_heads": 8, "num_local_experts": 32, "shared_intermediate_size": 1024, "vocab_size": 49155,
      "tie_word_embeddings": true})");
  auto built = build_transformers(j, Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  // Per layer (head_dim 64): q, o 1024*1024 = 1,048,576 each; k, v 1024*512 = 524,288 each; router 32*1024 = 32,768;
  // experts gate_up 32*1024*1024 = 33,554,432 and down 32*1024*512 = 16,777,216; shared_mlp input_linear
  // 1024*2048 = 2,097,152 and output_linear 1024*1024 = 1,048,576; norms 2,048 -> 56,657,920. 24 layers:
  // 1,359,790,080; embed_tokens 49155*1024 = 50,334,720 (lm_head tied); norm 1,024 -> 1,410,125,824.
  EXPECT_EQ(measure(built->model).parameters, 1410125824u);
  std::vector<std::string> names;
  for (const auto& t : checkpoint_tensors(built->model)) names.push_back(t.name);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  EXPECT_TRUE(has("model.layers.0.block_sparse_moe.input_linear.weight"));
  EXPECT_TRUE(has("model.layers.0.shared_mlp.input_linear.weight"));
  EXPECT_TRUE(has("model.layers.23.block_sparse_moe.router.layer.weight"));
}

}  // namespace
