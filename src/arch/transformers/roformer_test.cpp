// RoFormer (roformer.cpp), hand-checked against modeling_roformer.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(RoFormer, DefaultConfigByHand) {
  // RoFormerConfig(): vocab 50000, hidden 768 (embedding_size None -> 768: no embeddings_project), 12 layers,
  // 12 heads, intermediate 3072, 1536 positions, 2 token types.
  // embeddings: word 50000*768 = 38,400,000, token_type 1,536, LayerNorm 1,536 -> 38,403,072 (no buffers)
  // encoder.embed_positions: frozen sinusoidal nn.Embedding [1536, 768/12 = 64] = 98,304 (a parameter)
  // layer (BertLayer's tree): q/k/v 3*590,592, attention.output dense 590,592 + LayerNorm 1,536, intermediate
  //   2,362,368, output dense 2,360,064 + LayerNorm 1,536 -> 7,087,872; 12 layers 85,054,464
  // total 38,403,072 + 98,304 + 85,054,464 = 123,555,840 (no pooler)
  auto built = build_transformers(Json::parse(R"({"model_type": "roformer"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "RoFormerModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 123555840u);
  EXPECT_EQ(m.total_bits / 8, 123555840ull * 4);
  // No _no_split_modules: the largest leaf, the word embeddings.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings.word_embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 38400000ull * 4);
  EXPECT_EQ(built->model.root->child("encoder")->children.front().first, "embed_positions");
}

TEST(RoFormer, SmallEmbeddingsAndMaskedLM) {
  // junnyu/roformer_chinese_small-like sizes: vocab 50000, embedding_size 384 = hidden 384, 6 layers, 6 heads,
  // intermediate 1536. With embedding_size 128 != hidden 384: embeddings_project Linear(128, 384) = 49,536.
  auto built = build_transformers(Json::parse(R"({"model_type": "roformer", "embedding_size": 128,
      "hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 6, "intermediate_size": 1536,
      "architectures": ["RoFormerForMaskedLM"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "RoFormerForMaskedLM");
  // embeddings: 50000*128 = 6,400,000 + 256 + 256 = 6,400,512; embeddings_project 49,536;
  // embed_positions 1536*64 = 98,304; layer: 4*(384*384+384) = 591,360 + 768 + (384*1536+1536) = 591,360
  //   + (1536*384+384) = 590,208 + 768 -> 1,774,464; 6 layers 10,646,784
  // cls.predictions: transform dense 384*128+128 = 49,280, LayerNorm 256, bias 50,000 (decoder tied)
  // total 6,400,512 + 49,536 + 98,304 + 10,646,784 + 49,280 + 256 + 50,000 = 17,294,672
  EXPECT_EQ(measure(built->model).parameters, 17294672u);
}

}  // namespace
