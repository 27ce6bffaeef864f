// CamemBERT (bert.cpp), hand-checked against modeling_camembert.py (the sweep case is withheld).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Camembert, DefaultConfigByHand) {
  // CamembertConfig(): vocab 30522, hidden 768, 12 layers, 12 heads, intermediate 3072, 512 positions,
  // type_vocab_size 2: RoBERTa's tree, so BERT-base's 109,482,240 parameters: word 30522*768 = 23,440,896,
  // position 393,216, token type 1,536, LayerNorm 1,536; 12 layers of 7,087,872; pooler 590,592.
  auto built = build_transformers(Json::parse(R"({"model_type": "camembert"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "CamembertModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 109482240u);
  EXPECT_EQ(m.total_bits / 8, 109482240ull * 4 + 2 * 512 * 8);  // position_ids, token_type_ids int64 [1, 512]
  // CamembertEmbeddings is a no-split module: 23,837,184 parameters + the two id buffers.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 23837184ull * 4 + 8192);
  EXPECT_EQ(built->model.root->child("embeddings")->cls, "CamembertEmbeddings");
  EXPECT_EQ(built->model.root->children.back().first, "pooler");
}

TEST(Camembert, MaskedLMHeadComesFirst) {
  // almanach/camembert-base's sizes (vocab 32005). CamembertForMaskedLM registers lm_head before roberta, so the
  // tied word embedding is named lm_head.decoder.weight, as PyTorch dedupes the tie.
  auto built = build_transformers(Json::parse(R"({"architectures": ["CamembertForMaskedLM"],
      "model_type": "camembert", "vocab_size": 32005, "max_position_embeddings": 514, "type_vocab_size": 1})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  const auto& kids = built->model.root->children;
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(kids[0].first, "lm_head");
  EXPECT_EQ(kids[1].first, "roberta");
  // word 32005*768 = 24,579,840; position 514*768 = 394,752; token type 768; LayerNorm 1,536; 12 layers
  // 85,054,464; lm_head dense 590,592, layer_norm 1,536, bias 32,005 (decoder tied) -> 110,655,493 (published:
  // 110M).
  EXPECT_EQ(measure(built->model).parameters, 110655493u);
  uint64_t lm_head = 0;
  for (const auto& [name, bits] : module_sizes(built->model))
    if (name == "lm_head") lm_head = bits / 32;
  EXPECT_EQ(lm_head, 24579840u + 590592 + 1536 + 32005);
  // Without `architectures` the task model is AutoModelForPreTraining's: the same masked LM.
  auto pre = build_transformers(Json::parse(R"({"model_type": "camembert", "vocab_size": 32005})"), Target::TaskModel);
  ASSERT_TRUE(pre) << pre.error().message;
  EXPECT_EQ(pre->cls, "CamembertForMaskedLM");
}

}  // namespace
