// ConvBERT (convbert.cpp), hand-checked against modeling_convbert.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(ConvBert, DefaultConfigByHand) {
  // ConvBertConfig(): vocab 30522, embedding_size = hidden 768, 12 layers, 12 heads, head_ratio 2, intermediate
  // 3072, conv_kernel_size 9, num_groups 1. Attention heads 12 // 2 = 6 of (768 / 6) / 2 = 64 -> width 384.
  // embeddings: word 23,440,896, position 393,216, token_type 1,536, LayerNorm 1,536 -> 23,837,184
  //   (+ non-persistent position_ids, token_type_ids int64 [1, 512]: 8,192 bytes)
  // self-attention: query/key/value 3*(768*384+384) = 885,888; key_conv_attn_layer depthwise 768*1*9 = 6,912,
  //   pointwise 768*384 = 294,912, bias [384, 1] 384 (302,208); conv_kernel_layer 384*54+54 = 20,790;
  //   conv_out_layer 768*384+384 = 295,296 -> 1,504,182
  // attention.output dense 590,592 + LayerNorm 1,536; intermediate 2,362,368; output 2,360,064 + 1,536
  //   -> layer 6,820,278; 12 layers 81,843,336
  // total 23,837,184 + 81,843,336 = 105,680,520 (YituTech/conv-bert-base: 106M); no pooler
  auto built = build_transformers(Json::parse(R"({"model_type": "convbert"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "ConvBertModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 105680520u);
  EXPECT_EQ(m.total_bits / 8, 105680520ull * 4 + 8192);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings.word_embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 23440896ull * 4);
}

TEST(ConvBert, GroupedSmallAndMaskedLM) {
  // conv-bert-small-like: embedding_size 128, hidden 256, 4 heads -> 2 of 64, width 128, intermediate 1024,
  // num_groups 2, 12 layers.
  // embeddings 30522*128 = 3,906,816 + 512*128 = 65,536 + 256 + 256 = 3,972,864; embeddings_project 128*256+256 =
  //   33,024
  // self: q/k/v 3*(256*128+128) = 98,688; separable conv 256*9 + 256*128 + 128 = 35,200; conv_kernel_layer
  //   128*18+18 = 2,322; conv_out_layer 32,896 -> 169,106; attention.output 65,792 + 512; intermediate grouped
  //   2*128*512 + 1024 = 132,096; output grouped 2*512*128 + 256 = 131,328 + 512 -> 499,346; 12 layers 5,992,152
  // ConvBertForMaskedLM: generator_predictions LayerNorm 256 + dense 256*128+128 = 32,896; generator_lm_head tied
  //   weight, bias 30,522
  // total 3,972,864 + 33,024 + 5,992,152 + 256 + 32,896 + 30,522 = 10,061,714
  auto built = build_transformers(Json::parse(R"({"model_type": "convbert", "embedding_size": 128,
      "hidden_size": 256, "num_attention_heads": 4, "intermediate_size": 1024, "num_groups": 2,
      "architectures": ["ConvBertForMaskedLM"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 10061714u);
}

}  // namespace
