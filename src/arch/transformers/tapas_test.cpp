// TAPAS (tapas.cpp), hand-checked against modeling_tapas.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Tapas, DefaultConfigByHand) {
  // TapasConfig(): vocab 30522, hidden 768, 12 layers, intermediate 3072, 1024 positions,
  // type_vocab_sizes [3, 256, 256, 2, 256, 256, 10] (1,039 rows).
  // embeddings: word 30522*768 = 23,440,896, position 1024*768 = 786,432, token_type_embeddings_0..6
  //   1039*768 = 797,952, LayerNorm 1,536 -> 25,026,816
  // 12 BERT layers of 7,087,872 = 85,054,464; pooler 590,592
  // total 110,671,872 (google/tapas-base: 110M)
  auto built = build_transformers(Json::parse(R"({"model_type": "tapas"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "TapasModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 110671872u);
  EXPECT_EQ(m.total_bits / 8, 110671872ull * 4);
  // No _no_split_modules: the largest leaf is the word table.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings.word_embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 23440896ull * 4);
  auto e = built->model.root->child("embeddings");
  EXPECT_EQ(e->children[2].first, "token_type_embeddings_0");
  EXPECT_EQ(e->children[8].first, "token_type_embeddings_6");
}

TEST(Tapas, QuestionAnsweringAndMaskedLM) {
  // QA: the model with pooler, output_weights + column_output_weights 2*768, two scalar biases; with
  // num_aggregation_labels 4: aggregation_classifier 768*4+4 = 3,076.
  auto qa = build_transformers(Json::parse(R"({"model_type": "tapas", "num_aggregation_labels": 4,
      "architectures": ["TapasForQuestionAnswering"]})"), Target::TaskModel);
  ASSERT_TRUE(qa) << qa.error().message;
  EXPECT_EQ(measure(qa->model).parameters, 110671872u + 1536 + 2 + 3076);
  // AutoModelForPreTraining: the masked LM, no pooler (- 590,592), cls.predictions transform 590,592 + 1,536 and
  // bias 30,522 (decoder tied).
  auto mlm = build_transformers(Json::parse(R"({"model_type": "tapas"})"), Target::TaskModel);
  ASSERT_TRUE(mlm) << mlm.error().message;
  EXPECT_EQ(mlm->cls, "TapasForMaskedLM");
  EXPECT_EQ(measure(mlm->model).parameters, 110671872u + 1536 + 30522);
}

}  // namespace
