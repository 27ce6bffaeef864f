// axk2 (withheld from the default-config sweep; memfit answered it with the approximate generic decoder before):
// AXK2Config's default derived module by module from modeling_axk2.py. Its tree is not the generic Llama one: MLA
// attention with a fused q_gate_proj and a DSA indexer, gated RMSNorms, and a MoE on every layer from the second.
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// hidden 2048, 48 layers, 32 heads, q_lora_rank 384, kv_lora_rank 128, qk_nope 64 + qk_rope 32, v_head_dim 64:
//   attention: q_a_proj 2048 * 384 = 786,432; q_a_layernorm 384; q_gate_proj (2 * 384) * 32 * (96 + 64) = 3,932,160;
//     kv_a_proj_with_mqa 2048 * (128 + 32) = 327,680; kv_a_layernorm 128; kv_b_proj 128 * 32 * (64 + 64) = 524,288;
//     o_proj (32 * 64) * 2048 = 4,194,304; indexer (16 heads of 128): wq_b 384 * 2048 = 786,432, wk 2048 * 128 =
//     262,144, k_norm 2 * 128, weights_proj 2048 * 16 = 32,768.  = 10,846,976.
//   gated RMSNorm: weight 2048 + gate fc1 2048 * 16 + fc2 16 * 2048 = 67,584.
//   layer 0 (dense: first_k_dense_replace 1): MLP 3 * 2048 * 5120 = 31,457,280; input_layernorm gated 67,584;
//     post_attention_layernorm plain 2048.  = 42,373,888.
//   layers 1..47 (sparse): experts gate_up_proj 128 * 1024 * 2048 + down_proj 128 * 2048 * 512 = 402,653,184;
//     gate 128 * 2048 = 262,144 (+ buffer e_score_correction_bias [128]); shared_experts 3 * 2048 * 512 = 3,145,728;
//     two gated norms 135,168.  = 417,043,200.
//   embed_tokens 163840 * 2048 = 335,544,320; norm 2048; rotary_emb inv_freq + original_inv_freq [16] (head_dim is
//   qk_rope_head_dim 32).
constexpr uint64_t kSparse = 417'043'200;

TEST(AXK2, DefaultConfigModuleByModule) {
  auto built = build_transformers(Json::parse(R"({"model_type": "axk2"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "AXK2Model");
  EXPECT_FALSE(built->approximate);
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 335'544'320ull + 42'373'888 + 47 * kSparse + 2048);
  EXPECT_EQ(m.parameters, 19'978'950'656ull);
  EXPECT_EQ(m.buffer_bits / 8, 47u * 128 * 4 + 2 * 16 * 4);
  EXPECT_EQ(m.largest_bits / 8, kSparse * 4 + 128 * 4);
  ASSERT_EQ(m.largest_names.size(), 47u);
  EXPECT_EQ(m.largest_names.front(), "layers.1");
  const auto& layers = built->model.root->child("layers")->children;
  EXPECT_EQ(layers[0].second->child("post_attention_layernorm")->cls, "AXK2RMSNorm");
  EXPECT_EQ(layers[1].second->child("post_attention_layernorm")->cls, "AXK2GatedRMSNorm");
}

TEST(AXK2, CausalLmAndLayerPatterns) {
  // tie_word_embeddings defaults False: lm_head 2048 x 163840 of its own.
  auto lm = build_transformers(Json::parse(R"({"model_type": "axk2", "architectures": ["AXK2ForCausalLM"]})"),
                               Target::TaskModel);
  ASSERT_TRUE(lm) << lm.error().message;
  EXPECT_EQ(lm->cls, "AXK2ForCausalLM");
  EXPECT_EQ(measure(lm->model).parameters, 19'978'950'656ull + 2048ull * 163840);
  // Checkpoint names as the A.X K2 hub checkpoints hold them (the conversion mapping reverted on save).
  auto tensors = checkpoint_tensors(lm->model);
  auto has = [&](const std::string& name, std::vector<int64_t> shape) {
    return std::any_of(tensors.begin(), tensors.end(),
                       [&](const CheckpointTensor& t) { return t.name == name && t.shape == shape; });
  };
  EXPECT_TRUE(has("model.layers.1.mlp.experts.127.gate_proj.weight", {512, 2048}));
  EXPECT_TRUE(has("model.layers.1.mlp.experts.0.down_proj.weight", {2048, 512}));
  EXPECT_TRUE(has("model.layers.0.input_layernorm.W_down.weight", {16, 2048}));
  EXPECT_TRUE(has("model.layers.1.post_attention_layernorm.W_up.weight", {2048, 16}));
  EXPECT_TRUE(has("model.layers.0.self_attn.q_b_proj.weight", {5120, 768}));
  EXPECT_TRUE(has("model.layers.0.mlp.gate_proj.weight", {5120, 2048}));
  // The legacy keys: first_k_dense_replace 2, moe_layer_freq 2 over 6 layers -> sparse at 2 and 4 only.
  auto legacy = build_transformers(Json::parse(R"({"model_type": "axk2", "num_hidden_layers": 6,
      "first_k_dense_replace": 2, "moe_layer_freq": 2})"));
  ASSERT_TRUE(legacy) << legacy.error().message;
  const uint64_t dense = 42'373'888;
  EXPECT_EQ(measure(legacy->model).parameters, 335'544'320ull + 4 * dense + 2 * kSparse + 2048);
  // An explicit mlp_layer_types wins.
  auto listed = build_transformers(Json::parse(R"({"model_type": "axk2", "num_hidden_layers": 2,
      "mlp_layer_types": ["sparse", "dense"]})"));
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(measure(listed->model).parameters, 335'544'320ull + dense + kSparse + 2048);
  // A null q_lora_rank is refused, as AXK2Config.validate_architecture does.
  auto bad = build_transformers(Json::parse(R"({"model_type": "axk2", "q_lora_rank": null})"));
  EXPECT_FALSE(bad);
}

}  // namespace MEMFIT_TU
