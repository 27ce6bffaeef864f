// dots.llm1, hand-checked against modeling_dots1.py (the real sweep cannot build the default config:
// n_routed_experts and n_shared_experts default to None; default_refused_test.cpp).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// rednote-hilab/dots.llm1.base's architecture keys (config.json).
const char* kConfig = R"({
  "architectures": ["Dots1ForCausalLM"], "model_type": "dots1", "vocab_size": 152064, "hidden_size": 4096,
  "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 62, "num_attention_heads": 32,
  "num_key_value_heads": 32, "n_routed_experts": 128, "n_shared_experts": 2, "num_experts_per_tok": 6,
  "first_k_dense_replace": 1, "tie_word_embeddings": false, "attention_bias": false})";

TEST(Dots1, DotsLlm1ByHand) {
  auto built = build_transformers(Json::parse(kConfig));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Dots1Model");
  // Attention (head_dim 128): q, k, v, o 4096*4096 = 16,777,216 each; q_norm, k_norm 128 each -> 67,109,120.
  // Layer 0 (dense): + MLP 3*4096*10944 = 134,479,872 + norms 8,192 -> 201,597,184.
  // Layers 1-61: experts 128*3*4096*1408 = 2,214,592,512; gate 128*4096 = 524,288; shared_experts 3*4096*(1408*2) =
  // 34,603,008; + attention and norms -> 2,316,837,120 each, 141,327,064,320 together.
  // embed_tokens 152064*4096 = 622,854,144; norm 4,096 -> 142,151,519,744; with lm_head 142,774,373,888
  // (published: 142B). Buffers: e_score_correction_bias [128] float32 per MoE layer, rotary [64] twice.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 142151519744u);
  EXPECT_EQ(m.total_bits / 8, 142151519744ull * 4 + 61 * 128 * 4 + 2 * 64 * 4);
  EXPECT_EQ(m.largest_bits / 8, 2316837120ull * 4 + 128 * 4);
  auto task = build_transformers(Json::parse(kConfig), Target::TaskModel);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(measure(task->model).parameters, 142774373888u);
  size_t experts = 0;
  bool bias = false;
  for (const auto& t : checkpoint_tensors(task->model)) {
    experts += t.name.find(".mlp.experts.") != std::string::npos;
    bias |= t.name == "model.layers.1.mlp.gate.e_score_correction_bias";
  }
  EXPECT_EQ(experts, 61u * 128 * 3);
  EXPECT_TRUE(bias);
}

}  // namespace
