// RoBERTa-PreLayerNorm (roberta_prelayernorm.cpp), hand-checked against modeling_roberta_prelayernorm.py (withheld
// from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(RobertaPreLayerNorm, DefaultConfigByHand) {
  // RobertaPreLayerNormConfig(): vocab 50265, hidden 768, 12 layers, intermediate 3072, 512 positions, 2 types.
  // embeddings: word 50265*768 = 38,603,520, token_type 2*768 = 1,536, LayerNorm 1,536, position 512*768 = 393,216
  //   -> 38,999,808 (+ position_ids and token_type_ids, int64 [1, 512]: 8,192 bytes)
  // layer: attention.self q/k/v 3*590,592 = 1,771,776, attention.output.dense 590,592, attention.LayerNorm 1,536;
  //   intermediate.LayerNorm 1,536 + dense 768*3072+3072 = 2,362,368; output.dense 3072*768+768 = 2,360,064
  //   -> 7,087,872; 12 layers 85,054,464
  // model LayerNorm 1,536; pooler.dense 590,592
  // total 38,999,808 + 85,054,464 + 1,536 + 590,592 = 124,646,400
  auto built = build_transformers(Json::parse(R"({"model_type": "roberta-prelayernorm"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "RobertaPreLayerNormModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 124646400u);
  EXPECT_EQ(m.total_bits / 8, 124646400ull * 4 + 8192);
  // _no_split_modules: Embeddings, SelfAttention, CrossAttention: the embeddings are the largest.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 38999808ull * 4 + 8192);
  const auto& root = *built->model.root;
  EXPECT_EQ(root.children[2].first, "LayerNorm");
  EXPECT_EQ(root.children.back().first, "pooler");
  auto layer0 = root.child("encoder")->child("layer")->child("0");
  ASSERT_TRUE(layer0);
  EXPECT_EQ(layer0->child("attention")->children.back().first, "LayerNorm");
  EXPECT_EQ(layer0->child("intermediate")->children.front().first, "LayerNorm");
  EXPECT_EQ(layer0->child("output")->child("LayerNorm"), nullptr);
}

TEST(RobertaPreLayerNorm, MaskedLMTiesDecoder) {
  // AutoModelForPreTraining's class is the masked LM: roberta_prelayernorm (no pooler: 124,646,400 - 590,592),
  // lm_head dense 590,592, layer_norm 1,536, bias 50,265; decoder weight and bias tied -> 124,698,201.
  auto built = build_transformers(Json::parse(R"({"model_type": "roberta-prelayernorm"})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "RobertaPreLayerNormForMaskedLM");
  EXPECT_EQ(measure(built->model).parameters, 124646400u - 590592 + 590592 + 1536 + 50265);
  // Cross-attention layers (decoder with add_cross_attention) add a second attention block per layer:
  // 2,363,904 * 12 = 28,366,848.
  auto cross = build_transformers(Json::parse(R"({"model_type": "roberta-prelayernorm", "is_decoder": true,
      "add_cross_attention": true})"));
  ASSERT_TRUE(cross) << cross.error().message;
  EXPECT_EQ(measure(cross->model).parameters, 124646400u + 28366848u);
}

}  // namespace
