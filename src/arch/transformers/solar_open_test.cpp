// Solar Open (solar_open.cpp), hand-checked against modeling_solar_open.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(SolarOpen, DefaultConfigByHand) {
  // SolarOpenConfig(): vocab 196608, hidden 4096, 48 layers, 64 heads, 8 kv heads, head_dim 128, 128 routed experts
  // of moe_intermediate_size 1280, 1 shared expert, attention_bias False, tie_word_embeddings False.
  // embed_tokens 196608*4096 = 805,306,368
  // layer: q_proj 4096*8192 = 33,554,432, k_proj and v_proj 4096*1024 = 4,194,304 each, o_proj 8192*4096 =
  //   33,554,432 (75,497,472); experts gate_up_proj 128*2560*4096 = 1,342,177,280, down_proj 128*4096*1280 =
  //   671,088,640; gate.weight 128*4096 = 524,288 (+ e_score_correction_bias float32 [128]: 512 bytes);
  //   shared_experts gate/up/down 3*4096*1280 = 15,728,640; two RMSNorms 8,192 -> 2,105,024,512; 48 layers
  //   101,041,176,576
  // norm 4,096 -> total 101,846,487,040 (with the untied lm_head's 805,306,368: 102.65B, upstage/Solar-Open-100B)
  // buffers: 48 * 512 bytes of correction biases + rotary inv_freq/original_inv_freq [64] float32 (512 bytes)
  auto built = build_transformers(Json::parse(R"({"model_type": "solar_open"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "SolarOpenModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 101846487040u);
  EXPECT_EQ(m.total_bits / 8, 101846487040ull * 4 + 48 * 512 + 512);
  ASSERT_EQ(m.largest_names.size(), 48u);
  EXPECT_EQ(m.largest_names.front(), "layers.0");
  EXPECT_EQ(m.largest_bits / 8, 2105024512ull * 4 + 512);
  auto attn = built->model.root->child("layers")->child("0")->child("self_attn");
  ASSERT_TRUE(attn);
  EXPECT_EQ(attn->child("q_norm"), nullptr);
}

TEST(SolarOpen, CausalLM) {
  auto built = build_transformers(Json::parse(R"({"model_type": "solar_open",
      "architectures": ["SolarOpenForCausalLM"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 101846487040u + 805306368u);
}

}  // namespace
