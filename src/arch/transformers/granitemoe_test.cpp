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

}  // namespace
