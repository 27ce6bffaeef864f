// OLMoE, hand-checked against modeling_olmoe.py (no accelerate fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// allenai/OLMoE-1B-7B-0924's architecture keys (config.json).
const char* kConfig = R"({
  "architectures": ["OlmoeForCausalLM"], "model_type": "olmoe", "hidden_size": 2048, "intermediate_size": 1024,
  "num_hidden_layers": 16, "num_attention_heads": 16, "num_key_value_heads": 16, "num_experts": 64,
  "num_experts_per_tok": 8, "vocab_size": 50304, "attention_bias": false, "tie_word_embeddings": false
})";

TEST(Olmoe, ParameterCountByHand) {
  auto built = build_transformers(Json::parse(kConfig), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "OlmoeForCausalLM");
  // Per layer: q, k, v, o 2048*2048 = 4,194,304 each -> 16,777,216; q_norm, k_norm 2,048 each; router 64*2048 =
  // 131,072; experts gate_up 64*2048*2048 = 268,435,456 and down 64*2048*1024 = 134,217,728; two norms 4,096
  // -> 419,569,664. 16 layers: 6,713,114,624; embed_tokens and lm_head 50304*2048 = 103,022,592 each; norm 2,048
  // -> 6,919,161,856.
  EXPECT_EQ(measure(built->model).parameters, 6919161856u);
  size_t experts = 0;
  for (const auto& t : checkpoint_tensors(built->model)) experts += t.name.find(".mlp.experts.") != std::string::npos;
  EXPECT_EQ(experts, 16u * 64 * 3);  // saved per expert: gate_proj, up_proj, down_proj
}

}  // namespace
