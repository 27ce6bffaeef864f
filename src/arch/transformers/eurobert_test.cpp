// EuroBERT (eurobert.cpp), hand-checked against modeling_eurobert.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(EuroBert, DefaultConfigByHand) {
  // EuroBertConfig(): vocab 128256, hidden 768, intermediate 3072, 12 layers, 12 heads = 12 kv heads (head_dim 64),
  // no biases, tie_word_embeddings False.
  // embed_tokens 128256*768 = 98,500,608
  // layer: q/k/v/o_proj 4*768*768 = 2,359,296; gate/up/down_proj 3*768*3072 = 7,077,888; two RMSNorms 1,536
  //   -> 9,438,720; 12 layers 113,264,640
  // norm 768 -> total 211,766,016 (EuroBERT/EuroBERT-210m)
  // rotary_emb inv_freq + original_inv_freq float32 [32]: 256 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "eurobert"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "EuroBertModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 211766016u);
  EXPECT_EQ(m.total_bits / 8, 211766016ull * 4 + 256);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embed_tokens"});
  EXPECT_EQ(m.largest_bits / 8, 98500608ull * 4);
  EXPECT_EQ(built->model.root->child("layers")->child("0")->cls, "EuroBertDecoderLayer");
}

TEST(EuroBert, MaskedLMHead) {
  // lm_head Linear(768, 128256), untied, bias only with mlp_bias: + 98,500,608.
  auto built = build_transformers(Json::parse(R"({"model_type": "eurobert",
      "architectures": ["EuroBertForMaskedLM"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 211766016u + 98500608u);
  auto biased = build_transformers(Json::parse(R"({"model_type": "eurobert", "mlp_bias": true,
      "architectures": ["EuroBertForMaskedLM"]})"), Target::TaskModel);
  ASSERT_TRUE(biased) << biased.error().message;
  // mlp_bias: gate/up 3072 each + down 768 per layer (12 * 6,912 = 82,944) and the lm_head bias 128,256.
  EXPECT_EQ(measure(biased->model).parameters, 211766016u + 98500608u + 82944 + 128256);
}

}  // namespace
