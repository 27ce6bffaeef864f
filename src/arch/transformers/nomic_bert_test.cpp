// NomicBERT (nomic_bert.cpp), hand-checked against modeling_nomic_bert.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(NomicBert, DefaultConfigByHand) {
  // NomicBertConfig(): vocab 30528, hidden 768, 12 layers, 12 heads (head_dim 64), intermediate 3072, 2048
  // positions, 2 token types, silu.
  // embeddings: word 30528*768 = 23,445,504, token_type 1,536, LayerNorm 1,536 -> 23,448,576
  //   (+ non-persistent position_ids, token_type_ids int64 [1, 2048]: 32,768 bytes)
  // layer: post_attention_layernorm 1,536, mlp gate/up/down 3*768*3072 = 7,077,888, self_attn q/k/v/o
  //   4*768*768 = 2,359,296, post_mlp_layernorm 1,536 -> 9,440,256; 12 layers 113,283,072
  // total 136,731,648 (nomic-ai/nomic-embed-text-v1.5: 137M); rotary inv_freq + original [32] float32: 256 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "nomic_bert"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "NomicBertModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 136731648u);
  EXPECT_EQ(m.total_bits / 8, 136731648ull * 4 + 32768 + 256);
  // The no-split embeddings (93,794,304 + 32,768 bytes) outweigh a layer (37,761,024).
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 23448576ull * 4 + 32768);
  std::vector<std::string> top;
  for (const auto& [name, child] : built->model.root->children) top.push_back(name);
  EXPECT_EQ(top, (std::vector<std::string>{"embeddings", "rotary_emb", "layers"}));
}

TEST(NomicBert, SequenceClassificationHasPooler) {
  // pooler 768*768+768 = 590,592; classifier 768*2+2 = 1,538.
  auto built = build_transformers(Json::parse(R"({"model_type": "nomic_bert",
      "architectures": ["NomicBertForSequenceClassification"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 136731648u + 590592 + 1538);
}

}  // namespace
