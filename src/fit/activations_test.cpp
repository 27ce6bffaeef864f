// Activation and logits terms: Korthikanti et al.'s s*b*h*(34 + 5*a*s/h) reproduced exactly for a GPT-style layer,
// and the generalized terms for a Llama layer (GQA, gated MLP, no dropout), worked out by hand.
#include "fit/activations.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

LayerShape shape_of(const std::string& id) {
  auto b = testing_util::build_catalog(id, Target::TaskModel);
  EXPECT_TRUE(b.has_value()) << id;
  return layer_shape(Json::parse(find_in_catalog(id)->config), b->model, b->cls);
}

TEST(Activations, Gpt2XlIsKorthikanti) {
  // gpt2-xl: h = 1600, a = 25, ffn = 4h, dropout 0.1 everywhere. s = 1024, b = 1, eager attention:
  // s*b*h*34 + 5*a*s^2*b = 55,705,600 + 131,072,000 = 186,777,600 bytes per layer.
  LayerShape s = shape_of("gpt2-xl");
  EXPECT_EQ(s.hidden, 1600);
  EXPECT_EQ(s.ffn, 6400);
  EXPECT_FALSE(s.gated || s.rms_norm_fp32);  // LayerNorm: 16-bit inputs, Korthikanti's 2 B
  EXPECT_TRUE(s.hidden_dropout && s.attention_dropout && s.lm_head);
  ActivationOptions o{.batch = 1, .seq_len = 1024, .attention = "eager"};
  EXPECT_EQ(layer_activation_bytes(s, o), 186'777'600u);
  // Fused attention: no s^2 term, 34*s*b*h plus fp32 log-sum-exp 4*a*s*b = 55,705,600 + 102,400 = 55,808,000.
  o.attention = "flash";
  EXPECT_EQ(layer_activation_bytes(s, o), 55'808'000u);
  // Tensor parallel 5 (Korthikanti eq. 2): s*b*h*(10 + 24/5) + 5*a*s^2*b/5 = 16,384,000 + 7,864,320 + 26,214,400.
  o.attention = "eager", o.tp = 5;
  EXPECT_EQ(layer_activation_bytes(s, o), 50'462'720u);
}

TEST(Activations, Llama2_7b) {
  // h = 4096, q = k = v = o = 4096, gated ffn 11008, no dropout, RMSNorm, e = 2, s = 2048, b = 1 (2048 tokens):
  // replicated: 2 fp32 norm inputs 2*4096*4 + attention and MLP inputs 2*4096*2 = 49,152 B/token; partitioned
  // (4*4096 + 4*11008) * 2 = 120,832 B/token; sdpa log-sum-exp 32 * 4 = 128 B/token -> 2048 * 170,112
  // = 348,389,376 per layer; 32 layers = 11,148,460,032.
  LayerShape s = shape_of("meta-llama/Llama-2-7b-hf");
  EXPECT_TRUE(s.gated && s.rms_norm_fp32);
  EXPECT_FALSE(s.hidden_dropout || s.attention_dropout);
  ActivationOptions o{.batch = 1, .seq_len = 2048};
  EXPECT_EQ(layer_activation_bytes(s, o), 348'389'376u);
  EXPECT_EQ(activation_bytes(s, o), 11'148'460'032u);
  // Eager: the softmax output a*s^2*b*2 = 268,435,456 instead of the 262,144 B of statistics: 616,562,688.
  o.attention = "eager";
  EXPECT_EQ(layer_activation_bytes(s, o), 616'562'688u);
  // Checkpointing (sdpa): 32 layer inputs 2048*4096*2 = 16,777,216 each, plus one layer: 536,870,912 + 348,389,376.
  o.attention = "sdpa", o.checkpointing = true;
  EXPECT_EQ(activation_bytes(s, o), 885'260'288u);
  // Logits: 2048 * 32000 * (4 + 4 + 4 + 2) = 917,504,000.
  EXPECT_EQ(logits_bytes(s, o), 917'504'000u);
}

TEST(Activations, Llama32_3bGqa) {
  // h = 3072, q = o = 3072, k = v = 8 * 128 = 1024, ffn 8192 gated, a = 24. s = 768, b = 4 (3072 tokens):
  // 2*3072*4 + 2*3072*2 + (3072 + 1024 + 1024 + 3072 + 4*8192)*2 + 24*4 = 36,864 + 81,920 + 96 = 118,880 B/token
  // -> 365,199,360 per layer. Logits 3072 * 128,256 * 14 = 5,516,034,048.
  LayerShape s = shape_of("meta-llama/Llama-3.2-3B-Instruct");
  EXPECT_EQ(s.k_width, 1024);
  ActivationOptions o{.batch = 4, .seq_len = 768};
  EXPECT_EQ(layer_activation_bytes(s, o), 365'199'360u);
  EXPECT_EQ(logits_bytes(s, o), 5'516'034'048u);
  o.act_bytes = 4;  // fp32: the returned logits are fp32 too: 3072 * 128,256 * 16
  EXPECT_EQ(logits_bytes(s, o), 6'304'038'912u);
}

TEST(Activations, MoeCountsActiveExperts) {
  // Mixtral-8x7B: top-2 of 8 experts, ffn 14336 gated, GQA 8 x 128. Per token: norms and inputs 49,152;
  // (4096 + 1024 + 1024 + 4096 + 2 * 4 * 14336) * 2 = 249,856; log-sum-exp 128 -> 299,136 * 2048 = 612,630,528.
  LayerShape s = shape_of("mistralai/Mixtral-8x7B-v0.1");
  EXPECT_EQ(s.experts_per_token, 2);
  ActivationOptions o{.batch = 1, .seq_len = 2048};
  EXPECT_EQ(layer_activation_bytes(s, o), 612'630'528u);
}

TEST(Activations, MlaWithSharedExpertsAndDenseFirstLayer) {
  // DeepSeek-V2-Lite: MLA q = k = 16 * (128 + 64) = 3072, v = o = 16 * 128 = 2048; 6 routed + 2 shared experts of
  // 1408 (gated); the first layer dense with 10944. Per token, MoE layer: 2*2048*4 + 2*2048*2 = 24,576;
  // (3072 + 3072 + 2048 + 2048 + 4 * (6 + 2) * 1408) * 2 = 110,592; log-sum-exp 16 * 4 = 64 -> 135,232.
  // Dense layer: 24,576 + (10,240 + 4 * 10,944) * 2 + 64 = 132,672. s = 1024, b = 1, 27 layers:
  // 1024 * (132,672 + 26 * 135,232) = 3,736,272,896.
  LayerShape s = shape_of("deepseek-ai/DeepSeek-V2-Lite");
  EXPECT_EQ(s.q_width, 3072);
  EXPECT_EQ(s.o_width, 2048);
  EXPECT_EQ(s.dense_layers, 1);
  ActivationOptions o{.batch = 1, .seq_len = 1024};
  EXPECT_EQ(layer_activation_bytes(s, o), 1024u * 135'232u);
  EXPECT_EQ(layer_activation_bytes(s, o, true), 1024u * 132'672u);
  EXPECT_EQ(activation_bytes(s, o), 3'736'272'896u);
}

TEST(Activations, HostileSizesSaturate) {
  LayerShape s{.hidden = int64_t{1} << 32, .heads = 1, .layers = 1 << 16, .vocab = int64_t{1} << 32,
               .q_width = int64_t{1} << 32, .k_width = 1, .v_width = 1, .o_width = 1, .ffn = int64_t{1} << 32,
               .lm_head = true};
  ActivationOptions o{.batch = 1 << 20, .seq_len = 1 << 24, .attention = "eager"};
  EXPECT_EQ(activation_bytes(s, o), UINT64_MAX);
  EXPECT_EQ(logits_bytes(s, o), UINT64_MAX);
}

}  // namespace
}  // namespace memfit
