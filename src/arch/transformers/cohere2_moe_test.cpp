// Cohere2-MoE (cohere2_moe.cpp), hand-checked against modeling_cohere2_moe.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Cohere2Moe, DefaultConfigByHand) {
  // Cohere2MoeConfig(): vocab 256000, hidden 8192, 40 layers, 64 heads = 64 kv heads, head_dim 128, intermediate
  // 22528, 8 experts, no shared experts, no dense prefix (first_k_dense_replace 0), rms_norm_eps None ->
  // weight-only Cohere2MoeLayerNorm, tie_word_embeddings True.
  // embed_tokens 256000*8192 = 2,097,152,000
  // layer: q/k/v/o_proj 4*8192*8192 = 268,435,456; mlp.gate 8*8192 = 65,536; experts gate_up_proj 8*45056*8192 =
  //   2,952,790,016 + down_proj 8*8192*22528 = 1,476,395,008; input_layernorm 8,192 -> 4,697,694,208;
  //   40 layers 187,907,768,320
  // norm 8,192 -> total 190,004,928,512; rotary_emb inv_freq + original_inv_freq float32 [64]: 512 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "cohere2_moe"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Cohere2MoeModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 190004928512u);
  EXPECT_EQ(m.total_bits / 8, 190004928512ull * 4 + 512);
  ASSERT_EQ(m.largest_names.size(), 40u);
  EXPECT_EQ(m.largest_names.front(), "layers.0");
  EXPECT_EQ(m.largest_bits / 8, 4697694208ull * 4);
  auto layer0 = built->model.root->child("layers")->child("0");
  ASSERT_TRUE(layer0);
  EXPECT_EQ(layer0->children.size(), 3u);  // self_attn, mlp, input_layernorm
  EXPECT_EQ(layer0->child("input_layernorm")->cls, "Cohere2MoeLayerNorm");
}

TEST(Cohere2Moe, DensePrefixSharedExpertsAndRmsNorm) {
  // 2 layers, hidden 64, 4 heads of 16, intermediate 128, 4 experts, 1 shared expert, first layer dense with
  // prefix_dense_intermediate_size 256, RMSNorms; tied lm_head.
  // embed 1000*64 = 64,000; attention 4*64*64 = 16,384 per layer; dense mlp 3*64*256 = 49,152;
  // sparse: gate 4*64 = 256, experts 4*256*64 + 4*64*128 = 98,304, shared 3*64*128 = 24,576;
  // norms 64 per layer + final 64 -> 64,000 + 2*16,384 + 49,152 + 256 + 98,304 + 24,576 + 3*64 = 269,248
  auto built = build_transformers(Json::parse(R"({"model_type": "cohere2_moe", "vocab_size": 1000,
      "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "head_dim": 16, "intermediate_size": 128,
      "num_experts": 4, "num_shared_experts": 1, "mlp_layer_types": ["dense", "sparse"],
      "prefix_dense_intermediate_size": 256, "rms_norm_eps": 1e-5, "layer_types": ["full_attention", "full_attention"],
      "architectures": ["Cohere2MoeForCausalLM"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 269248u);
  EXPECT_EQ(built->model.root->child("model")->child("norm")->cls, "Cohere2MoeRMSNorm");
}

}  // namespace
