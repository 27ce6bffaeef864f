// AFMoE (afmoe.cpp), hand-checked against modeling_afmoe.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Afmoe, DefaultConfigByHand) {
  // AfmoeConfig(): vocab 200192, hidden 2048, 32 layers (the first dense), 16 heads = 16 kv heads, head_dim 128,
  // intermediate 6144, 64 experts of moe_intermediate 1408, 2 shared experts, untied.
  // embed_tokens 200192*2048 = 409,993,216
  // attention: q/k/v/o_proj 4*2048*2048 = 16,777,216, q_norm + k_norm 256, gate_proj 2048*2048 = 4,194,304
  //   -> 20,971,776; four layer RMSNorms 8,192
  // dense layer 0: mlp 3*2048*6144 = 37,748,736 -> 58,728,704
  // sparse layers: router.gate 64*2048 = 131,072, shared_experts 3*2048*2816 = 17,301,504, experts
  //   64*2816*2048 + 64*2048*1408 = 553,648,128, expert_bias 64 -> 571,080,768; layer 592,060,736; 31 of them
  //   18,353,882,816
  // norm 2,048 -> total 18,822,606,784; rotary inv_freq + original_inv_freq [64] float32: 512 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "afmoe"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "AfmoeModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 18822606784u);
  EXPECT_EQ(m.total_bits / 8, 18822606784ull * 4 + 512);
  ASSERT_EQ(m.largest_names.size(), 31u);
  EXPECT_EQ(m.largest_names.front(), "layers.1");
  EXPECT_EQ(m.largest_bits / 8, 592060736ull * 4);
  auto layer1 = built->model.root->child("layers")->child("1");
  ASSERT_TRUE(layer1);
  EXPECT_EQ(layer1->children.back().first, "mlp");
  EXPECT_EQ(layer1->child("self_attn")->children.back().first, "gate_proj");
}

}  // namespace
