// Jina Embeddings v3 (nomic_bert.cpp), hand-checked against modeling_jina_embeddings_v3.py (withheld from the
// sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(JinaEmbeddingsV3, DefaultConfigByHand) {
  // JinaEmbeddingsV3Config(): vocab 250002, hidden 1024, 24 layers, 16 heads (head_dim 64), intermediate 4096,
  // 8194 positions, 1 token type.
  // embeddings: word 250002*1024 = 256,002,048, token_type 1,024, LayerNorm 2,048 -> 256,005,120
  //   (+ non-persistent position_ids, token_type_ids int64 [1, 8194]: 131,104 bytes)
  // pooler 1024*1024+1024 = 1,049,600
  // layer: post_attention_layernorm 2,048, mlp fc1 1024*4096+4096 = 4,198,400, fc2 4096*1024+1024 = 4,195,328,
  //   self_attn 4*(1024*1024+1024) = 4,198,400, post_mlp_layernorm 2,048 -> 12,596,224; 24 layers 302,309,376
  // total 256,005,120 + 1,049,600 + 302,309,376 = 559,364,096 (jinaai/jina-embeddings-v3 572M with its LoRA
  // adapters); rotary inv_freq + original_inv_freq [32] float32: 256 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "jina_embeddings_v3"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "JinaEmbeddingsV3Model");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 559364096u);
  EXPECT_EQ(m.total_bits / 8, 559364096ull * 4 + 131104 + 256);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 256005120ull * 4 + 131104);
}

TEST(JinaEmbeddingsV3, MaskedLMHeadComesFirst) {
  // lm_head: dense 1,049,600, layer_norm 2,048, bias 250,002 (decoder tied); roberta without pooler.
  auto built = build_transformers(Json::parse(R"({"model_type": "jina_embeddings_v3",
      "architectures": ["JinaEmbeddingsV3ForMaskedLM"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->model.root->children.front().first, "lm_head");
  EXPECT_EQ(measure(built->model).parameters, 559364096u - 1049600 + 1049600 + 2048 + 250002);
}

}  // namespace
